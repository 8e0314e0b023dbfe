// QLookup: a unary function on 8-bit integers as a 256-entry table, y = table[x - min(x's type)].
// The quantize pass computes the table at compile time from the float op's own kernel (sigmoid,
// tanh, exp, erf, gelu, hardswish, ...), so inference is a lookup with no arithmetic at all.
import { defineOp, ints, str } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import { intRange, type DType, type NumericArray } from "../../dtype.js";
import { expectDtype, need, outDtype } from "./common.js";
import { qlookupToOnnx } from "./to-onnx.js";

export const QLookup = defineOp({
  name: "QLookup",
  doc: "Unary function of an 8-bit tensor through a 256-entry table computed at compile time.",
  attrs: { table: ints([]), out_dtype: str("i8") },
  inputs: ["x"],
  outputs: ["y"],
  infer([xt], a) {
    const x = need(xt, "x");
    expectDtype(x, ["i8", "u8"], "x");
    checkTable(a.table, outDtype(a));
    return [tensorType(outDtype(a), x.shape)];
  },
  evaluate([xt], a) {
    const x = need(xt, "x");
    const dt = outDtype(a);
    const table = Int32Array.from(a.table);
    const base = x.dtype === "i8" ? 128 : 0;
    const xd = x.data as NumericArray;
    const y = makeTensor(dt, x.shape);
    const yd = y.data as NumericArray;
    for (let i = 0; i < xd.length; i++) yd[i] = table[xd[i]! + base]!;
    return [y];
  },
  toOnnx: qlookupToOnnx,
});

function checkTable(t: readonly number[], dt: DType): void {
  if (t.length !== 256) throw new Error(`table must have 256 entries, got ${t.length}`);
  const [lo, hi] = intRange(dt);
  for (const v of t) if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`table entry ${v} is outside the range of ${dt}`);
}
