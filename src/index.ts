// The neonc library API: everything the CLI does, as functions. The IR and its textual form, the
// ONNX frontend and exporter, tensor files and input folders, the interpreter, the pass manager
// and the model pipeline (preset, passes, int8, codegen stages), calibration (observers, data
// folders, synthetic zero-shot inputs, SQNR), quantization and the int8 report, the C code
// generator and engine (compile, write, build, run, check against the interpreter), CTC decoding
// and WER, and the error types. `runPipeline`, `runModelPipeline`, `quantizeModel` and
// `compileModel` here run with the Node host (nodeHost: calibration folders and .json files are
// read from disk), as the CLI does. docs/library.md shows each CLI job as code.
import "../ir/ops/index.js";
import type { Graph } from "../ir/graph.js";
import { runPipeline as runPipelineOn, type RunPipelineOptions } from "../passes/run.js";
import type { Pipeline } from "../passes/pipeline.js";
import { quantizeModel as quantizeModelOn, type QuantizeModelOptions, type QuantizedModel } from "../passes/quantize/flow.js";
import { runModelPipeline as runModelPipelineOn, type ModelPipeline, type ModelPipelineResult } from "../passes/model-pipeline.js";
import { compileModel as compileModelOn, type CompileModelOptions, type CompiledModelResult } from "../codegen/compile-model.js";
import { nodeHost } from "./adapters/node-host.js";

export * from "../ir/dtype.js";
export * from "../ir/dim.js";
export * from "../ir/types.js";
export * from "../ir/graph.js";
export * from "../ir/op.js";
export * from "../ir/registry.js";
export * from "../ir/shape-util.js";
export { defineAlgorithm, type AlgorithmSpec } from "../ir/ops/lowered/define.js";
export { implementedOp, isLoweredByTarget, traitsOf, opsWith, opNamesWith } from "../ir/traits.js";
export { importOnnxFile, importOnnxBytes, readTensorFile, encodeTensorFile, tensorFromProto, tensorToProto, type ImportOptions } from "./adapters/onnx/index.js";
export { listInputDir, planRuns, bindInputs, readInputSets, readInputDir, type InputSource, type RunJob, type GivenTensor } from "./adapters/onnx/run-plan.js";
export { loadModel, openModel, describeQuantized, type LoadModelOptions, type OpenedModel } from "./adapters/onnx/load-model.js";
export { importBindingOperands, inputsFeeding, describeBoundOperands, type BoundOperand, type OperandBoundGraph } from "./adapters/onnx/operand-binding.js";
export type { BindValue } from "./adapters/onnx/bind-value.js";
export { inspectOnnxFile, DEFAULT_DIMS, type InspectReport, type InspectOptions, type MacsReport, type LayerReport as InspectLayerReport } from "./adapters/inspect/inspect-onnx.js";
export { formatInspectText } from "./adapters/inspect/format-inspect.js";
export { graphMacs, type GraphMacs, type LayerMacs } from "./adapters/inspect/macs.js";
export { rawTensorBytes, tensorFromRaw, readRawFile, readComparable, isTensorProtoFile } from "./adapters/onnx/raw.js";
export { readCalibrationDir, type CalibrationSamples, type ReadDirOptions } from "./adapters/onnx/data-dir.js";
export { runGraph, bindSymbols, type RunOptions } from "./runtime/interpreter.js";
export { withFastEngine, setFastEngineEnabled, fastEngineAvailable, fastEngineBackend } from "./runtime/fast/index.js";
export { installNativeKernels } from "./adapters/native-kernels.js";
import { installNativeKernels } from "./adapters/native-kernels.js";

// The library's fast engine may build its native kernels (on first use; WebAssembly where it cannot).
installNativeKernels();
export { NeoncError, ModelError, UsageError, errorMessage } from "../ir/errors.js";
export { verifyGraph, verifyProblems } from "../ir/verify.js";
export { printGraph, parseGraph, graphFromText, IrTextError, type PrintOptions } from "../ir/text/index.js";
export { exportOnnx, EXPORT_OPSET, type ExportOptions } from "./adapters/onnx/export.js";
export * from "../passes/index.js";
export {
  quantize, int8Preset, quantizeGraph, attachCalibration, attachedCalibration, registerCalibrationSource, chooseInt16Layers,
  DEFAULT_DIR_SAMPLES, DEFAULT_SYNTHETIC_SAMPLES, type QuantizeGraphOptions, type Calibration,
} from "../passes/quantize/index.js";
export * from "./analyses/calibration/index.js";
export { runSyntheticCalibration, synthesizeCalibrationInputs, DEFAULT_STEPS, type SyntheticOptions, type SyntheticResult, type SyntheticProgress } from "./analyses/calibration/synthetic/index.js";
export { greedyDecode, parseVocabulary, type Vocabulary } from "./analyses/asr/ctc.js";
export { errorRates, editDistance, type ErrorRates } from "./analyses/asr/wer.js";
export * from "../codegen/index.js";
export {
  buildInt8Report, reportOfModel, renderHtml, writeReports, reportSummaryLine,
  type Int8Report, type Int8ReportLayer, type ReportSource, type ReportFiles, type QuantizationSettings,
} from "./adapters/report/index.js";
export { loadPassModule } from "./adapters/pass-modules.js";
export { packageRoot, packageVersion } from "./adapters/package-info.js";
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

/** The model pipeline (passes/model-pipeline.ts) with the Node host unless `opts.host` names another. */
export function runModelPipeline(imported: Graph, pipeline: ModelPipeline, opts: RunPipelineOptions = {}): ModelPipelineResult {
  return runModelPipelineOn(imported, pipeline, { host: nodeHost(), ...opts });
}

/** A model to C (codegen/compile-model.ts: -O1, passes, int8, codegen stages, compile) with the Node host unless `opts.host` names another. */
export function compileModel(imported: Graph, opts: CompileModelOptions): CompiledModelResult {
  return compileModelOn(imported, { host: nodeHost(), ...opts });
}
