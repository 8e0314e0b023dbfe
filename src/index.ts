// The neonc library API: the IR, the ONNX frontend, the interpreter, the pass manager and the error types.
import "../ir/ops/index.js";

export * from "../ir/dtype.js";
export * from "../ir/dim.js";
export * from "../ir/types.js";
export * from "../ir/graph.js";
export * from "../ir/op.js";
export * from "../ir/registry.js";
export * from "../ir/shape-util.js";
export { importOnnxFile, importOnnxBytes, readTensorFile, encodeTensorFile } from "./frontend/onnx/index.js";
export { runGraph, bindSymbols, type RunOptions } from "./runtime/interpreter.js";
export { NeoncError, ModelError, UsageError } from "./errors.js";
export { verifyGraph, verifyProblems } from "../ir/verify.js";
export { printGraph, parseGraph, graphFromText, IrTextError } from "../ir/text/index.js";
export { exportOnnx, EXPORT_OPSET, type ExportOptions } from "./export/onnx.js";
export * from "../passes/index.js";
