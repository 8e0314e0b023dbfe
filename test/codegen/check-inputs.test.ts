// What `neonc check` makes and compares without input files (codegen/check.ts randomInputs,
// codegen/build.ts compareTensors): random inputs for every dtype but string (floats in [-1, 1),
// integers in [1, the largest symbolic dim] capped by the type, bool 0/1), the same for the same
// seed; and differences over the real values of any dtype, 64-bit integers subtracted exactly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DType } from "../../ir/dtype.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, makeTensor } from "../../ir/types.js";
import { tensorFromF64, tensorToF64 } from "../../ir/float-formats.js";
import { randomInputs } from "../../codegen/check.js";
import { compareTensors } from "../../codegen/build.js";

const DTYPES: readonly DType[] = ["f32", "f64", "f16", "bf16", "f8e4m3fn", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "bool"];
const CAP: Partial<Record<DType, number>> = { i8: 127, u8: 255, i16: 32767, u16: 65535 };

describe("check's random inputs", () => {
  it("cover every dtype in its range, with every symbolic dim at its given value, the same for the same seed", () => {
    fc.assert(fc.property(
      fc.constantFrom(...DTYPES), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }),
      (dt, T, C, seed) => {
        const g = parseGraph(`graph @g(%x: ${dt}[${C},T]) -> (%x) {\n}`);
        const x = randomInputs(g, { T }, seed).x!;
        expect(x.dtype).toBe(dt);
        expect(x.shape).toEqual([C, T]);
        const v = tensorToF64(x);
        const [lo, hi] = dt === "bool" ? [0, 1] : dt.startsWith("f") || dt === "bf16" ? [-1, 1] : [1, Math.min(T, CAP[dt] ?? T)];
        for (const e of v) {
          expect(e).toBeGreaterThanOrEqual(lo);
          expect(e).toBeLessThanOrEqual(hi);
          if (!(dt.startsWith("f") || dt === "bf16")) expect(Number.isInteger(e)).toBe(true);
        }
        expect(randomInputs(g, { T }, seed).x!.data).toEqual(x.data);
      }), { seed: 3, numRuns: 60 });
  });

  it("keep float32 inputs as they were: seeded uniform [-1, 1)", () => {
    const g = parseGraph(`graph @g(%x: f32[4]) -> (%x) {\n}`);
    let state = 12345;
    const want = Array.from({ length: 4 }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return Math.fround(((state >>> 8) / (1 << 24)) * 2 - 1);
    });
    expect(Array.from(randomInputs(g, {}).x!.data as Float32Array)).toEqual(want);
  });

  it("are not made for strings, in one sentence naming the input", () => {
    const g = parseGraph(`graph @g(%s: string[2]) -> (%s) {\n}`);
    expect(() => randomInputs(g, {})).toThrow(/^input s is a string tensor; random inputs are not made for strings \(give input files\)$/);
  });
});

describe("check's comparison", () => {
  it("subtracts 64-bit integers exactly and decodes packed floats", () => {
    const big = (v: bigint[]) => makeTensor("i64", [v.length], BigInt64Array.from(v));
    expect(compareTensors(big([2n ** 62n + 1n, -3n]), big([2n ** 62n, -3n]))).toMatchObject({ maxAbs: 1, maxRef: 2 ** 62 });
    const h = (v: number[]) => tensorFromF64("f16", [v.length], v);
    expect(compareTensors(h([1, 2.5]), h([1, 2]))).toEqual({ maxAbs: 0.5, maxRef: 2, rel: 0.25 });
    expect(compareTensors(fromNumbers("u8", [2], [7, 200]), fromNumbers("u8", [2], [7, 201]))).toMatchObject({ maxAbs: 1, maxRef: 201 });
    expect(compareTensors(fromNumbers("f32", [1], [NaN]), fromNumbers("f32", [1], [1])).maxAbs).toBe(Infinity);
  });
});
