// 3-D convolutions in C against the interpreter on every rig: float (ConvIm2col with im2col loops
// generated for the rank, codegen/kernels/conv-im2col.ts) grouped, strided, dilated, asymmetric
// pads, bias and a fused Relu, auto_pad SAME on static lengths, a symbolic last length; integer
// (QConvIm2col2d's loops for the rank, codegen/kernels/qint-conv-2d.ts) int8 and uint8 inputs with
// zero points, per-channel and per-tensor requantization, bit for bit; and the algorithms the
// lower stage picks for them.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { runPass } from "../../passes/pass.js";
import { lower } from "../../passes/lower/index.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkBitExact, checkGraph, constLine, itOnRigs } from "./helpers.js";
import { fromNumbers } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";

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

const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(rng.next() * (hi - lo + 1)));
const q = parseGraph(`graph @q(%x: i8[1,4,4,5,T], %u: u8[1,4,4,5,T]) -> (%a, %b) {
  %w1 = const i8[6,2,2,3,2] [${ints(6 * 2 * 2 * 3 * 2, -127, 127).join(", ")}]
  %b1 = const i32[6] [${ints(6, -3000, 3000).join(", ")}]
  %w2 = const i8[3,4,3,1,2] [${ints(3 * 4 * 3 * 2, -128, 127).join(", ")}]
  %a = QConv(%x, %w1, %b1) {group=2, kernel_shape=[2, 3, 2], strides=[1, 2, 1], dilations=[2, 1, 1], pads=[1, 1, 0, 0, 1, 1], x_zero_point=-3, multiplier=[1200000000, 1500000000, 1100000000, 2000000000, 1300000000, 1700000000], shift=[-9, -9, -10, -9, -8, -9], y_zero_point=4}
  %b = QConv(%u, %w2) {kernel_shape=[3, 1, 2], pads=[1, 0, 1, 1, 0, 0], x_zero_point=131, multiplier=[1400000000], shift=[-9], out_dtype="i16", rounding="tflite"}
}`);
const QSETS = [7, 2].map((T) => ({ x: fromNumbers("i8", [1, 4, 4, 5, T], ints(4 * 4 * 5 * T, -128, 127)), u: fromNumbers("u8", [1, 4, 4, 5, T], ints(4 * 4 * 5 * T, 0, 255)) }));
const QREFS = QSETS.map((s) => runGraph(q, s));

describe("3-D QConv in C", () => {
  it("is lowered to QConvIm2col2d, and its outputs are not saturated", () => {
    expect(runPass(q, lower, {}, { target: getTarget("c99") }).nodes.map((n) => n.op)).toEqual(["QConvIm2col2d", "QConvIm2col2d"]);
    for (const o of ["a", "b"]) expect(new Set(Array.from(QREFS[0]![o]!.data as ArrayLike<number>)).size, o).toBeGreaterThan(20);
  });
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(q, target, rig, QSETS, { expected: QREFS, maxDims: { T: 7 } }));
});
