// Parsers for option values shared by the commands; bad values become commander usage errors
// (exit 2) with the offending text in the message.
import { InvalidArgumentError } from "commander";

/** `--dim T=100` (repeatable): a value for a symbolic dim. */
export function parseDimAssignment(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\d+)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError("expected NAME=N with N a whole number, like T=100");
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("the value must be a whole number of at least 1");
  return { ...previous, [m[1]!]: n };
}
