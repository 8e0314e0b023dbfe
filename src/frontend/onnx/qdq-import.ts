// Import of models quantized elsewhere (QDQ or QLinear ONNX) into the integer IR.
//
// The ordinary import folds every node whose inputs are constants, which would turn the
// DequantizeLinear of int8 weights into float weights and lose the integers; here those nodes are
// kept, and the `lower-qdq` pass (passes/import-qdq.ts) then lowers the groups to integer ops.
import type { Graph } from "../../../ir/graph.js";
import { lowerQdq } from "../../../passes/import-qdq.js";
import { importOnnxBytes, importOnnxFile } from "./index.js";

const KEEP = new Set(["DequantizeLinear"]);

/** Imports quantized ONNX bytes and lowers them to integer ops. */
export function importQdqBytes(bytes: Uint8Array, where: string, baseDir?: string): Graph {
  return lowerQdq(importOnnxBytes(bytes, where, baseDir, { keep: KEEP }));
}

/** Imports a quantized ONNX file and lowers it to integer ops. */
export function importQdqFile(file: string): Graph {
  return lowerQdq(importOnnxFile(file, { keep: KEEP }));
}
