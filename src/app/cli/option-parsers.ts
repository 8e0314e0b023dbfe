// Parsers for option values shared by the commands; bad values become commander usage errors
// (exit 2) with the offending text in the message.
import { InvalidArgumentError } from "commander";

/** `--dim T=100` (repeatable): a value for a symbolic dim, named as neonc names it (a C identifier). */
export function parseDimAssignment(value: string, previous: Record<string, number> = {}): Record<string, number> {
  return dimAssignment(value, previous, /^[A-Za-z_][A-Za-z0-9_]*$/);
}

/**
 * `--max-dim T=100` (repeatable): like --dim, but any name is taken here: compile, check and run
 * check it against the model (src/app/cli/max-dim.ts), which can say what its symbolic dims are
 * called (an ONNX name such as seq-len is imported as seq_len).
 */
export function parseMaxDim(value: string, previous: Record<string, number> = {}): Record<string, number> {
  return dimAssignment(value, previous, /^[^=\s]+$/);
}

function dimAssignment(value: string, previous: Record<string, number>, name: RegExp): Record<string, number> {
  const m = /^([^=]*)=(.*)$/.exec(value.trim());
  if (!m || !name.test(m[1]!)) throw new InvalidArgumentError("expected NAME=N with N a whole number, like T=100");
  const n = /^\d+$/.test(m[2]!) ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("the value must be a whole number of at least 1");
  return { ...previous, [m[1]!]: n };
}
