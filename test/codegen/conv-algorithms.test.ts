// The float Conv algorithms of the lower stage in C against the interpreter on every rig, in one
// graph per rig: ConvDepthwise (strides 1 and 2, dilated), ConvPointwise (grouped),
// ConvGemmRows (strided, dilated, grouped; auto_pad SAME on a symbolic length and VALID, which
// lower writes as pads) and ConvIm2col (strided, padded 2-D); and auto_pad SAME with a stride on
// a symbolic length, whose pads the C computes from the length at run time (lengths 8, 13, 16
// give both parities of the pad).
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { runPass } from "../../passes/pass.js";
import { lower } from "../../passes/lower/index.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const rng = new Rng(31);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });

const g = parseGraph(`graph @g(%x: f32[1,6,T], %im: f32[1,3,7,T]) -> (%dw1, %dw2, %pw, %rows, %grp, %same, %valid, %img, %sameS, %dwSame) {
${constLine("wd", rand([6, 1, 5]))}
${constLine("bd", rand([6]))}
${constLine("wp", rand([4, 3, 1]))}
${constLine("wr", rand([5, 6, 3]))}
${constLine("wg", rand([4, 3, 2]))}
${constLine("ws", rand([3, 6, 4]))}
${constLine("wi", rand([4, 3, 3, 2]))}
${constLine("bi", rand([4]))}
  %dw1 = Conv(%x, %wd, %bd) {group=6, pads=[2, 2], activation="Relu"}
  %dw2 = Conv(%x, %wd) {group=6, strides=[2], dilations=[2], pads=[4, 3]}
  %pw = Conv(%x, %wp) {group=2, activation="LeakyRelu", activation_params=[0.1]}
  %rows = Conv(%x, %wr) {strides=[3], dilations=[2], pads=[1, 2]}
  %grp = Conv(%x, %wg) {group=2, strides=[2], pads=[1, 1]}
  %same = Conv(%x, %ws) {auto_pad="SAME_LOWER", dilations=[2]}
  %valid = Conv(%x, %ws) {auto_pad="VALID", activation="Clip", activation_params=[-0.5, 0.5]}
  %img = Conv(%im, %wi, %bi) {strides=[2, 1], pads=[1, 0, 1, 1]}
  %sameS = Conv(%x, %ws) {auto_pad="SAME_UPPER", strides=[3]}
  %dwSame = Conv(%x, %wd) {group=6, auto_pad="SAME_LOWER", strides=[2]}
}`);

describe("Conv algorithms", () => {
  it("lower gives each Conv the algorithm its shape calls for", () => {
    const ops = Object.fromEntries(runPass(g, lower, {}, { target: getTarget("armv7") }).nodes.map((n) => [n.outputs[0], n.op]));
    expect(ops).toEqual({
      dw1: "ConvDepthwise", dw2: "ConvDepthwise", pw: "ConvPointwise", rows: "ConvGemmRows", grp: "ConvGemmRows",
      same: "ConvGemmRows", valid: "ConvGemmRows", img: "ConvIm2col", sameS: "ConvGemmRows", dwSame: "ConvDepthwise",
    });
  });

  itOnRigs(ALL_RIGS, (target, rig) => {
    const sets = [8, 13, 16].map((T) => ({ x: rand([1, 6, T]), im: rand([1, 3, 7, T]) }));
    checkGraph(g, target, rig, sets, { maxDims: { T: 16 }, tol: 1e-5 });
  });
});
