// --input-shape NAME=D1,D2,... (repeatable), on every command that reads a model (run, compile,
// check, optimize): fixes the symbolic dims of the graph input NAME to numbers at import, so
// shapes computed from it are known and an If they decide (torch's squeeze(-1) of a run-time
// length) keeps only the branch it takes. Whether the input exists and the shape fits it is
// checked at import (usage errors, exit 2; ../../adapters/onnx/input-shapes.ts).
import { InvalidArgumentError, type Command } from "commander";

export interface InputShapeFlags {
  inputShape?: Record<string, number[]>;
}

export function addInputShapeFlag(cmd: Command): Command {
  return cmd.option(
    "--input-shape <name=dims>",
    "fix a model input's symbolic dims at import, e.g. input=1,512 (repeatable); an If its shape decides keeps the branch it takes",
    parseInputShape,
  );
}

export function parseInputShape(value: string, previous: Record<string, number[]> = {}): Record<string, number[]> {
  const m = /^([^=]+)=(.*)$/.exec(value);
  if (!m || m[1]!.trim() === "" || m[2]!.trim() === "") throw new InvalidArgumentError("expected NAME=D1,D2,..., like input=1,512");
  const name = m[1]!.trim();
  if (name in previous) throw new InvalidArgumentError(`the shape of the input ${name} is given twice`);
  const dims = m[2]!.split(",").map((t) => {
    const s = t.trim();
    if (!/^[+-]?\d+$/.test(s) || Number(s) <= 0 || !Number.isSafeInteger(Number(s))) {
      throw new InvalidArgumentError(`"${t}" is not a positive integer; each dim of --input-shape is one`);
    }
    return Number(s);
  });
  return { ...previous, [name]: dims };
}
