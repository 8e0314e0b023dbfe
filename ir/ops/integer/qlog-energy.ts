// QLogEnergy: the log of a power spectrum, optionally through a filterbank (log-mel features),
// from integer spectrum halves, with every step before the log exact.
//
// Why an op of its own: a power spectrum spans twice the dynamic range (in dB) of its halves, and
// a filterbank sums it; quiet frames sit 40-100 dB below the loudest. Requantized to 8 bits (QMul,
// QAdd, QMatMul) the quiet bins and bands become zero and their log the floor, tens of dB from the
// float value (an openWakeWord front end gave 7.5 dB SQNR). Here, per row of the last axis:
//   P_k = (re_k - re_zp)^2 + (im_k - im_zp)^2                 exact (im optional)
//   E_m = sum_k P_k * bank[k, m] + addends[m]                 exact (no bank: E_k = P_k)
//   L_m = log2(E_m) in Q16: 2^16 floor(log2 E) + LOG2_Q16[top 8 bits after E's leading one]
//   acc = max(L_m + offsets[m], floor)   (E_m <= 0: floor)
//   y   = clamp(zp + rq(acc, multiplier, shift))   (E_m <= 0 without a floor: the lowest output)
// With re, im of scale s and bank column m of scale b_m, s^2 b_m E_m is the float energy, so the
// lowering sets offsets[m] = round(2^16 log2(s^2 b_m)), floor = round(2^16 log2(eps)) (a Clip
// before the Log), addends[m] = round(eps / (s^2 b_m)) (an Add of eps before the Log: log(E + eps)
// with the eps on E's integer grid) and the real multiplier ln 2 / (2^16 s_y). The only roundings: the 8-bit
// mantissa of the log (at most 0.0056 in log2, 0.017 dB), the offsets (2^-17), the output.
// Exactness bound: K * max P * max |bank| < 2^53 (checked), so E is exact in a double and in int64.
import { defineOp, int, ints } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { intRange } from "../../dtype.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { checkZeroPoint, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import { qlogEnergyToOnnx } from "./to-onnx.js";

/** Fraction bits of the fixed-point log2. */
export const LOG2_FRAC_BITS = 16;
/** Mantissa bits the log2 table is indexed by. */
export const LOG2_TABLE_BITS = 8;
/** LOG2_Q16[i] = round(2^16 log2(1 + i/256)): the fractional part of log2 for each 8-bit mantissa. */
export const LOG2_Q16: readonly number[] = Array.from({ length: 1 << LOG2_TABLE_BITS }, (_, i) => Math.round(2 ** LOG2_FRAC_BITS * Math.log2(1 + i / (1 << LOG2_TABLE_BITS))));
/** The `floor` that means "no floor": log of zero saturates to the output's lowest value. */
export const NO_FLOOR = -(2 ** 31) + 1;
/** Largest exact integer sum: E stays below this. */
const EXACT = 2 ** 53;

/** floor(log2 e) of a positive integer e < 2^53. */
function bitLength1(e: number): number {
  let n = Math.floor(Math.log2(e));
  if (2 ** n > e) n--;
  else if (2 ** (n + 1) <= e) n++;
  return n;
}

/** log2(e) in Q16 by the table, for an integer 1 <= e < 2^53 (C: neonc_log2_q16). */
export function log2Q16(e: number): number {
  const n = bitLength1(e);
  const B = LOG2_TABLE_BITS;
  const top = n >= B ? Math.floor(e / 2 ** (n - B)) : e * 2 ** (B - n);
  return n * 2 ** LOG2_FRAC_BITS + LOG2_Q16[top - (1 << B)]!;
}

export const QLogEnergy = defineOp({
  name: "QLogEnergy",
  doc: "Log of an exact integer power spectrum re^2 + im^2, optionally through a filterbank, in fixed point, requantized (log-mel features).",
  attrs: {
    re_zero_point: int(0),
    im_zero_point: int(0),
    /** Q16 log2 of each column's scale (s^2 b_m): one, or one per output column. */
    offsets: ints([0]),
    /** Q16 log2 of the smallest energy (the Clip before the Log); NO_FLOOR for none. */
    floor: int(NO_FLOOR),
    /** Integers added to each column's energy before the log (an eps added in float): none, one, or one per column. */
    addends: ints([]),
    ...requantAttrs,
  },
  inputs: ["re", "im?", "bank?"],
  outputs: ["y"],
  infer([rt, it, bt], a) {
    const re = need(rt, "re");
    expectDtype(re, ["i8", "u8", "i16"], "re");
    checkZeroPoint(a.re_zero_point, re.dtype, "re_zero_point");
    if (re.shape.length < 1) throw new Error("re must have at least one axis (the bins)");
    if (it) {
      expectDtype(it, [re.dtype], "im");
      checkZeroPoint(a.im_zero_point, it.dtype, "im_zero_point");
      if (it.shape.length !== re.shape.length || it.shape.some((d, i) => String(d) !== String(re.shape[i]))) {
        throw new Error(`re and im must have one shape, got [${re.shape.join(",")}] and [${it.shape.join(",")}]`);
      }
    }
    const K = re.shape[re.shape.length - 1]!;
    let M = K;
    if (bt) {
      expectDtype(bt, ["i8"], "bank");
      if (bt.shape.length !== 2) throw new Error(`bank must be 2-D [bins, bands], got [${bt.shape.join(",")}]`);
      if (typeof K === "number" && bt.shape[0] !== K) throw new Error(`bank has ${String(bt.shape[0])} rows but re has ${K} bins`);
      M = bt.shape[1]!;
    }
    if (typeof K === "number") {
      const terms = bt ? K * 128 : 1;
      const maxP = (it ? 2 : 1) * maxCentred(re.dtype, a.re_zero_point, it ? a.im_zero_point : a.re_zero_point) ** 2;
      if (terms * maxP + Math.max(0, ...a.addends) >= EXACT) throw new Error(`${K} bins of ${re.dtype} powers through an int8 bank can reach 2^53: the energy would not be exact`);
    }
    if (a.offsets.length !== 1 && typeof M === "number" && a.offsets.length !== M) throw new Error(`offsets has ${a.offsets.length} values, expected 1 or ${M}`);
    if (a.addends.length > 1 && typeof M === "number" && a.addends.length !== M) throw new Error(`addends has ${a.addends.length} values, expected none, 1 or ${M}`);
    for (const e of a.addends) if (!Number.isInteger(e) || e < 0 || e >= 2 ** 52) throw new Error(`addend ${e} is not an integer in [0, 2^52)`);
    // |offset| < 2^30 keeps log2 + offset an int32 above NO_FLOOR (log2 of E < 2^53 is below 2^22).
    for (const o of a.offsets) if (!Number.isInteger(o) || Math.abs(o) >= 2 ** 30) throw new Error(`offset ${o} is not an integer of magnitude below 2^30`);
    if (!Number.isInteger(a.floor) || a.floor < NO_FLOOR) throw new Error(`floor ${a.floor} is not an int32 above ${NO_FLOOR - 1}`);
    requantParams(a, 1);
    return [tensorType(outDtype(a), [...re.shape.slice(0, -1), M])];
  },
  evaluate([rt, it, bt], a) {
    const re = need(rt, "re");
    const rq = requantParams(a, 1);
    const K = re.shape[re.shape.length - 1] as number;
    const rows = K === 0 ? 0 : re.data.length / K;
    const M = bt ? (bt.shape[1] as number) : K;
    const rd = re.data as NumericArray, id = it?.data as NumericArray | undefined, bank = bt?.data as Int8Array | undefined;
    const zr = a.re_zero_point, zi = a.im_zero_point;
    const power = new Float64Array(K);
    const acc = new Int32Array(rows * M);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < K; k++) {
        const x = rd[r * K + k]! - zr, y = id ? id[r * K + k]! - zi : 0;
        power[k] = x * x + y * y;
      }
      for (let m = 0; m < M; m++) {
        let e = a.addends.length === 0 ? 0 : a.addends[a.addends.length === 1 ? 0 : m]!;
        if (bank) for (let k = 0; k < K; k++) e += power[k]! * bank[k * M + m]!;
        else e += power[m]!;
        const off = a.offsets[a.offsets.length === 1 ? 0 : m]!;
        acc[r * M + m] = e <= 0 ? a.floor : Math.max(log2Q16(e) + off, a.floor);
      }
    }
    const y = makeTensor(outDtype(a), [...re.shape.slice(0, -1), M]);
    const yd = y.data as NumericArray;
    requantizeChannels(acc, yd, 1, 1, acc.length, rq);
    // Without a floor the log of zero is -infinity: the lowest output.
    if (a.floor === NO_FLOOR) for (let i = 0; i < acc.length; i++) if (acc[i] === NO_FLOOR) yd[i] = rq.qmin;
    return [y];
  },
  toOnnx: qlogEnergyToOnnx,
});

/** Largest |q - zp| over the zero points given, for the type's range. */
function maxCentred(dt: "i8" | "u8" | "i16" | string, ...zps: number[]): number {
  const [lo, hi] = intRange(dt as "i8");
  return Math.max(...zps.map((z) => Math.max(hi - z, z - lo)));
}
