// The ONNX frontend: reads a model file, decodes it and lowers it to a verified IR graph.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Graph } from "../../../ir/graph.js";
import type { BindValue } from "./bind-value.js";
import { ModelError, errorMessage } from "../../../ir/errors.js";
import { lowerModel } from "./import.js";
import { onnx, type ModelProto } from "./proto.js";
export type { BindValue } from "./bind-value.js";
export { readTensorFile, encodeTensorFile, tensorFromProto, tensorToProto } from "./tensor.js";

/** Model files larger than this are refused before reading (protobuf's own limit is 2 GiB). */
const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** Decodes ONNX model bytes; `where` names the source in messages. */
export function decodeModel(bytes: Uint8Array, where: string): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${where}: not a valid ONNX model (the protobuf data is truncated or corrupt: ${errorMessage(e)})`);
  }
  if (!model.graph || (!model.irVersion && (model.opsetImport ?? []).length === 0)) {
    throw new ModelError(`${where}: not an ONNX model (no graph or version information found)`);
  }
  return model;
}

/** Imports ONNX model bytes into an IR graph, or throws a ModelError naming the problem. */
export function importOnnxBytes(bytes: Uint8Array, where: string, baseDir?: string, options: ImportOptions = {}): Graph {
  return lowerModel(decodeModel(bytes, where), { where, baseDir, bind: options.bind, inputShapes: options.inputShapes, keep: options.keep });
}

export interface ImportOptions {
  /**
   * Graph inputs to specialise on known values (they become constants of the graph): a tensor,
   * or numbers that take the input's dtype and shape. An unknown input name or a value that does
   * not fit the input is a UsageError.
   */
  bind?: Readonly<Record<string, BindValue>>;
  /** Graph inputs whose symbolic dims are fixed to numbers, e.g. { input: [1, 512] } (see LowerOptions.inputShapes). */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Op types never folded at import (see LowerOptions.keep). */
  keep?: ReadonlySet<string>;
}

/** Imports an ONNX model file into an IR graph, or throws a ModelError naming the problem. */
export function importOnnxFile(file: string, options: ImportOptions = {}): Graph {
  let bytes: Uint8Array;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new ModelError(`${file}: is a folder, not an ONNX model file`);
    if (st.size > MAX_MODEL_BYTES) throw new ModelError(`${file}: ${st.size} bytes is larger than an ONNX protobuf can be`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`${file}: cannot read the model (${errorMessage(e)})`);
  }
  return importOnnxBytes(bytes, file, path.dirname(file), options);
}
