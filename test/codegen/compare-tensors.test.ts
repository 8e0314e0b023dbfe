// compareTensors (codegen/build.ts), the measure `neonc check` prints for every output: float
// outputs by their largest absolute and relative difference, and 64-bit integer outputs (the ids
// of an ArgMax, a CTC greedy decoder's output) exactly, as bigints, where they once threw.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareTensors } from "../../codegen/build.js";
import { makeTensor } from "../../ir/types.js";

describe("compareTensors", () => {
  it("measures int64 outputs exactly: 0 when equal, the largest |difference| otherwise", () => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), { minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: -5, max: 5 }), (vals, at, delta) => {
      const ref = makeTensor("i64", [vals.length], BigInt64Array.from(vals));
      expect(compareTensors(makeTensor("i64", [vals.length], BigInt64Array.from(vals)), ref).maxAbs).toBe(0);
      const got = BigInt64Array.from(vals);
      got[at % vals.length] = got[at % vals.length]! + BigInt(delta);
      const c = compareTensors(makeTensor("i64", [vals.length], got), ref);
      expect(c.maxAbs).toBe(Math.abs(delta));
      expect(c.maxRef).toBe(Math.max(...vals.map((v) => Math.abs(Number(v)))));
    }));
  });

  it("measures float outputs by the largest difference over the largest reference magnitude", () => {
    const c = compareTensors(makeTensor("f32", [3], Float32Array.from([1, 2.5, -4])), makeTensor("f32", [3], Float32Array.from([1, 2, -4])));
    expect(c).toEqual({ maxAbs: 0.5, maxRef: 4, rel: 0.125 });
    expect(compareTensors(makeTensor("f32", [1], Float32Array.from([NaN])), makeTensor("f32", [1], Float32Array.from([1]))).maxAbs).toBe(Infinity);
  });
});
