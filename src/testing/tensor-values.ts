// What values a generated tensor holds, shared by the fast-check tensor arbitrary and the
// seeded input generator: the value kinds, the edge values of each dtype, and storage.
//
// "normal" values are moderate and finite (floats in [-2, 2], integers over the type's whole
// range), safe for tolerance checks of nonlinear graphs. "edge" mixes in the values that break
// kernels and passes: zeros, -0, denormals, the smallest normal, large magnitudes and the
// largest finite value for floats (NaN and ±inf only with `nonFinite`); the extremes and their
// neighbours for integers. { min, max } is a uniform range (clamped to an integer type's range).
import { intRange, isBig, isFloat, type DType } from "../../ir/dtype.js";
import { FLOAT8_FORMATS, float8Values, storeReals, type Float8Format } from "../../ir/float-formats.js";
import { makeTensor, type Tensor } from "../../ir/types.js";

export type TensorValues = "normal" | "edge" | { readonly min: number; readonly max: number };

export interface ValueOptions {
  /** Kind of values (default "normal"). */
  readonly values?: TensorValues;
  /** With "edge" floats: also NaN, +inf and -inf (default false). */
  readonly nonFinite?: boolean;
}

/** Half-width of the "normal" float range. */
export const NORMAL_FLOAT_RANGE = 2;
/** Share of elements taken from the edge list with values "edge". */
export const EDGE_SHARE = 0.3;

const F32_MIN_DENORMAL = 1.401298464324817e-45;
const F32_MAX_DENORMAL = 1.1754942106924411e-38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;
const F32_MAX = 3.4028234663852886e38;

const FLOAT_EDGES: Partial<Record<DType, readonly number[]>> = {
  f32: [0, -0, F32_MIN_DENORMAL, -F32_MIN_DENORMAL, F32_MAX_DENORMAL, F32_MIN_NORMAL, -F32_MIN_NORMAL, 1, -1, 65504, -1e4, 1e30, -1e30, F32_MAX, -F32_MAX],
  f64: [0, -0, 5e-324, -5e-324, 2.225073858507201e-308, 2.2250738585072014e-308, 1, -1, 1e4, 1e30, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE],
  f16: [0, -0, 5.960464477539063e-8, -5.960464477539063e-8, 6.097555160522461e-5, 6.103515625e-5, 1, -1, 1024, 65504, -65504],
  bf16: [0, -0, 9.183549615799121e-41, -9.183549615799121e-41, F32_MIN_NORMAL, 1, -1, 1e30, 3.3895313892515355e38, -3.3895313892515355e38],
};

/** Edge values of a float dtype, as reals exactly representable in it. */
export function floatEdges(dt: DType, nonFinite = false): readonly number[] {
  let edges = FLOAT_EDGES[dt];
  if (!edges && (FLOAT8_FORMATS as readonly string[]).includes(dt)) edges = float8Edges(dt as Float8Format);
  if (!edges) throw new Error(`no edge values for ${dt}`);
  return nonFinite ? [...edges, NaN, Infinity, -Infinity] : edges;
}

function float8Edges(format: Float8Format): number[] {
  const finite = [...float8Values(format)].filter(Number.isFinite);
  const positive = finite.filter((x) => x > 0);
  const small = Math.min(...positive), big = Math.max(...positive);
  // The fnuz formats have no -0: storing it gives +0, which is still a useful zero.
  return [0, -0, small, -small, 1, -1, big, -big];
}

/** Edge values of an integer dtype of up to 32 bits (bool: 0 and 1). */
export function intEdges(dt: DType): readonly number[] {
  const [lo, hi] = intRange(dt);
  const all = [lo, lo + 1, -1, 0, 1, hi - 1, hi];
  return [...new Set(all.filter((x) => x >= lo && x <= hi))];
}

const BIG_RANGE: Partial<Record<DType, [bigint, bigint]>> = {
  i64: [-(1n << 63n), (1n << 63n) - 1n],
  u64: [0n, (1n << 64n) - 1n],
};

/** Edge values of i64/u64, exact. */
export function bigEdges(dt: DType): readonly bigint[] {
  const [lo, hi] = BIG_RANGE[dt]!;
  return [...new Set([lo, lo + 1n, -1n, 0n, 1n, hi - 1n, hi].filter((x) => x >= lo && x <= hi))];
}

/** Inclusive range of i64/u64 values for a value kind. */
export function bigBounds(dt: DType, values: TensorValues): [bigint, bigint] {
  const [lo, hi] = BIG_RANGE[dt]!;
  if (typeof values !== "object") return [lo, hi];
  const a = BigInt(Math.ceil(values.min)), b = BigInt(Math.floor(values.max));
  const from = a > lo ? a : lo, to = b < hi ? b : hi;
  if (from > to) throw new Error(`value range [${values.min}, ${values.max}] holds no ${dt} value`);
  return [from, to];
}

/** Inclusive integer range for a dtype (up to 32 bits, or bool) and a value kind. */
export function intBounds(dt: DType, values: TensorValues): [number, number] {
  const [lo, hi] = intRange(dt);
  if (typeof values === "object") {
    const a = Math.max(lo, Math.ceil(values.min)), b = Math.min(hi, Math.floor(values.max));
    if (a > b) throw new Error(`value range [${values.min}, ${values.max}] holds no ${dt} value`);
    return [a, b];
  }
  return [lo, hi];
}

/** Checks a dtype can be generated and a range is sound; returns whether it is a float. */
export function checkValueSpec(dt: DType, values: TensorValues): boolean {
  if (dt === "string") throw new Error("tensors of strings are not generated with value options (use arbAnyTensor)");
  if (typeof values === "object" && !(values.min <= values.max)) {
    throw new Error(`value range [${values.min}, ${values.max}] is empty`);
  }
  return isFloat(dt);
}

/** A tensor of dtype dt holding the given values (reals, or bigints for i64/u64). */
export function storeValues(dt: DType, shape: readonly number[], values: readonly (number | bigint)[]): Tensor {
  const t = makeTensor(dt, shape);
  if (isBig(dt)) {
    const d = t.data as BigInt64Array;
    for (let i = 0; i < values.length; i++) d[i] = BigInt(values[i]!);
  } else {
    storeReals(dt, values as readonly number[], t.data);
  }
  return t;
}
