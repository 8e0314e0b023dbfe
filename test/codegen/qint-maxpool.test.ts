// MaxPool on 8- and 16-bit integers in C (codegen/kernels/pool.ts): quantize keeps int8 data
// through it (the op's int8PassThrough trait), so its kernel must take int8 and uint8 (the op's integer types) —
// 1-D and 2-D, strides, dilations, pads, ceil_mode — byte for byte against the interpreter on
// every rig, and without float.
import { describe, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import "../../ir/ops/index.js";
import { Rng } from "../../src/testing/index.js";
import { ALL_RIGS, checkBitExact, expectNoFloat, itOnRigs } from "./helpers.js";

const g = parseGraph(`graph @g(%q: i8[1,3,T], %u: u8[1,2,T], %h: u8[2,2,T], %i: i8[1,2,5,T]) -> (%a, %b, %c, %d, %e) {
  %a = MaxPool(%q) {kernel_shape=[3], strides=[2], pads=[1, 1]}
  %b = MaxPool(%u) {kernel_shape=[2], dilations=[2], pads=[0, 2], ceil_mode=1}
  %c = MaxPool(%h) {kernel_shape=[4], pads=[3, 3]}
  %d = MaxPool(%i) {kernel_shape=[2, 3], strides=[2, 1], pads=[1, 0, 0, 2]}
  %e = MaxPool(%q) {kernel_shape=[1]}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = new Rng(seed);
  const ints = (dt: "i8" | "u8", shape: number[], lo: number, hi: number) =>
    fromNumbers(dt, shape, Array.from({ length: numel(shape) }, () => r.int(lo, hi)));
  return { q: ints("i8", [1, 3, T], -128, 127), u: ints("u8", [1, 2, T], 0, 255), h: ints("u8", [2, 2, T], 0, 255), i: ints("i8", [1, 2, 5, T], -128, 127) };
}
const SETS = [inputs(29, 1), inputs(4, 2)];

describe("integer MaxPool matches the interpreter bit for bit", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { maxDims: { T: 32 } }));
  it("has no floating point in its C", () => expectNoFloat(g, ["c99", "aarch64", "armv7"], { T: 32 }));
});
