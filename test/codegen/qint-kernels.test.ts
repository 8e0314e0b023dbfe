// The integer C kernels on one quantized graph that covers their variants, for every rounding:
// QConv (im2col + int8 GEMM with K tails and padded rows, depthwise strided/dilated, pointwise
// uint8 input with a -128 weight), QMatMul (per-column requantization), Requantize, QAdd/QMul
// (same shape and broadcast), QConcat, QLookup, and Quantize/Dequantize at the edges. Compiled
// for c99 (native), aarch64 (SIMDe and qemu), aarch64+dotprod (qemu) and armv7 (qemu); every
// output must equal the interpreter's byte for byte. Also: the integer-only part has no float.
import { describe, expect, it } from "vitest";
import { ROUNDINGS, type Rounding } from "../../ir/fixed-point.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, expectNoFloat, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(2024);
const ri = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const vals = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => ri(lo, hi));
const konst = (name: string, dt: string, shape: number[], v: number[]) => `  %${name} = const ${dt}[${shape.join(",")}] [${v.join(", ")}]`;
/** Per-channel multipliers, some exactly 2^30 (real = 2^(shift-1): frequent exact ties). */
const mults = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 ** 30 : ri(2 ** 30, 2 ** 31 - 1)));
const shifts = (n: number, lo: number, hi: number) => vals(n, lo, hi);
const list = (v: number[]) => `[${v.join(", ")}]`;

const consts = [
  konst("w1", "i8", [8, 8, 3], vals(192, -127, 127)),
  konst("b1", "i32", [8], vals(8, -3000, 3000)),
  konst("wd", "i8", [8, 1, 5], vals(40, -127, 127)),
  konst("bd", "i32", [8], vals(8, -500, 500)),
  konst("wp", "i8", [5, 8, 1], [-128, ...vals(39, -128, 127)]),
  konst("wg", "i8", [6, 4, 5], vals(120, -127, 127)),
  konst("wm", "i8", [24, 10], vals(240, -127, 127)),
  konst("bm", "i32", [10], vals(10, -4000, 4000)),
  konst("k", "i8", [8, 1], vals(8, -128, 127)),
];
const tableI8 = vals(256, -128, 127);

function nodesFor(r: Rounding): string[] {
  const rq = (n: number, lo: number, hi: number) => `multiplier=${list(mults(n))}, shift=${list(shifts(n, lo, hi))}, rounding="${r}"`;
  const s = r.replace("-", "_");
  return [
    `  %c1_${s} = QConv(%q, %w1, %b1) {kernel_shape=[3], pads=[1, 1], x_zero_point=-5, ${rq(8, -10, -8)}, y_zero_point=4, qmin=-60, qmax=100}`,
    `  %c2_${s} = QConv(%q, %wd, %bd) {kernel_shape=[5], strides=[2], dilations=[2], pads=[4, 2], group=8, x_zero_point=7, ${rq(8, -8, -6)}, y_zero_point=-3}`,
    `  %c3_${s} = QConv(%xu, %wp) {kernel_shape=[1], x_zero_point=120, ${rq(5, -8, -6)}, y_zero_point=128, out_dtype="u8"}`,
    `  %c4_${s} = QConv(%q, %wg) {kernel_shape=[5], pads=[2, 2], group=2, x_zero_point=0, ${rq(1, -9, -9)}, out_dtype="i16", y_zero_point=11}`,
    `  %m_${s} = QMatMul(%q2, %wm, %bm) {x_zero_point=-2, ${rq(10, -10, -8)}, y_zero_point=-1}`,
    // Shifts spanning more than 4 values: int32 multipliers and int8 shifts instead of packed words.
    `  %c5_${s} = QConv(%q, %w1, %b1) {kernel_shape=[3], pads=[1, 1], x_zero_point=-5, ${rq(8, -14, -6)}, y_zero_point=4}`,
    `  %m2_${s} = QMatMul(%q2, %wm, %bm) {x_zero_point=-2, ${rq(10, -14, -6)}, y_zero_point=-1}`,
    `  %r_${s} = Requantize(%c1_${s}) {x_zero_point=4, ${rq(1, 0, 2)}, y_zero_point=5}`,
    `  %a_${s} = QAdd(%q, %c1_${s}) {a_zero_point=-5, b_zero_point=4, left_shift=20, a_multiplier=${2 ** 30}, a_shift=0, b_multiplier=${ri(2 ** 30, 2 ** 31 - 1)}, b_shift=0, ${rq(1, -20, -20)}, y_zero_point=2}`,
    `  %ab_${s} = QAdd(%c1_${s}, %k) {a_zero_point=4, b_zero_point=1, left_shift=20, a_multiplier=${ri(2 ** 30, 2 ** 31 - 1)}, a_shift=0, b_multiplier=${2 ** 30}, b_shift=-1, ${rq(1, -20, -19)}, y_zero_point=0}`,
    `  %mu_${s} = QMul(%c1_${s}, %q) {a_zero_point=4, b_zero_point=-5, ${rq(1, -8, -7)}, y_zero_point=1}`,
    `  %cat_${s} = QConcat(%c1_${s}, %q) {axis=1, x_zero_points=[4, -5], multipliers=[${ri(2 ** 30, 2 ** 31 - 1)}, 0], shifts=[1, 0], rounding="${r}", y_zero_point=-5}`,
  ];
}

function graphText(boundary: boolean): { text: string; outputs: string[] } {
  const body = ROUNDINGS.flatMap(nodesFor);
  const outs = body.map((l) => /%(\w+) =/.exec(l)![1]!);
  const extra = [`  %l = QLookup(%q) {table=${list(tableI8)}}`];
  outs.push("l");
  if (boundary) {
    extra.push(`  %dq = Dequantize(%c1_gemmlowp) {scale=0.0371, zero_point=4}`, `  %xq = Quantize(%x) {scale=0.05, zero_point=3}`);
    outs.push("dq", "xq");
  }
  const inputs = boundary ? `%x: f32[1,8,T], %q: i8[1,8,T], %q2: i8[1,T,24]` : `%q: i8[1,8,T], %q2: i8[1,T,24]`;
  // %xu is the uint8 view of the pointwise test: produced in-graph from %q so both graphs share it.
  const xu = `  %xu = Requantize(%q) {x_zero_point=0, multiplier=[${2 ** 30}], shift=[1], y_zero_point=128, out_dtype="u8"}`;
  return { text: `graph @g(${inputs}) -> (${outs.map((o) => "%" + o).join(", ")}) {\n${consts.join("\n")}\n${xu}\n${[...body, ...extra].join("\n")}\n}`, outputs: outs };
}

const G = graphText(true);
const g = parseGraph(G.text);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const i8 = (shape: number[]) => fromNumbers("i8", shape, Array.from({ length: numel(shape) }, () => Math.floor(r() * 256) - 128));
  return {
    x: fromNumbers("f32", [1, 8, T], Array.from({ length: 8 * T }, (_, i) => (i % 17 === 0 ? 0.025 * (i % 5) - 0.05 : (r() - 0.5) * 16))),
    q: i8([1, 8, T]),
    q2: i8([1, T, 24]),
  };
}
const SETS = [inputs(37, 1), inputs(5, 2)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("integer C kernels match the interpreter bit for bit", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 64 } }));

  it("the outputs are not trivial (both clamps and interior values occur)", () => {
    const y = REFS[0]!["c1_gemmlowp"]!.data as Int8Array;
    expect(new Set(y).size).toBeGreaterThan(20);
    const rounds = ROUNDINGS.map((r) => Array.from(REFS[0]![`c1_${r.replace("-", "_")}`]!.data as Int8Array).join(","));
    expect(new Set(rounds).size).toBeGreaterThan(1);
  });

  it("has no floating point in the integer-only model (NEON and scalar)", () => {
    expectNoFloat(parseGraph(graphText(false).text), ["c99", "aarch64", "armv7", "aarch64+dotprod"], { T: 64 });
  });
});
