// N-D pooling in C (codegen/kernels/pool.ts, GlobalMaxPool in reduce.ts) against the interpreter
// on every float rig: 3-D AveragePool and MaxPool with strides, dilations, pads, ceil_mode and
// count_include_pad (the ceil_mode overhang that the divisor must not count), MaxPool's Indices
// output in both storage orders (1-D to 3-D, a window entirely in the padding), and
// GlobalMaxPool over 1 to 3 spatial dims; symbolic T in the last dim.
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, itOnRigs } from "./helpers.js";

const g = parseGraph(`graph @g(%a: f32[1,2,6,5,T], %b: f32[2,1,T], %c: f32[1,3,4,T]) -> (%a1, %a2, %a3, %m1, %i1, %m2, %i2, %m3, %i3, %m4, %i4, %g1, %g2, %g3) {
  %a1 = AveragePool(%a) {kernel_shape=[2, 2, 2]}
  %a2 = AveragePool(%a) {kernel_shape=[3, 2, 3], strides=[2, 3, 2], dilations=[2, 1, 2], ceil_mode=1, count_include_pad=1}
  %a3 = AveragePool(%a) {kernel_shape=[2, 3, 2], strides=[3, 1, 2], pads=[1, 1, 0, 1, 2, 0], ceil_mode=1, count_include_pad=1}
  %m1, %i1 = MaxPool(%a) {kernel_shape=[2, 3, 2], strides=[2, 2, 1], dilations=[1, 2, 1], pads=[1, 0, 1, 1, 1, 0]}
  %m2, %i2 = MaxPool(%a) {kernel_shape=[2, 2, 2], strides=[2, 2, 2], ceil_mode=1, storage_order=1}
  %m3, %i3 = MaxPool(%b) {kernel_shape=[4], pads=[3, 3]}
  %m4, %i4 = MaxPool(%c) {kernel_shape=[3, 2], strides=[1, 2], pads=[1, 0, 1, 1], storage_order=1}
  %g1 = GlobalMaxPool(%a)
  %g2 = GlobalMaxPool(%b)
  %g3 = GlobalMaxPool(%c)
}`);

const rng = new Rng(61);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });
const sets = [7, 12].map((T) => ({ a: rand([1, 2, 6, 5, T]), b: rand([2, 1, T]), c: rand([1, 3, 4, T]) }));

describe("N-D pooling, MaxPool indices and GlobalMaxPool in C", () => {
  itOnRigs(ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod"), (target, rig) => {
    checkGraph(g, target, rig, sets, { maxDims: { T: 12 }, tol: 1e-6 });
  });
});
