// Tensors of every dtype for torture tests of printers, parsers and exporters: NaN (with
// payloads), ±inf, -0, denormals, integer extremes, and odd strings. For numeric property tests
// of kernels and passes, use arbTensor with options (tensor-arb.ts), which keeps values usable.
import fc from "fast-check";
import { DTYPES, intRange, isBig, isPackedFloat, type DType } from "../../ir/dtype.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { Rng } from "./rng.js";

const F32_EDGES = [NaN, -0, 0, Infinity, -Infinity, 1.4e-45, -1e-40, 1.1754943508222875e-38, 3.4028234663852886e38, 1, -1, 0.1];
const F64_EDGES = [NaN, -0, 0, Infinity, -Infinity, 5e-324, -2.2250738585072014e-308, Number.MAX_VALUE, 0.1, 1 / 3, -1];
const STRINGS = ["", "a", 'say "hi"', "back\\slash", "new\nline", "tab\t", "ωμέγα", "\u0000", "emoji 😀", "\ud800", "//not a comment"];

/** Fills a tensor of the given dtype and static shape with random values and edge cases. */
export function randomTensor(rng: Rng, dtype: DType, shape: readonly number[]): Tensor {
  const t = makeTensor(dtype, shape);
  const d = t.data;
  const n = d.length;
  if (dtype === "string") {
    for (let i = 0; i < n; i++) (d as string[])[i] = rng.pick(STRINGS);
  } else if (dtype === "f32" || dtype === "f64") {
    const edges = dtype === "f32" ? F32_EDGES : F64_EDGES;
    for (let i = 0; i < n; i++) (d as Float64Array)[i] = rng.chance(0.3) ? rng.pick(edges) : (rng.next() - 0.5) * 4;
    // Now and then a NaN with a payload, which only the byte form keeps.
    if (dtype === "f32" && n > 0 && rng.chance(0.05)) new Uint32Array((d as Float32Array).buffer)[rng.int(0, n - 1)] = 0x7fc00001;
  } else if (isPackedFloat(dtype)) {
    const top = dtype === "f16" || dtype === "bf16" ? 0xffff : 0xff;
    for (let i = 0; i < n; i++) (d as Uint16Array)[i] = rng.int(0, top);
  } else if (isBig(dtype)) {
    const edges = dtype === "i64" ? [-(1n << 63n), (1n << 63n) - 1n, 0n, -1n] : [0n, (1n << 64n) - 1n, 1n << 63n];
    for (let i = 0; i < n; i++) {
      const small = BigInt(dtype === "u64" ? rng.int(0, 2e9) : rng.int(-1e9, 1e9));
      (d as BigInt64Array)[i] = rng.chance(0.3) ? rng.pick(edges) : small;
    }
  } else {
    const [lo, hi] = intRange(dtype);
    for (let i = 0; i < n; i++) (d as Int32Array)[i] = rng.chance(0.3) ? rng.pick([lo, hi, 0]) : rng.int(lo, hi);
  }
  return t;
}

/** A random tensor of any of the dtypes with up to 3 dims (sometimes big enough for the byte form). */
export function arbAnyTensor(dtypes: readonly DType[] = DTYPES): fc.Arbitrary<Tensor> {
  return fc
    .record({
      dtype: fc.constantFrom(...dtypes),
      shape: fc.oneof(
        { arbitrary: fc.array(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 6 }, fc.constant(0)), { maxLength: 3 }), weight: 3 },
        fc.constantFrom([17], [5, 5], [2, 3, 4]),
      ),
      seed: fc.integer(),
    })
    .map(({ dtype, shape, seed }) => randomTensor(new Rng(seed), dtype, shape));
}

/** Bit-level description of a tensor, for exact comparisons in tests. */
export function tensorBits(t: Tensor): unknown {
  if (Array.isArray(t.data)) return { dtype: t.dtype, shape: [...t.shape], data: [...t.data] };
  const d = t.data as Exclude<Tensor["data"], string[]>;
  return { dtype: t.dtype, shape: [...t.shape], bytes: Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("hex"), kind: d.constructor.name };
}
