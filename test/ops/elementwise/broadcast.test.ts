// The broadcast planner and walkers of ir/kernels/elementwise.ts: the merge of dims that
// makes the fast paths, and random shapes checked against a naive index-by-index broadcast.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastShapes } from "../../../ir/shape-util.js";
import { stridesOf } from "../../../ir/types.js";
import { planBroadcast } from "../../../ir/kernels/elementwise.js";
import { nums, run, t } from "./helpers.js";

describe("planBroadcast", () => {
  it("turns equal shapes into one contiguous row", () => {
    expect(planBroadcast([2, 3, 4], [[2, 3, 4], [2, 3, 4]])).toEqual({ dims: [24], strides: [[1], [1]], size: 24 });
  });
  it("turns a scalar operand into one row with step 0", () => {
    expect(planBroadcast([2, 3, 4], [[2, 3, 4], []])).toEqual({ dims: [24], strides: [[1], [0]], size: 24 });
    expect(planBroadcast([2, 3, 4], [[1, 1, 1], [2, 3, 4]])).toEqual({ dims: [24], strides: [[0], [1]], size: 24 });
  });
  it("turns a channel bias into rows of T with the bias held", () => {
    expect(planBroadcast([1, 8, 100], [[1, 8, 100], [8, 1]])).toEqual({ dims: [8, 100], strides: [[100, 1], [1, 0]], size: 800 });
    expect(planBroadcast([1, 8, 100], [[1, 8, 100], [1, 8, 1]]).dims).toEqual([8, 100]);
  });
  it("merges a trailing vector broadcast over the leading dims", () => {
    expect(planBroadcast([2, 5, 8], [[2, 5, 8], [8]])).toEqual({ dims: [10, 8], strides: [[8, 1], [0, 1]], size: 80 });
  });
  it("handles empty tensors and rank 0", () => {
    expect(planBroadcast([], [[], []])).toEqual({ dims: [], strides: [[], []], size: 1 });
    expect(planBroadcast([0, 3], [[0, 3], [3]]).size).toBe(0);
    expect(run("Add", [t("f32", [0, 3], []), t("f32", [3], [1, 2, 3])]).shape).toEqual([0, 3]);
  });
});

/** Element k of operand x (shape s) for output index i of a broadcast to `out`. */
function naiveIndex(i: number, s: number[], out: number[]): number {
  const so = stridesOf(out), ss = stridesOf(s);
  let k = 0;
  for (let d = 0; d < out.length; d++) {
    const c = Math.floor(i / so[d]!) % out[d]!;
    const e = d - (out.length - s.length);
    if (e >= 0 && s[e] !== 1) k += c * ss[e]!;
  }
  return k;
}

/** Two shapes that broadcast together: a common shape with some dims set to 1 or dropped. */
const shapePair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 5 })
  .chain((base) =>
    fc.tuple(
      ...[0, 1].map(() =>
        fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length })).map(([drop, ones]) =>
          base.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
        ),
      ),
    ),
  );

describe("broadcast kernels match a naive broadcast", () => {
  it("for Sub, Where and Max on random shapes and dtypes", () => {
    fc.assert(
      fc.property(shapePair, fc.constantFrom("f32", "f64", "i32", "i64", "f16", "u8"), ([sa, sb], dt) => {
        const out = broadcastShapes(sa, sb);
        const n = (s: number[]) => s.reduce((x, y) => x * y, 1);
        const av = Array.from({ length: n(sa) }, (_, i) => (i * 7) % 11);
        const bv = Array.from({ length: n(sb) }, (_, i) => (i * 5) % 13);
        const a = t(dt as "f32", sa, av), b = t(dt as "f32", sb, bv);
        const N = n(out);
        const sub = nums(run("Sub", [a, b]));
        const max = nums(run("Max", [a, b]));
        const cond = t("bool", sb, bv.map((v) => v % 2));
        const where = nums(run("Where", [cond, a, t(dt as "f32", [], [100])]));
        for (let i = 0; i < N; i++) {
          const x = av[naiveIndex(i, sa, out)]!, y = bv[naiveIndex(i, sb, out)]!;
          const diff = dt === "u8" ? (x - y + 256) % 256 : x - y;
          if (sub[i] !== diff || max[i] !== Math.max(x, y)) return false;
          if (where[i] !== (y % 2 ? x : 100)) return false;
        }
        return run("Sub", [a, b]).shape.join() === out.join();
      }),
      { numRuns: 150 },
    );
  });
});
