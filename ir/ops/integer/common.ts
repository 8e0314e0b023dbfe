// Shared pieces of the integer op family: the requantization attributes every int8-producing
// op carries, their validation, and small type checks.
//
// The rounding of every requantization is an attribute (`rounding`), never a property of a
// kernel. Scales live in the value types (`quant` annotations set by the quantize pass); the
// kernels only ever see the integer multiplier/shift pairs, zero points and clamp bounds.
import { intRange, type DType } from "../../dtype.js";
import { isRounding, ROUNDINGS, type Rounding } from "../../fixed-point.js";
import { int, ints, str } from "../../op.js";
import type { Tensor, TensorType } from "../../types.js";
import type { RequantParams } from "../../kernels/integer-requant.js";

export const ACTIVATION_DTYPES: readonly DType[] = ["i8", "u8", "i16"];

/** Attributes of an op that requantizes its int32 accumulators to `out_dtype`. */
export const requantAttrs = {
  /** Fixed-point multipliers in [2^30, 2^31) (or 0): one, or one per output channel. */
  multiplier: ints([]),
  /** Exponents: real multiplier = multiplier * 2^(shift - 31). */
  shift: ints([]),
  rounding: str("gemmlowp"),
  y_zero_point: int(0),
  /** Clamp bounds (a fused Relu/Clip); default: the whole range of out_dtype. */
  qmin: int(),
  qmax: int(),
  out_dtype: str("i8"),
};

export interface RequantAttrValues {
  readonly multiplier: readonly number[];
  readonly shift: readonly number[];
  readonly rounding: string;
  readonly y_zero_point: number;
  readonly qmin: number | undefined;
  readonly qmax: number | undefined;
  readonly out_dtype: string;
}

export function outDtype(a: { readonly out_dtype: string }): DType {
  const dt = a.out_dtype;
  if (!(ACTIVATION_DTYPES as readonly string[]).includes(dt)) throw new Error(`out_dtype must be one of ${ACTIVATION_DTYPES.join(", ")}, got ${dt}`);
  return dt as DType;
}

export function checkRounding(r: string): Rounding {
  if (!isRounding(r)) throw new Error(`rounding must be one of ${ROUNDINGS.join(", ")}, got "${r}"`);
  return r;
}

/** Validates the requantization attributes for `channels` output channels (undefined: not known statically). */
export function requantParams(a: RequantAttrValues, channels: number | undefined): RequantParams {
  const dt = outDtype(a);
  const [lo, hi] = intRange(dt);
  const n = a.multiplier.length;
  if (n === 0) throw new Error("multiplier is required");
  if (a.shift.length !== n) throw new Error(`multiplier has ${n} values but shift has ${a.shift.length}`);
  if (n !== 1 && channels !== undefined && n !== channels) throw new Error(`multiplier has ${n} values, expected 1 or ${channels} (one per output channel)`);
  for (let i = 0; i < n; i++) {
    const m = a.multiplier[i]!, s = a.shift[i]!;
    if (m !== 0 && (!Number.isInteger(m) || m < 2 ** 30 || m >= 2 ** 31)) throw new Error(`multiplier ${m} is outside [2^30, 2^31)`);
    if (!Number.isInteger(s) || s < -31 || s > 30) throw new Error(`shift ${s} is outside [-31, 30]`);
  }
  const qmin = a.qmin ?? lo, qmax = a.qmax ?? hi;
  if (qmin < lo || qmax > hi || qmin > qmax) throw new Error(`clamp [${qmin}, ${qmax}] is not a range inside ${dt} [${lo}, ${hi}]`);
  const zp = a.y_zero_point;
  if (!Number.isInteger(zp) || zp < lo || zp > hi) throw new Error(`y_zero_point ${zp} is outside the range of ${dt}`);
  return { multiplier: a.multiplier, shift: a.shift, rounding: checkRounding(a.rounding), zeroPoint: zp, qmin, qmax };
}

export function need<T>(t: T | undefined, name: string): T {
  if (!t) throw new Error(`input ${name} is missing`);
  return t;
}

export function expectDtype(t: TensorType | Tensor, allowed: readonly DType[], name: string): void {
  if (!allowed.includes(t.dtype)) throw new Error(`${name} must be ${allowed.join(" or ")}, got ${t.dtype}`);
}

export function checkZeroPoint(zp: number, dt: DType, name: string): void {
  const [lo, hi] = intRange(dt);
  if (!Number.isInteger(zp) || zp < lo || zp > hi) throw new Error(`${name} ${zp} is outside the range of ${dt}`);
}

/**
 * The operand rule of the integer products (QConv, QMatMul): x int8/uint8 with its zero point,
 * or int16 (the 16x8 mode, symmetric); w int8 symmetric, or int16 symmetric with int16 x (the
 * 16x16 mode: a spectral transform whose outputs a log energy reads, ir/ops/integer/qlog-energy.ts).
 */
export function checkProductOperands(x: TensorType, w: TensorType, xZeroPoint: number): void {
  expectDtype(x, ["i8", "u8", "i16"], "x");
  expectDtype(w, x.dtype === "i16" ? ["i8", "i16"] : ["i8"], "w");
  checkZeroPoint(xZeroPoint, x.dtype, "x_zero_point");
  if (x.dtype === "i16" && xZeroPoint !== 0) throw new Error("int16 activations are symmetric: x_zero_point must be 0");
}
