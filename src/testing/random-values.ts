// Seeded tensors with the value kinds of tensor-values.ts, for the data the kit draws outside
// fast-check (graph inputs in checkEquivalent). Same seed, same tensor.
import { isBig, type DType } from "../../ir/dtype.js";
import { numel, type Tensor } from "../../ir/types.js";
import type { Rng } from "./rng.js";
import {
  bigBounds, bigEdges, checkValueSpec, EDGE_SHARE, floatEdges, intBounds, intEdges, NORMAL_FLOAT_RANGE, storeValues, type ValueOptions,
} from "./tensor-values.js";

/** A tensor of the given dtype and static shape filled from rng. */
export function seededTensor(rng: Rng, dtype: DType, shape: readonly number[], options: ValueOptions = {}): Tensor {
  const values = options.values ?? "normal";
  const float = checkValueSpec(dtype, values);
  const n = numel(shape);
  const out = new Array<number | bigint>(n);
  const edge = values === "edge";
  if (isBig(dtype)) {
    const [lo, hi] = bigBounds(dtype, values);
    const edges = bigEdges(dtype);
    for (let i = 0; i < n; i++) out[i] = edge && rng.chance(EDGE_SHARE) ? rng.pick(edges) : randomBig(rng, lo, hi);
  } else if (float) {
    const [lo, hi] = typeof values === "object" ? [values.min, values.max] : [-NORMAL_FLOAT_RANGE, NORMAL_FLOAT_RANGE];
    const edges = edge ? floatEdges(dtype, options.nonFinite) : [];
    for (let i = 0; i < n; i++) out[i] = edge && rng.chance(EDGE_SHARE) ? rng.pick(edges) : rng.uniform(lo, hi);
  } else {
    const [lo, hi] = intBounds(dtype, values);
    const edges = intEdges(dtype);
    for (let i = 0; i < n; i++) out[i] = edge && rng.chance(EDGE_SHARE) ? rng.pick(edges) : rng.int(lo, hi);
  }
  return storeValues(dtype, shape, out);
}

/** Uniform bigint in [lo, hi] (80 random bits, so even 64-bit ranges come out close to uniform). */
function randomBig(rng: Rng, lo: bigint, hi: bigint): bigint {
  const span = hi - lo + 1n;
  let r = 0n;
  for (let k = 0; k < 5; k++) r = (r << 16n) | BigInt(rng.int(0, 0xffff));
  return lo + (r % span);
}
