// QLayerNorm: integer-only LayerNormalization (I-BERT style) over the trailing axes from `axis`.
//
// The normalized axes x.shape[axis:] are contiguous, so each row is N = numel(x.shape[axis:])
// consecutive int8 (or uint8) values q_i, N <= 65536. With S1 = sum q_i, S2 = sum q_i^2 (exact
// integers) and j = var_shift in [0, varianceShift(N)], varianceShift(N) = floor((37 - 2
// bitlength(N)) / 2) (2j extra bits of resolution for epsilon; D stays below 2^52):
//   d_i = N q_i - S1                          = N (q_i - mean)                   |d_i| < 2^24
//   D   = 4^j (N S2 - S1^2) + epsilon_q       = 4^j N^2 (var + eps / s_x^2)      1 <= D < 2^52
// so the normalized value is n_i = 2^j d_i / sqrt(D). The input zero point cancels in both (an
// offset of q drops out of d_i and of N S2 - S1^2), so the op does not need it. Per row:
//   b = bitlength(D), k = floor((52 - b) / 2), Dn = D 4^k in [2^50, 2^52)
//   r = isqrt(Dn) in [2^25, 2^26)                        (bit by bit: the exact floor)
//   m = round(2^56 / r) in (2^30, 2^31]                  (exact integer division; 2^31 -> 2^30, s + 1)
//   s = min(30, k + F + j - 25)                          (the clamp only acts on rows with all d_i = 0)
//   z_i   = M_{m,s}(d_i)           = round(2^F n_i)      (F = frac_bits)
//   acc_i = sat32(gamma_i z_i + beta_i)                  (int16 gamma at s_g, int32 beta at s_g 2^-F)
//   y_i   = clamp(y_zp + M_out(acc_i), qmin, qmax)       (M_out = s_g 2^-F / s_y)
// M_{m,s}(v) is ir/fixed-point.ts's multiplyByQuantizedMultiplier with the node's rounding, for z
// and for the output alike. Every intermediate is an exact integer below 2^53 in TypeScript
// (|gamma z| < 2^46) and fits int32/int64 in C. The saturation of acc never changes a result when
// M_out >= 2^-22 (the lowering makes sure): then M_out * 2^31 >= 512, so a saturated acc lies
// beyond the output range whichever side the exact value was on.
//
// Error against the float LayerNormalization (test/ops/integer/qlayernorm.test.ts, inputs on the int8
// grid so only the op's own error is measured, output range covering the float outputs): at most
// 0.52 LSB (the measured worst is in docs/measurements.md). The sources: the output rounding (0.5 LSB, gemmlowp's second rounding adds 2^-(right+1)), z's
// rounding (0.5 * 32767 * M_out <= 2^-7 LSB), int16 gamma (2^-16 relative), the reciprocal square
// root (2^-24 relative) and epsilon_q's rounding (2^-(2j+1) of one variance step).
import { defineOp, float, int, required } from "../../op.js";
import { normAxis, isStatic } from "../../shape-util.js";
import { dimToString } from "../../dim.js";
import { makeTensor, numel, tensorType, type TensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { INT32_MAX, INT32_MIN, requantizeRow, type QuantizedMultiplier } from "../../fixed-point.js";
import { expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import type { OnnxExportContext, OnnxExportNode, OnnxNodeOut } from "../../op.js";
import { dequantize, qdqNode } from "./qdq-form.js";

/** Longest row (normalized block) the integer arithmetic is sized for. */
export const QLN_MAX_LEN = 65536;
/** Largest epsilon_q: with 4^j (N S2 - S1^2) below 2^51 it keeps D below 2^52. */
export const QLN_MAX_EPS = 2 ** 51;
/** Largest frac_bits: z = round(2^F n) with |n| <= sqrt(N - 1) must stay an int32. */
export const QLN_MAX_FRAC_BITS = 29;

const TWO26 = 67108864;
const TWO30 = 1073741824;
const TWO31 = 2147483648;

/** Number of bits of a positive integer below 2^53. */
function bitLength(v: number): number {
  const hi = Math.floor(v / 4294967296);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(v);
}

/**
 * Largest var_shift j for rows of N: D carries 4^j times the variance sum, so epsilon gets 2j more
 * bits of resolution. N S2 - S1^2 <= N^2 * 127.5^2 < 2^(14 + 2 bitlength(N)), hence 4^j times it
 * stays below 2^51.
 */
export function varianceShift(N: number): number {
  return Math.floor((37 - 2 * bitLength(N)) / 2);
}

/**
 * floor(sqrt(n)) for an integer 0 <= n < 2^52, bit by bit (the classic digit-by-digit method; C
 * does the same on uint64_t). Every intermediate is an integer below 2^52, exact in a double.
 */
export function isqrt52(n: number): number {
  let rem = n, res = 0, bit = 2 ** 50;
  while (bit > n && bit > 1) bit /= 4;
  while (bit >= 1) {
    if (rem >= res + bit) {
      rem -= res + bit;
      res = Math.floor(res / 2) + bit;
    } else {
      res = Math.floor(res / 2);
    }
    bit /= 4;
  }
  return res;
}

/**
 * The fixed-point multiplier of a row: 2^e / sqrt(D) as multiplier * 2^(shift - 31) (shift at
 * most 30), from the exact integer square root of D scaled into [2^50, 2^52) and the exact
 * quotient 2^56 / r (long division in two steps so every product stays below 2^53).
 * D: integer in [1, 2^52); e = F + j.
 */
export function rowNormalizer(D: number, e: number): QuantizedMultiplier {
  const k = Math.floor((52 - bitLength(D)) / 2);
  const r = isqrt52(D * 2 ** (2 * k));
  const q1 = Math.floor(TWO30 / r);
  const t = (TWO30 - q1 * r) * TWO26;
  let q2 = Math.floor(t / r), rem = t - q2 * r;
  if (rem < 0) {
    q2--;
    rem += r;
  } else if (rem >= r) {
    q2++;
    rem -= r;
  }
  const m = q1 * TWO26 + q2 + (2 * rem >= r ? 1 : 0);
  // m = 2^31 only for r = 2^25: the same value as 2^30 with one more power of two.
  const [mult, shift] = m === TWO31 ? [TWO30, k + e - 24] : [m, k + e - 25];
  return { multiplier: mult, shift: Math.min(30, shift) };
}

/** Checks of the type rule that need only types. */
function checkTypes(x: TensorType, g: TensorType, b: TensorType | undefined, a: { axis: number; epsilon_q: number; frac_bits: number; var_shift: number }): void {
  expectDtype(x, ["i8", "u8"], "x");
  const axis = normAxis(a.axis, x.shape.length);
  const norm = x.shape.slice(axis);
  if (!isStatic(norm)) throw new Error(`the normalized dims [${norm.map(dimToString).join(",")}] must be static (gamma and beta are constants per position)`);
  const N = numel(norm);
  if (N > QLN_MAX_LEN) throw new Error(`rows of ${N} values are longer than the ${QLN_MAX_LEN} the integer arithmetic is sized for`);
  for (const [t, name, dt] of [[g, "gamma", "i16"], [b, "beta", "i32"]] as const) {
    if (!t) continue;
    expectDtype(t, [dt], name);
    if (t.shape.length !== norm.length || t.shape.some((d, i) => d !== norm[i])) {
      throw new Error(`${name} must have the normalized shape [${norm.join(",")}], got [${t.shape.map(dimToString).join(",")}]`);
    }
  }
  if (!Number.isInteger(a.epsilon_q) || a.epsilon_q < 1 || a.epsilon_q > QLN_MAX_EPS) throw new Error(`epsilon_q ${a.epsilon_q} is outside [1, 2^51]`);
  const jMax = varianceShift(N);
  if (!Number.isInteger(a.var_shift) || a.var_shift < 0 || a.var_shift > jMax) throw new Error(`var_shift ${a.var_shift} is outside [0, ${jMax}] for rows of ${N}`);
  if (!Number.isInteger(a.frac_bits) || a.frac_bits < 0 || a.frac_bits > QLN_MAX_FRAC_BITS) throw new Error(`frac_bits ${a.frac_bits} is outside [0, ${QLN_MAX_FRAC_BITS}]`);
}

/** QDQ export: DequantizeLinear of x, gamma and beta, the float LayerNormalization, QuantizeLinear. */
function qlayernormToOnnx(node: OnnxExportNode, a: { axis: number; epsilon: number }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const out: OnnxNodeOut[] = [];
  const inputs = node.inputs.filter((v) => v).map((v) => dequantize(ctx, out, v));
  const res = qdqNode(ctx, node, inputs, "LayerNormalization", { axis: a.axis, epsilon: a.epsilon }, out);
  return res.map((n) => (n.opType === "LayerNormalization" ? { ...n, floatAttrs: ["epsilon"] } : n));
}

export const QLayerNorm = defineOp({
  name: "QLayerNorm",
  doc: "Integer layer normalization over the trailing axes (integer mean, variance, isqrt and reciprocal; int16 gamma, int32 beta).",
  attrs: {
    axis: int(-1),
    /** round(4^j epsilon N^2 / s_x^2), at least 1: epsilon in the units of D. */
    epsilon_q: required(int()),
    /** Fraction bits F of the normalized value z = round(2^F n). */
    frac_bits: required(int()),
    /** j: D holds 4^j times the variance sum (at most varianceShift(N)). */
    var_shift: required(int()),
    /** The float op's epsilon, kept for the QDQ export only (the arithmetic uses epsilon_q). */
    epsilon: float(1e-5),
    ...requantAttrs,
  },
  inputs: ["x", "gamma", "beta?"],
  outputs: ["y"],
  infer([xt, gt, bt], a) {
    const x = need(xt, "x");
    checkTypes(x, need(gt, "gamma"), bt, a);
    requantParams(a, 1);
    return [tensorType(outDtype(a), x.shape)];
  },
  evaluate([xt, gt, bt], a) {
    const x = need(xt, "x"), g = need(gt, "gamma");
    checkTypes(x, g, bt, a);
    const rq = requantParams(a, 1);
    if (rq.multiplier.length !== 1) throw new Error("QLayerNorm has one output multiplier");
    const axis = normAxis(a.axis, x.shape.length);
    const N = numel(x.shape.slice(axis)), rows = numel(x.shape.slice(0, axis));
    const j = a.var_shift, scaleV = 4 ** j, e = a.frac_bits + j, E = a.epsilon_q;
    const xd = x.data as NumericArray, gd = g.data as Int16Array, bd = bt?.data as Int32Array | undefined;
    const y = makeTensor(outDtype(a), x.shape), yd = y.data as NumericArray;
    const d = new Int32Array(N), z = new Int32Array(N), acc = new Int32Array(N);
    for (let r = 0; r < rows; r++) {
      const base = r * N;
      let s1 = 0, s2 = 0;
      for (let i = 0; i < N; i++) {
        const q = xd[base + i]!;
        s1 += q;
        s2 += q * q;
      }
      // N S2 and S1^2 are below 2^49, their difference times 4^j below 2^51: all exact.
      const nm = rowNormalizer(scaleV * (N * s2 - s1 * s1) + E, e);
      for (let i = 0; i < N; i++) d[i] = N * xd[base + i]! - s1;
      requantizeRow(d, 0, z, 0, N, nm.multiplier, nm.shift, rq.rounding, 0, INT32_MIN, INT32_MAX);
      for (let i = 0; i < N; i++) {
        const v = gd[i]! * z[i]! + (bd ? bd[i]! : 0); // |v| < 2^47: exact
        acc[i] = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
      }
      requantizeRow(acc, 0, yd, base, N, rq.multiplier[0]!, rq.shift[0]!, rq.rounding, rq.zeroPoint, rq.qmin, rq.qmax);
    }
    return [y];
  },
  toOnnx: qlayernormToOnnx,
});
