// The 16x16 mode in C (int16 activations x int16 weights, int64 accumulators, wide
// requantization; ir/ops/integer/common.ts) against the interpreter, bit for bit, on every rig:
// QConv through the im2col route (strided, dilated, grouped, padded; a 512-tap window of
// products at +-2^30, whose sums pass 2^39) and QMatMul with packed int16 w (K = 2048 of extreme
// products), per-channel and per-tensor requantization, int8 and int16 outputs. Depthwise int16
// weights are refused by that algorithm and go through im2col too.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const r = randomSource(16);
const int16s = (n: number, extreme: number) => Array.from({ length: n }, (_, i) => (i % 7 < extreme ? (r() < 0.5 ? -32768 : 32767) : Math.floor(r() * 65536) - 32768));
const list = (a: readonly number[]) => `[${a.join(", ")}]`;
const KW = 512, K = 2048;
const w1 = int16s(4 * 2 * 5, 2), w2 = int16s(3 * 1 * KW, 7), wd = int16s(4 * 1 * 3, 2), wm = int16s(K * 3, 7);
const g = parseGraph(`graph @g(%x: i16[1,4,T], %xl: i16[1,1,T2], %xm: i16[8,${K}]) -> (%a, %b, %c, %d, %e) {
  %w1 = const i16[4,2,5] ${list(w1)}
  %b1 = const i32[4] [2147483647, -2147483648, 0, 12345]
  %w2 = const i16[3,1,${KW}] ${list(w2)}
  %wd = const i16[4,1,3] ${list(wd)}
  %wm = const i16[${K},3] ${list(wm)}
  %a = QConv(%x, %w1, %b1) {kernel_shape=[5], strides=[2], dilations=[2], pads=[3, 1], group=2, multiplier=[1500000000, 1073741824, 2147483647, 1200000000], shift=[-20, -25, -22, -18], out_dtype="i16"}
  %b = QConv(%xl, %w2) {kernel_shape=[${KW}], strides=[160], multiplier=[1300000000], shift=[-28], rounding="tflite", out_dtype="i16"}
  %c = QConv(%x, %wd) {kernel_shape=[3], pads=[1, 1], group=4, multiplier=[1100000000], shift=[-22], y_zero_point=5}
  %d = QMatMul(%xm, %wm) {multiplier=[1200000000, 1900000000, 1073741824], shift=[-30, -31, -29], out_dtype="i16", rounding="rndnu"}
  %e = QMatMul(%xm, %wm) {multiplier=[2000000000], shift=[-31], rounding="half-even"}
}`);

function inputs(T: number, T2: number): Record<string, Tensor> {
  return {
    x: fromNumbers("i16", [1, 4, T], int16s(4 * T, 3)),
    xl: fromNumbers("i16", [1, 1, T2], int16s(T2, 7)),
    xm: fromNumbers("i16", [8, K], int16s(8 * K, 7)),
  };
}
const SETS = [inputs(32, 1000), inputs(9, 700)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("16x16 QConv / QMatMul in C are bit-exact with the interpreter", () => {
  it("on inputs that reach many output values of every node (not a saturated test)", () => {
    for (const o of ["a", "b", "c", "d", "e"]) expect(new Set(Array.from(REFS[0]![o]!.data as ArrayLike<number>)).size, o).toBeGreaterThan(8);
  });
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 32, T2: 1000 } }));
});
