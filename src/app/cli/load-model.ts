// Loads the model a command works on, with the file checks every command wants first.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Graph } from "../../../ir/graph.js";
import { ModelError } from "../../../ir/errors.js";
import { fsReason } from "./report-error.js";
import { importDetecting, type QdqFlags } from "./qdq-detect.js";

/**
 * Imports an ONNX model, or throws a ModelError (exit 1) naming the file and the problem. A model
 * quantized elsewhere goes through import-qdq unless --no-import-qdq (./qdq-detect.ts).
 */
export function loadModel(file: string, flags: QdqFlags = {}): Graph {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw new ModelError(`${file}: cannot read the model (${fsReason(e)})`);
  }
  if (!isFile) throw new ModelError(`${file}: the model path is not a file`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ModelError(`${file}: cannot read the model (${fsReason(e)})`);
  }
  return importDetecting(bytes, file, path.dirname(file), flags);
}
