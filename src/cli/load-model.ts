// Loads the model a command works on, with the file checks every command wants first.
import { statSync } from "node:fs";
import type { Graph } from "../../ir/graph.js";
import { ModelError } from "../errors.js";
import { importOnnxFile } from "../frontend/onnx/index.js";
import { fsReason } from "./report-error.js";

/** Imports an ONNX model, or throws a ModelError (exit 1) naming the file and the problem. */
export function loadModel(file: string): Graph {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw new ModelError(`${file}: cannot read the model (${fsReason(e)})`);
  }
  if (!isFile) throw new ModelError(`${file}: the model path is not a file`);
  return importOnnxFile(file);
}
