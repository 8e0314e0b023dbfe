// Comparisons with numpy broadcasting: Equal, Greater, GreaterOrEqual, Less, LessOrEqual (bool out).
import { isPackedFloat, type DType } from "../../dtype.js";
import { tensorToF32 } from "../../float-formats.js";
import { defineOp } from "../../op.js";
import { broadcastShapes } from "../../shape-util.js";
import { makeTensor, type Tensor } from "../../types.js";
import {
  broadcast2, eqRow, geRow, gtRow, leRow, ltRow, planBroadcast, type AnyArr, type Row2,
} from "../../kernels/elementwise.js";
import { broadcastBinaryParts, need, NUMERIC } from "./common.js";
import { foldEqual } from "./fold-select.js";

type CompareOp = "Equal" | "Greater" | "GreaterOrEqual" | "Less" | "LessOrEqual";

const ROWS: Record<CompareOp, Row2<Uint8Array, AnyArr, AnyArr>> = {
  Equal: eqRow,
  Greater: gtRow as unknown as Row2<Uint8Array, AnyArr, AnyArr>,
  GreaterOrEqual: geRow as unknown as Row2<Uint8Array, AnyArr, AnyArr>,
  Less: ltRow as unknown as Row2<Uint8Array, AnyArr, AnyArr>,
  LessOrEqual: leRow as unknown as Row2<Uint8Array, AnyArr, AnyArr>,
};

/** Storage a comparison row can read: raw numbers, bigints or strings; packed floats as f32. */
function comparable(t: Tensor): AnyArr {
  return isPackedFloat(t.dtype) ? tensorToF32(t) : (t.data as AnyArr);
}

/** Compares two tensors of one dtype elementwise with broadcasting. */
export function compare(op: CompareOp, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new Error(`${op}: inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
  if (a.dtype === "string" && op !== "Equal") throw new Error(`${op}: strings can only be compared with Equal`);
  const shape = broadcastShapes(a.shape, b.shape);
  const out = makeTensor("bool", shape);
  broadcast2(planBroadcast(shape, [a.shape, b.shape]), out.data as Uint8Array, comparable(a), comparable(b), ROWS[op]);
  return out;
}

function compareOp(name: CompareOp, doc: string, allowed: readonly DType[]) {
  return defineOp({
    name,
    doc,
    ...broadcastBinaryParts(name, allowed, "bool"),
    evaluate: (inputs) => {
      const [a, b] = need(name, inputs, 2);
      return [compare(name, a!, b!)];
    },
    ...(name === "Equal" ? { foldDims: foldEqual } : {}),
  });
}

const ORDERED: readonly DType[] = [...NUMERIC, "bool"];

export const Equal = compareOp("Equal", "Elementwise a == b with broadcasting (NaN is unequal to everything).", [...ORDERED, "string"]);
export const Greater = compareOp("Greater", "Elementwise a > b with broadcasting.", ORDERED);
export const GreaterOrEqual = compareOp("GreaterOrEqual", "Elementwise a >= b with broadcasting.", ORDERED);
export const Less = compareOp("Less", "Elementwise a < b with broadcasting.", ORDERED);
export const LessOrEqual = compareOp("LessOrEqual", "Elementwise a <= b with broadcasting.", ORDERED);

export const compareOps = [Equal, Greater, GreaterOrEqual, Less, LessOrEqual];
