// compareTensors (codegen/build.ts), the comparison `neonc check` and the C tests make: float and
// 32-bit outputs as before, 64-bit integer outputs (an ArgMax's int64 indices, held as bigints)
// compared as numbers instead of failing with a TypeError.
import { describe, expect, it } from "vitest";
import { compareTensors } from "../../codegen/build.js";
import { fromNumbers } from "../../ir/types.js";

describe("compareTensors", () => {
  it("compares int64 outputs as numbers", () => {
    const ref = fromNumbers("i64", [4], [3, 25, 0, 7]);
    expect(compareTensors(fromNumbers("i64", [4], [3, 25, 0, 7]), ref)).toEqual({ maxAbs: 0, maxRef: 25, rel: 0 });
    expect(compareTensors(fromNumbers("i64", [4], [3, 24, 0, 7]), ref)).toEqual({ maxAbs: 1, maxRef: 25, rel: 1 / 25 });
  });
  it("keeps the float comparison: a NaN is an infinite error", () => {
    const ref = fromNumbers("f32", [2], [1, -2]);
    expect(compareTensors(fromNumbers("f32", [2], [1, -1.5]), ref)).toEqual({ maxAbs: 0.5, maxRef: 2, rel: 0.25 });
    expect(compareTensors(fromNumbers("f32", [2], [Number.NaN, -2]), ref).maxAbs).toBe(Infinity);
  });
});
