// The C kernels of ReduceSum, ReduceSumSquare, ReduceMax and ReduceMin (codegen/kernels/reduce.ts)
// over the last axis, the channel axis, trailing axes and every axis, keepdims or not, against the
// interpreter on every rig: Max and Min byte for byte, the sums within 1e-6 of the largest output.
// Other axes, dtypes and the other reductions: reduce-any.test.ts.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, itOnRigs } from "./helpers.js";

const randomF32 = (r: Rng, shape: number[], lo = -1, hi = 1): Tensor => seededTensor(r, "f32", shape, { values: { min: lo, max: hi } });

const rng = new Rng(5150);

const g = parseGraph(`graph @red(%x: f32[2,5,T]) -> (%s_last, %s_chan, %ss_tail, %mx_all, %mn_chan, %mx_last) {
  %s_last = ReduceSum(%x) {axes=[-1]}
  %s_chan = ReduceSum(%x) {axes=[1], keepdims=0}
  %ss_tail = ReduceSumSquare(%x) {axes=[1,2]}
  %mx_all = ReduceMax(%x)
  %mn_chan = ReduceMin(%x) {axes=[1]}
  %mx_last = ReduceMax(%x) {axes=[2], keepdims=0}
}`);

const sets: Record<string, Tensor>[] = [3, 8].map((T) => ({ x: randomF32(rng, [2, 5, T], -3, 3) }));

describe("ReduceSum, ReduceSumSquare, ReduceMax, ReduceMin in C", () => {
  itOnRigs(ALL_RIGS, (target, rig) => {
    const r = checkGraph(g, target, rig, sets, { maxDims: { T: 8 }, tol: 1e-6 });
    expect(r.worst).toBeLessThanOrEqual(1e-6);
  });
});
