// --bind NAME=VALUE (repeatable), on every command that reads a model (run, compile, check,
// optimize): the graph input NAME becomes a constant at import, so the shape-like operands it
// feeds are known and an If it decides keeps only the branch it takes. VALUE is a number, a
// comma list (shaped as the input, ../../adapters/onnx/bind-value.ts), or a TensorProto .pb file.
// Whether the input exists and the value fits it is checked at import (usage errors, exit 2).
import { InvalidArgumentError, type Command } from "commander";
import { errorMessage } from "../../../ir/errors.js";
import { parseNumber } from "../../../ir/float-formats.js";
import type { BindValue } from "../../adapters/onnx/bind-value.js";
import { readTensorFile } from "../../adapters/onnx/tensor.js";

export interface BindFlags {
  bind?: Record<string, BindValue>;
}

export function addBindFlag(cmd: Command): Command {
  return cmd.option(
    "--bind <name=value>",
    "fix a model input at import: a number, a comma list (e.g. sr=16000, axes=0,2) or a .pb tensor file (repeatable); an If it decides keeps the branch it takes",
    parseBind,
  );
}

const SPECIAL = /^[+-]?(inf|infinity|nan)$|^(true|false)$/i;

function parseValue(text: string): number {
  const t = text.trim();
  if (SPECIAL.test(t)) return parseNumber(t);
  const v = t === "" ? NaN : Number(t);
  if (Number.isNaN(v)) throw new InvalidArgumentError(`"${text}" is not a number; VALUE is a number, a comma list of numbers, or a .pb file`);
  return v;
}

export function parseBind(value: string, previous: Record<string, BindValue> = {}): Record<string, BindValue> {
  const m = /^([^=]+)=(.*)$/.exec(value);
  if (!m || m[1]!.trim() === "") throw new InvalidArgumentError("expected NAME=VALUE, like sr=16000, axes=0,2 or shape=shape.pb");
  const name = m[1]!.trim(), text = m[2]!.trim();
  if (name in previous) throw new InvalidArgumentError(`the input ${name} is bound twice`);
  if (/\.pb$/i.test(text)) {
    try {
      return { ...previous, [name]: readTensorFile(text).tensor };
    } catch (e) {
      throw new InvalidArgumentError(errorMessage(e));
    }
  }
  const parts = text.split(",");
  return { ...previous, [name]: parts.length === 1 ? parseValue(parts[0]!) : parts.map(parseValue) };
}
