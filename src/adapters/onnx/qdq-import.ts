// Import of models quantized elsewhere (QDQ or QOperator ONNX) into the integer IR.
//
// The ordinary import folds every node whose inputs are constants, which would turn the
// DequantizeLinear of int8 weights into float weights and lose the integers; here those nodes are
// kept, and the `import-qdq` pass (passes/import-qdq/index.ts) then lowers the groups to integer ops.
// A model the integer IR cannot represent (blocked parameters of an activation) is refused with
// a ModelError naming the file and the node.
import type { Graph } from "../../../ir/graph.js";
import { importQdqWithSummary, type QdqRunOptions, type QdqSummary } from "../../../passes/import-qdq/index.js";
import { ModelError, NeoncError, errorMessage } from "../../../ir/errors.js";
import { decodeModel, importOnnxFile } from "./index.js";
import { lowerModel, type LowerOptions } from "./import.js";
import type { ModelProto } from "./proto.js";

const KEEP = new Set(["DequantizeLinear"]);

function lowered(g: Graph, where: string, options: QdqRunOptions): { graph: Graph; summary: QdqSummary } {
  try {
    return importQdqWithSummary(g, options);
  } catch (e) {
    if (e instanceof NeoncError) throw e;
    throw new ModelError(`${where}: ${errorMessage(e)}`);
  }
}

/** Imports a decoded quantized model and lowers it, with the summary of what became integer. */
export function importQdqModel(
  model: ModelProto, where: string, baseDir?: string, options: QdqRunOptions & { bind?: LowerOptions["bind"]; inputShapes?: LowerOptions["inputShapes"] } = {},
): { graph: Graph; summary: QdqSummary } {
  const { bind, inputShapes, ...run } = options;
  return lowered(lowerModel(model, { where, baseDir, keep: KEEP, bind, inputShapes }), where, run);
}

/** Imports quantized ONNX bytes and lowers them to integer ops. */
export function importQdqBytes(bytes: Uint8Array, where: string, baseDir?: string): Graph {
  return importQdqModel(decodeModel(bytes, where), where, baseDir).graph;
}

/** Imports a quantized ONNX file and lowers it to integer ops. */
export function importQdqFile(file: string): Graph {
  return lowered(importOnnxFile(file, { keep: KEEP }), file, {}).graph;
}
