// The index-map kernel behind Slice/Pad/Tile/Expand/Gather against a naive element-by-element
// version, on random maps mixing runs, fills, repeats and scattered indices, for every storage
// kind (typed arrays, bigints, strings).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DType } from "../../../ir/dtype.js";
import { makeTensor, numel, stridesOf, type Tensor } from "../../../ir/types.js";
import { remapAxes } from "../../../ir/kernels/copy-remap.js";
import { storedValue, type Elem } from "../../../ir/kernels/copy.js";
import { transpose } from "../../../ir/kernels/transpose.js";

function filled(dtype: DType, shape: number[]): Tensor {
  const x = makeTensor(dtype, shape);
  for (let i = 0; i < x.data.length; i++) (x.data as Elem[])[i] = dtype === "string" ? `s${i}` : dtype === "i64" ? BigInt(i * 3 - 7) : i + 1;
  return x;
}

function naiveRemap(x: Tensor, outShape: number[], maps: Int32Array[], fill: Elem): Elem[] {
  const n = numel(outShape);
  const inS = stridesOf(x.shape);
  const outS = stridesOf(outShape);
  const out: Elem[] = [];
  for (let o = 0; o < n; o++) {
    let off = 0;
    let hole = false;
    for (let k = 0; k < outShape.length; k++) {
      const i = maps[k]![Math.floor(o / outS[k]!) % outShape[k]!]!;
      if (i < 0) hole = true;
      off += i * inS[k]!;
    }
    out.push(hole ? fill : (x.data as Elem[])[off]!);
  }
  return out;
}

/** A map over an axis of size d mixing the segment kinds the kernel distinguishes. */
const axisMap = (d: number) => fc.array(fc.oneof(
  fc.record({ kind: fc.constant("run"), start: fc.nat(Math.max(0, d - 1)), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant("fill"), start: fc.constant(0), len: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant("repeat"), start: fc.nat(Math.max(0, d - 1)), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant("one"), start: fc.nat(Math.max(0, d - 1)), len: fc.constant(1) }),
), { minLength: 1, maxLength: 5 }).map((parts) => {
  const out: number[] = [];
  for (const p of parts) {
    for (let j = 0; j < p.len; j++) {
      if (p.kind === "fill") out.push(-1);
      else if (p.kind === "repeat" || p.kind === "one") out.push(p.start);
      else out.push(Math.min(p.start + j, d - 1));
    }
  }
  return Int32Array.from(out);
});

describe("remapAxes", () => {
  it("matches a naive gather on random maps and dtypes", () => {
    const arb = fc.tuple(fc.array(fc.integer({ min: 1, max: 14 }), { minLength: 1, maxLength: 3 }), fc.constantFrom<DType>("f32", "i64", "string", "u8"))
      .chain(([shape, dtype]) => fc.tuple(fc.constant(shape), fc.constant(dtype), fc.tuple(...shape.map(axisMap))));
    fc.assert(fc.property(arb, ([shape, dtype, maps]) => {
      const x = filled(dtype, shape);
      const outShape = maps.map((m) => m.length);
      const fill = storedValue(dtype, dtype === "string" ? 0 : 9);
      const got = remapAxes(x, outShape, maps, fill);
      expect(Array.from(got.data as ArrayLike<Elem>)).toEqual(naiveRemap(x, outShape, maps, fill));
    }), { numRuns: 150 });
  });
});

describe("transpose", () => {
  it("matches the index definition out[i_perm] = x[i] on random shapes and permutations", () => {
    const arb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 })
      .chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length })));
    fc.assert(fc.property(arb, ([shape, perm]) => {
      const x = filled("f32", shape);
      const y = transpose(x, perm);
      const outShape = perm.map((p) => shape[p]!);
      const inS = stridesOf(shape);
      const outS = stridesOf(outShape);
      for (let o = 0; o < y.data.length; o++) {
        let off = 0;
        perm.forEach((p, k) => (off += (Math.floor(o / outS[k]!) % outShape[k]!) * inS[p]!));
        if (y.data[o] !== x.data[off]) return false;
      }
      return true;
    }), { numRuns: 150 });
  });
});
