// fast-check arbitrary for tensors with a chosen dtype, shape and kind of values.
//
// Elements are drawn one by one from fast-check arbitraries, so a failing tensor shrinks to a
// smaller shape and to values near zero, and prints as a short list. See tensor-values.ts for
// what "normal", "edge" and { min, max } hold.
import fc from "fast-check";
import { isBig, type DType } from "../../ir/dtype.js";
import { numel, type Tensor } from "../../ir/types.js";
import { arbAnyTensor } from "./any-tensor.js";
import {
  bigBounds, bigEdges, checkValueSpec, floatEdges, intBounds, intEdges, NORMAL_FLOAT_RANGE, storeValues, type ValueOptions,
} from "./tensor-values.js";

export interface TensorArbOptions extends ValueOptions {
  /** Element type, or several to choose from (default "f32"). */
  readonly dtype?: DType | readonly DType[];
  /** A fixed shape; otherwise the shape is random within rank / minDim / maxDim. */
  readonly shape?: readonly number[];
  /** Rank, or a range of ranks (default 0 to 3). */
  readonly rank?: number | { readonly min: number; readonly max: number };
  /** Largest dim (default 4). */
  readonly maxDim?: number;
  /** Smallest dim (default 1; 0 allows empty tensors). */
  readonly minDim?: number;
}

/**
 * A random tensor. With options, one of the given dtype(s) and shape, with values of the given
 * kind. Without options (or with a list of dtypes) it is the torture set of any-tensor.ts: every
 * dtype including strings, NaN payloads and infinities, for printers and serializers.
 */
export function arbTensor(options?: TensorArbOptions | readonly DType[]): fc.Arbitrary<Tensor> {
  if (options === undefined || Array.isArray(options)) return arbAnyTensor(options as readonly DType[] | undefined);
  const o = options as TensorArbOptions;
  const dtypes: readonly DType[] = o.dtype === undefined ? ["f32"] : typeof o.dtype === "string" ? [o.dtype] : o.dtype;
  if (dtypes.length === 0) throw new Error("arbTensor: dtype lists no types");
  const perType = dtypes.map((dt) => tensorsOf(dt, arbElement(dt, o), o));
  return perType.length === 1 ? perType[0]! : fc.oneof(...perType);
}

/** Elements drawn beside the shape (and cut to its size) up to this many, so both shrink freely. */
const MAX_UNCHAINED = 1024;

function tensorsOf(dt: DType, element: fc.Arbitrary<number | bigint>, o: TensorArbOptions): fc.Arbitrary<Tensor> {
  if (o.shape) {
    const shape = [...o.shape], n = numel(shape);
    return fc.array(element, { minLength: n, maxLength: n }).map((vals) => storeValues(dt, shape, vals));
  }
  const rank = rankRange(o);
  const most = (o.maxDim ?? 4) ** rank.max;
  if (most <= MAX_UNCHAINED) {
    return fc.record({ shape: arbShape(o), vals: fc.array(element, { minLength: most, maxLength: most }) })
      .map(({ shape, vals }) => storeValues(dt, shape, vals.slice(0, numel(shape))));
  }
  // Too many elements to draw the largest tensor every time: draw the shape, then its elements.
  return arbShape(o).chain((shape) => {
    const n = numel(shape);
    return fc.array(element, { minLength: n, maxLength: n }).map((vals) => storeValues(dt, shape, vals));
  });
}

function rankRange(o: Pick<TensorArbOptions, "rank">): { min: number; max: number } {
  return typeof o.rank === "number" ? { min: o.rank, max: o.rank } : o.rank ?? { min: 0, max: 3 };
}

/** A random shape within the options' rank and dim bounds (or the fixed shape). */
export function arbShape(o: Pick<TensorArbOptions, "shape" | "rank" | "maxDim" | "minDim"> = {}): fc.Arbitrary<number[]> {
  if (o.shape) return fc.constant([...o.shape]);
  const rank = rankRange(o);
  const dim = fc.integer({ min: o.minDim ?? 1, max: o.maxDim ?? 4 });
  return fc.array(dim, { minLength: rank.min, maxLength: rank.max });
}

/** One element of dtype dt with the options' kind of values (a bigint for i64/u64). */
export function arbElement(dt: DType, o: ValueOptions = {}): fc.Arbitrary<number | bigint> {
  const values = o.values ?? "normal";
  const float = checkValueSpec(dt, values);
  const edge = values === "edge";
  let base: fc.Arbitrary<number | bigint>;
  let edges: readonly (number | bigint)[];
  if (isBig(dt)) {
    const [min, max] = bigBounds(dt, values);
    base = fc.bigInt({ min, max });
    edges = bigEdges(dt);
  } else if (float) {
    base = typeof values === "object"
      ? fc.double({ min: values.min, max: values.max, noNaN: true })
      : normalFloat();
    edges = edge ? floatEdges(dt, o.nonFinite) : [];
  } else {
    const [min, max] = intBounds(dt, values);
    base = fc.integer({ min, max });
    edges = intEdges(dt);
  }
  if (!edge) return base;
  return fc.oneof({ arbitrary: base, weight: 7 }, { arbitrary: fc.constantFrom(...edges), weight: 3 });
}

/** Floats in [-2, 2] on a grid of 2^-19, exact in f32 and shrinking towards 0. */
function normalFloat(): fc.Arbitrary<number> {
  const steps = 1 << 19;
  return fc.integer({ min: -NORMAL_FLOAT_RANGE * steps, max: NORMAL_FLOAT_RANGE * steps }).map((i) => i / steps);
}
