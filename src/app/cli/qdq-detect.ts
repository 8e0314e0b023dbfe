// --no-import-qdq, on every command that reads a model: a model quantized elsewhere is imported
// through import-qdq (src/adapters/onnx/load-model.ts) unless it is given.
import type { Command } from "commander";

export interface QdqFlags {
  /** false with --no-import-qdq. */
  importQdq?: boolean;
  explain?: string[];
  int8?: boolean;
}

/** Adds --no-import-qdq to a command that reads a model. */
export function addQdqFlag(cmd: Command): Command {
  return cmd.option("--no-import-qdq", "import a quantized (QDQ / QOperator) model as float instead of lowering it to integer ops");
}
