// The neonc library API: the IR, the ONNX frontend, the interpreter, the pass manager, the int8
// flow, and the error types. `runPipeline` and `quantizeModel` here run with the Node host
// (nodeHost: calibration folders and .json files are read from disk), as the CLI does.
import "../ir/ops/index.js";
import type { Graph } from "../ir/graph.js";
import { runPipeline as runPipelineOn, type RunPipelineOptions } from "../passes/run.js";
import type { Pipeline } from "../passes/pipeline.js";
import { quantizeModel as quantizeModelOn, type QuantizeModelOptions, type QuantizedModel } from "../passes/quantize/flow.js";
import { nodeHost } from "./adapters/node-host.js";

export * from "../ir/dtype.js";
export * from "../ir/dim.js";
export * from "../ir/types.js";
export * from "../ir/graph.js";
export * from "../ir/op.js";
export * from "../ir/registry.js";
export * from "../ir/shape-util.js";
export { importOnnxFile, importOnnxBytes, readTensorFile, encodeTensorFile } from "./adapters/onnx/index.js";
export { runGraph, bindSymbols, type RunOptions } from "./runtime/interpreter.js";
export { NeoncError, ModelError, UsageError } from "../ir/errors.js";
export { verifyGraph, verifyProblems } from "../ir/verify.js";
export { printGraph, parseGraph, graphFromText, IrTextError } from "../ir/text/index.js";
export { exportOnnx, EXPORT_OPSET, type ExportOptions } from "./adapters/onnx/export.js";
export * from "../passes/index.js";
export { loadPassModule } from "./adapters/pass-modules.js";
export { nodeHost, type NodeHostOptions } from "./adapters/node-host.js";
export { REPORT_SAMPLES, type QuantizeModelOptions, type QuantizeOptions, type QuantizedModel } from "../passes/quantize/flow.js";

/** Runs a pipeline (passes/run.ts) with the Node host unless `opts.host` names another. */
export function runPipeline(graph: Graph, pipeline: string | Pipeline, opts: RunPipelineOptions = {}): Graph {
  return runPipelineOn(graph, pipeline, { host: nodeHost(), ...opts });
}

/** The int8 flow (passes/quantize/flow.ts) with the Node host unless `options.host` names another. */
export function quantizeModel(imported: Graph, options: QuantizeModelOptions = {}): QuantizedModel {
  return quantizeModelOn(imported, { host: nodeHost(), ...options });
}
