// 3-D convolutions in C (ConvIm2col with im2col loops generated for the rank,
// codegen/kernels/conv-im2col.ts) against the interpreter on every rig: grouped, strided, dilated,
// asymmetric pads, bias and a fused Relu, auto_pad SAME on static lengths, a symbolic last
// length; and that the lower stage picks ConvIm2col for them (the other algorithms are 1-D/2-D).
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { runPass } from "../../passes/pass.js";
import { lower } from "../../passes/lower/index.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const rng = new Rng(33);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });

const g = parseGraph(`graph @g(%x: f32[2,4,5,6,T]) -> (%a, %b, %c) {
${constLine("w1", rand([6, 2, 3, 2, 3]))}
${constLine("b1", rand([6]))}
${constLine("w2", rand([3, 4, 1, 3, 2]))}
${constLine("w3", rand([4, 1, 3, 3, 3]))}
  %a = Conv(%x, %w1, %b1) {group=2, kernel_shape=[3, 2, 3], strides=[2, 1, 2], dilations=[1, 2, 1], pads=[1, 0, 2, 0, 1, 1], activation="Relu"}
  %b = Conv(%x, %w2) {kernel_shape=[1, 3, 2], auto_pad="SAME_UPPER"}
  %c = Conv(%x, %w3) {group=4, kernel_shape=[3, 3, 3], pads=[1, 1, 1, 1, 1, 1]}
}`);
const SETS = [{ x: rand([2, 4, 5, 6, 7]) }, { x: rand([2, 4, 5, 6, 3]) }];

describe("3-D Conv in C", () => {
  it("is lowered to ConvIm2col", () => {
    const lowered = runPass(g, lower, {}, { target: getTarget("c99") });
    expect(lowered.nodes.map((n) => n.op)).toEqual(["ConvIm2col", "ConvIm2col", "ConvIm2col"]);
  });
  itOnRigs(ALL_RIGS, (target, rig) => {
    checkGraph(g, target, rig, SETS, { maxDims: { T: 7 } });
  });
});
