// QSoftmax and QLogSoftmax: integer softmax along one axis, with tables the quantize pass
// computes at compile time, so inference is lookups, integer sums, one integer division per
// element (softmax) or a normalisation by count-leading-zeros (log-softmax).
//
// With d = max(row) - x in [0, 255] (stored values), exp_table[d] = round(2^15 exp(-s_x d)):
// - QSoftmax:   y = zp + round(256 * E[d] / sum(E)), output scale fixed at 1/256 (zp -128 for
//   i8 covers [0, 255/256]). Error: at most 0.5 LSB from the output rounding plus 2^-15 relative
//   from the table (and 1/256 absolute is the format's resolution).
// - QLogSoftmax: log p = -s_x d - ln S with S = sum(E) / 2^15. ln S is taken as
//   (e - 15) ln2 + ln(1 + m/256) from S's leading-one position e and its next 8 bits m
//   (log_table[m] = round(2^16 ln(1 + (m + 0.5)/256)), ln2_q16 = round(2^16 ln 2)): error below
//   0.002. The two terms are requantized separately (x_multiplier/x_shift = s_x/s_y,
//   log_multiplier/log_shift = 1/(2^16 s_y)) with the node's rounding: at most 1 LSB in all.
import { defineOp, int, ints, str } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, numel, tensorType, type Tensor, type TensorType } from "../../types.js";
import { intRange, type NumericArray } from "../../dtype.js";
import { multiplyByQuantizedMultiplier } from "../../fixed-point.js";
import { checkRounding, checkZeroPoint, expectDtype, need, outDtype } from "./common.js";
import { softmaxToOnnx } from "./to-onnx.js";

function checkTable(t: readonly number[], name: string, max: number): void {
  if (t.length !== 256) throw new Error(`${name} must have 256 entries, got ${t.length}`);
  for (const v of t) if (!Number.isInteger(v) || v < 0 || v > max) throw new Error(`${name} entry ${v} is outside [0, ${max}]`);
}

/** Visits each row along `axis`: (offset of element 0, stride between elements, length). */
function rows(x: Tensor, axis: number, fn: (base: number, stride: number, len: number) => void): void {
  const len = x.shape[axis]!, inner = numel(x.shape.slice(axis + 1)), outer = numel(x.shape.slice(0, axis));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * len * inner + i, inner, len);
}

/** The first checks of both type rules: int8/uint8 input, the axis and the exp table. */
function checkedInput(xt: TensorType | undefined, a: { readonly axis: number; readonly exp_table: readonly number[] }): TensorType {
  const x = need(xt, "x");
  expectDtype(x, ["i8", "u8"], "x");
  normAxis(a.axis, x.shape.length);
  checkTable(a.exp_table, "exp_table", 32768);
  return x;
}

/** The output of both type rules, once the zero point is checked against the output type. */
function outputType(x: TensorType, a: { readonly y_zero_point: number; readonly out_dtype: string }): TensorType[] {
  checkZeroPoint(a.y_zero_point, outDtype(a), "y_zero_point");
  return [tensorType(outDtype(a), x.shape)];
}

/** Largest stored value of a row: the exp table is indexed by the distance below it. */
function rowMax(xd: NumericArray, base: number, stride: number, len: number): number {
  let mx = -Infinity;
  for (let k = 0; k < len; k++) mx = Math.max(mx, xd[base + k * stride]!);
  return mx;
}

/** Integer sum over a row of E[max - x]. */
function rowExpSum(xd: NumericArray, E: Int32Array, mx: number, base: number, stride: number, len: number): number {
  let sum = 0;
  for (let k = 0; k < len; k++) sum += E[mx - xd[base + k * stride]!]!;
  return sum;
}

const common = { axis: int(-1), exp_table: ints([]), y_zero_point: int(-128), out_dtype: str("i8") };

export const QSoftmax = defineOp({
  name: "QSoftmax",
  doc: "Integer softmax along an axis (exp table, integer sum and division); output scale 1/256.",
  attrs: common,
  inputs: ["x"],
  outputs: ["y"],
  infer([xt], a) {
    return outputType(checkedInput(xt, a), a);
  },
  evaluate([xt], a) {
    const x = need(xt, "x");
    const dt = outDtype(a);
    const [lo, hi] = intRange(dt);
    const xd = x.data as NumericArray, y = makeTensor(dt, x.shape), yd = y.data as NumericArray;
    const E = Int32Array.from(a.exp_table), zp = a.y_zero_point;
    rows(x, normAxis(a.axis, x.shape.length), (base, stride, len) => {
      const mx = rowMax(xd, base, stride, len);
      const sum = rowExpSum(xd, E, mx, base, stride, len);
      const den = 2 * sum;
      for (let k = 0; k < len; k++) {
        // round(256 E / sum), ties up, as an exact integer division.
        const v = Math.floor((512 * E[mx - xd[base + k * stride]!]! + sum) / den) + zp;
        yd[base + k * stride] = v < lo ? lo : v > hi ? hi : v;
      }
    });
    return [y];
  },
  toOnnx: softmaxToOnnx("Softmax"),
});

export const QLogSoftmax = defineOp({
  name: "QLogSoftmax",
  doc: "Integer log-softmax along an axis (exp and log tables, count-leading-zeros normalisation).",
  attrs: {
    ...common, log_table: ints([]), ln2_q16: int(45426),
    x_multiplier: int(0), x_shift: int(0), log_multiplier: int(0), log_shift: int(0), rounding: str("gemmlowp"),
  },
  inputs: ["x"],
  outputs: ["y"],
  infer([xt], a) {
    const x = checkedInput(xt, a);
    checkTable(a.log_table, "log_table", 65536);
    checkRounding(a.rounding);
    return outputType(x, a);
  },
  evaluate([xt], a) {
    const x = need(xt, "x");
    const dt = outDtype(a);
    const [lo, hi] = intRange(dt);
    const rounding = checkRounding(a.rounding);
    const xd = x.data as NumericArray, y = makeTensor(dt, x.shape), yd = y.data as NumericArray;
    const E = Int32Array.from(a.exp_table), LN = Int32Array.from(a.log_table), zp = a.y_zero_point;
    rows(x, normAxis(a.axis, x.shape.length), (base, stride, len) => {
      const mx = rowMax(xd, base, stride, len);
      const sum = rowExpSum(xd, E, mx, base, stride, len);
      // sum >= 2^15 (the row's maximum contributes E[0] = 2^15), so e >= 15.
      const e = 31 - Math.clz32(sum);
      const m = e >= 8 ? (sum >>> (e - 8)) & 255 : (sum << (8 - e)) & 255;
      const lnS = (e - 15) * a.ln2_q16 + LN[m]!;
      const logPart = multiplyByQuantizedMultiplier(lnS, a.log_multiplier, a.log_shift, rounding);
      for (let k = 0; k < len; k++) {
        const v = zp + multiplyByQuantizedMultiplier(xd[base + k * stride]! - mx, a.x_multiplier, a.x_shift, rounding) - logPart;
        yd[base + k * stride] = v < lo ? lo : v > hi ? hi : v;
      }
    });
    return [y];
  },
  toOnnx: softmaxToOnnx("LogSoftmax"),
});
