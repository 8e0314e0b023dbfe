// --max-dim NAME=N must name a symbolic dim of the model. A name the model does not have would
// otherwise be ignored, and the run end in "give their maximum with --max-dim ..." about a dim the
// user thinks they gave: ONNX dim names are imported as C names (seq-len becomes seq_len), so the
// name copied from the ONNX file is often not the one neonc uses. The error names the model's
// symbolic dims and, when the given name is the ONNX spelling of one, the flag to write.
import { graphSymbols } from "../../../codegen/emit-model.js";
import { UsageError } from "../../../ir/errors.js";
import type { Graph } from "../../../ir/graph.js";
import { onnxDimSymbol } from "../../adapters/onnx/import.js";

/** Throws a UsageError for the first --max-dim name that is not a symbolic dim of the imported model. */
export function checkMaxDimNames(given: Readonly<Record<string, number>> | undefined, model: Graph): void {
  if (!given) return;
  const symbols = graphSymbols(model);
  for (const [name, value] of Object.entries(given)) {
    if (symbols.includes(name)) continue;
    const head = `--max-dim ${name}=${value}: the model has no symbolic dim ${name}`;
    if (symbols.length === 0) throw new UsageError(`${head}; all its dims are fixed, so leave --max-dim out`);
    const has = symbols.length === 1 ? `its only symbolic dim is ${symbols[0]}` : `its symbolic dims are ${symbols.join(", ")}`;
    const imported = onnxDimSymbol(name);
    if (symbols.includes(imported)) {
      throw new UsageError(`${head}; ${has} (ONNX dim names are imported with _ for every character other than a letter, digit or _), so write --max-dim ${imported}=${value}`);
    }
    throw new UsageError(`${head}; ${has}`);
  }
}
