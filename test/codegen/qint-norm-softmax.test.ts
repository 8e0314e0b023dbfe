// The C kernels of QLayerNorm, QSoftmax and QLogSoftmax (codegen/kernels/qint-layernorm.ts,
// qint-softmax.ts) against the interpreter, byte for byte, on c99 (native), aarch64 through
// SIMDe, and aarch64 and armv7 under qemu. One graph covers the variants: every rounding, int8
// and uint8 inputs, int8/uint8/int16 outputs, rows of 1 to 300 values (NEON blocks and tails),
// the last axis and a strided one, LayerNorm over two axes and without beta, and parameters
// that drive z and acc into saturation. Inputs mix random rows with rows of one repeated value
// and rows of -128/127 extremes. Then an end-to-end check: a float LayerNorm -> MatMul ->
// Softmax graph quantized with keep_float=none, compiled, and bit-exact on c99 and armv7.
import { describe, expect, it } from "vitest";
import { sym } from "../../ir/dim.js";
import { quantizeMultiplier, ROUNDINGS } from "../../ir/fixed-point.js";
import type { Graph } from "../../ir/graph.js";
import { varianceShift } from "../../ir/ops/integer/qlayernorm.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, makeTensor, numel, tensorType, type Tensor } from "../../ir/types.js";
import { verifyGraph } from "../../ir/verify.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { runPass } from "../../passes/index.js";
import { attachCalibration, quantize } from "../../passes/quantize/index.js";
import { calibrate } from "../../src/analyses/calibration/index.js";
import { sqnrReport } from "../../src/analyses/calibration/sqnr.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { GraphBuilder, Rng, seededTensor } from "../../src/testing/index.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, expectNoFloat, itOnRigs } from "./helpers.js";

const rng = new Rng(4242);
const list = (v: readonly number[]) => `[${v.join(", ")}]`;
const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => rng.int(lo, hi));
const konst = (name: string, dt: string, shape: number[], v: number[]) => `  %${name} = const ${dt}[${shape.join(",")}] [${v.join(", ")}]`;
const expTable = (sx: number) => Array.from({ length: 256 }, (_, d) => Math.round(32768 * Math.exp(-sx * d)));
const mq = (real: number) => quantizeMultiplier(real);

/** QLayerNorm attributes sized like the lowering's: output ~ +-`span` around zp for |n| ~ 1. */
function lnAttrs(N: number, F: number, r: string, span: number, opts: { eps?: number; zp?: number; out?: string } = {}): string {
  const m = mq(span / (32767 * 2 ** F));
  return `axis=-1, epsilon_q=${opts.eps ?? rng.int(1, 5000) * 4 ** varianceShift(N)}, frac_bits=${F}, var_shift=${varianceShift(N)}, multiplier=[${m.multiplier}], shift=[${m.shift}], rounding="${r}", y_zero_point=${opts.zp ?? rng.int(-20, 20)}${opts.out ? `, out_dtype="${opts.out}"` : ""}`;
}

const bigTable = [32768, ...ints(255, 16384, 32768)];
const eqTable = [30000, ...ints(255, 0, 30000)];
const consts: string[] = [];
const body: string[] = [];
const gammaBeta = (tag: string, shape: number[], betaSpan: number) => {
  const n = numel(shape);
  consts.push(konst(`g_${tag}`, "i16", shape, [-32768, 32767, ...ints(n - 2, -32768, 32767)].slice(0, n)));
  consts.push(konst(`b_${tag}`, "i32", shape, ints(n, -betaSpan, betaSpan)));
};
gammaBeta("a", [24], 2 ** 22);
gammaBeta("l", [300], 2 ** 20);
gammaBeta("u", [20], 2 ** 22);
gammaBeta("w", [3, 8], 2 ** 22);
gammaBeta("s", [24], 2 ** 30);
gammaBeta("one", [1], 2 ** 22);

for (const r of ROUNDINGS) {
  const s = r.replace("-", "_");
  body.push(
    `  %ln_a_${s} = QLayerNorm(%a, %g_a, %b_a) {${lnAttrs(24, 16, r, 40)}}`,
    `  %ln_l_${s} = QLayerNorm(%l, %g_l, %b_l) {${lnAttrs(300, 14, r, 60)}}`,
    `  %sm_${s} = QLogSoftmax(%t) {axis=-1, exp_table=${list(expTable(0.05))}, log_table=${list(Array.from({ length: 256 }, (_, m) => Math.round(65536 * Math.log(1 + (m + 0.5) / 256))))}, ln2_q16=45426, x_multiplier=${mq(0.05 / 0.09).multiplier}, x_shift=${mq(0.05 / 0.09).shift}, log_multiplier=${mq(1 / (65536 * 0.09)).multiplier}, log_shift=${mq(1 / (65536 * 0.09)).shift}, rounding="${r}", y_zero_point=100}`,
    `  %ls0_${s} = QLogSoftmax(%t) {axis=0, exp_table=${list(expTable(0.2))}, log_table=${list(ints(256, 0, 65536))}, ln2_q16=45426, x_multiplier=${mq(0.2 / 0.05).multiplier}, x_shift=${mq(0.2 / 0.05).shift}, log_multiplier=${mq(1 / (65536 * 0.05)).multiplier}, log_shift=${mq(1 / (65536 * 0.05)).shift}, rounding="${r}", y_zero_point=127}`,
  );
}
body.push(
  // uint8 input, uint8 and int16 outputs; two normalized axes; no beta; rows of one value.
  `  %ln_u = QLayerNorm(%u, %g_u, %b_u) {${lnAttrs(20, 16, "tflite", 100, { zp: 128, out: "u8" })}}`,
  `  %ln_w = QLayerNorm(%w, %g_w, %b_w) {${lnAttrs(24, 16, "gemmlowp", 3000, { out: "i16" }).replace("axis=-1", "axis=-2")}}`,
  `  %ln_nb = QLayerNorm(%a, %g_a) {${lnAttrs(24, 15, "rndnu", 50)}}`,
  `  %ln_one = QLayerNorm(%o, %g_one, %b_one) {${lnAttrs(1, 20, "half-even", 30)}}`,
  // z saturates (2^29 n overflows int32 for |n| > 4) and so does gamma z + beta.
  `  %ln_sat = QLayerNorm(%a, %g_s, %b_s) {${lnAttrs(24, 29, "gemmlowp", 40, { eps: 1 })}}`,
  `  %ln_sat2 = QLayerNorm(%a, %g_s, %b_s) {${lnAttrs(24, 29, "half-even", 2 ** 20, { eps: 1 })}}`,
  // Softmax: rows of length T along the last axis, of 5 along axis 0 (strided), uint8 input.
  `  %s_last = QSoftmax(%t) {axis=-1, exp_table=${list(expTable(0.05))}}`,
  `  %s_flat = QSoftmax(%t) {axis=-1, exp_table=${list(expTable(0.9))}}`,
  `  %s_ax0 = QSoftmax(%t) {axis=0, exp_table=${list(expTable(0.02))}, y_zero_point=0, out_dtype="i16"}`,
  // Rows of 60000 values with a flat exp table: sums near 2^31 (the log-softmax's e = 30).
  `  %s_big = QSoftmax(%big) {axis=-1, exp_table=${list(bigTable)}}`,
  `  %ls_big = QLogSoftmax(%big) {axis=-1, exp_table=${list(bigTable)}, log_table=${list(ints(256, 0, 65536))}, ln2_q16=45426, x_multiplier=${mq(0.001 / 0.01).multiplier}, x_shift=${mq(0.001 / 0.01).shift}, log_multiplier=${mq(1 / (65536 * 0.01)).multiplier}, log_shift=${mq(1 / (65536 * 0.01)).shift}, rounding="half-even", y_zero_point=100}`,
  // Rows of 512 equal values with E[0] = 30000: a = 512 E[0] + S = 2S exactly, where the
  // quotient estimate floor(a floor(2^32 / 2S) / 2^32) is one short and the remainder test corrects it.
  `  %s_eq = QSoftmax(%eq) {axis=-1, exp_table=${list(eqTable)}}`,
  `  %s_u = QSoftmax(%u) {axis=-1, exp_table=${list(expTable(0.1))}, y_zero_point=0, out_dtype="u8"}`,
  `  %ls_u = QLogSoftmax(%u) {axis=1, exp_table=${list(expTable(0.1))}, log_table=${list(Array.from({ length: 256 }, (_, m) => Math.round(65536 * Math.log(1 + (m + 0.5) / 256))))}, ln2_q16=45426, x_multiplier=${mq(0.1 / 0.2).multiplier}, x_shift=${mq(0.1 / 0.2).shift}, log_multiplier=${mq(1 / (65536 * 0.2)).multiplier}, log_shift=${mq(1 / (65536 * 0.2)).shift}, y_zero_point=255, out_dtype="u8"}`,
);
const outputs = body.map((l) => /%(\w+) =/.exec(l)![1]!);
const G = parseGraph(`graph @g(%a: i8[T,24], %l: i8[3,300], %u: u8[T,20], %w: i8[T,3,8], %o: i8[T,1], %t: i8[5,T], %big: i8[4,60000], %eq: i8[6,512]) -> (${outputs.map((o) => "%" + o).join(", ")}) {
${consts.join("\n")}
${body.join("\n")}
}`);

/** int8 (or uint8) rows: random, one repeated value, -128/127 extremes, alternating extremes. */
function rows(dt: "i8" | "u8", shape: number[], seed: number): Tensor {
  const r = new Rng(seed);
  const len = shape[shape.length - 1]!, n = numel(shape);
  const v = new Array<number>(n);
  for (let row = 0; row < n / len; row++) {
    const kind = row % 5, c = r.int(-128, 127);
    for (let i = 0; i < len; i++) {
      v[row * len + i] = kind === 0 ? c : kind === 1 ? (i % 2 ? 127 : -128) : kind === 2 ? r.pick([-128, 127]) : r.int(-128, 127);
    }
  }
  return fromNumbers(dt, shape, dt === "u8" ? v.map((x) => x + 128) : v);
}

function inputs(T: number, seed: number): Record<string, Tensor> {
  return {
    a: rows("i8", [T, 24], seed), l: rows("i8", [3, 300], seed + 1), u: rows("u8", [T, 20], seed + 2),
    w: rows("i8", [T, 3, 8], seed + 3), o: rows("i8", [T, 1], seed + 4), t: rows("i8", [5, T], seed + 5), big: rows("i8", [4, 60000], seed + 6),
    eq: fromNumbers("i8", [6, 512], Array.from({ length: 6 * 512 }, (_, i) => [-128, 127, 0, -1, 55, seed][Math.floor(i / 512)]!)),
  };
}
const SETS = [inputs(203, 1), inputs(3, 2), inputs(16, 3)];

/** How often the softmax quotient estimate floor(a floor(2^32 / 2S) / 2^32) is one short (C corrects it). */
function shortEstimates(x: Tensor, table: readonly number[]): number {
  const d = x.data as Int8Array, len = x.shape[1]!;
  let short = 0;
  for (let r = 0; r < x.shape[0]!; r++) {
    let mx = -128, S = 0;
    for (let k = 0; k < len; k++) mx = Math.max(mx, d[r * len + k]!);
    for (let k = 0; k < len; k++) S += table[mx - d[r * len + k]!]!;
    const den = 2 * S, R = Math.floor(2 ** 32 / den);
    for (let k = 0; k < len; k++) {
      const a = 512 * table[mx - d[r * len + k]!]! + S;
      if (Number((BigInt(a) * BigInt(R)) >> 32n) !== Math.floor(a / den)) short++;
    }
  }
  return short;
}
const REFS = SETS.map((s) => runGraph(G, s));

/** No dot products here: every rig but aarch64+dotprod. */
const RIGS = ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod");

describe("QLayerNorm, QSoftmax and QLogSoftmax in C match the interpreter bit for bit", () => {
  itOnRigs(RIGS, (target, rig) => checkBitExact(G, target, rig, SETS, { expected: REFS, maxDims: { T: 256 } }));

  it("the cases are not trivial: outputs spread, saturate, and the roundings differ", () => {
    const ref = REFS[0]!;
    for (const o of ["ln_a_gemmlowp", "ln_l_tflite", "sm_gemmlowp", "s_ax0", "ln_u", "ln_w"]) expect(new Set(ref[o]!.data as Int8Array).size, o).toBeGreaterThan(20);
    // Softmax rows sum to about 256 steps of 1/256 (each value is rounded once).
    const sl = ref["s_last"]!.data as Int8Array;
    for (let row = 0; row < 5; row++) {
      let sum = 0;
      for (let k = 0; k < 203; k++) sum += sl[row * 203 + k]! + 128;
      expect(Math.abs(sum - 256), `row ${row}`).toBeLessThanOrEqual(203 / 2);
    }
    const sat = Array.from(ref["ln_sat2"]!.data as Int8Array);
    expect(sat.filter((v) => v === 127 || v === -128).length).toBeGreaterThan(100);
    expect(shortEstimates(SETS[0]!["eq"]!, eqTable)).toBe(6 * 512);
    const byRounding = ROUNDINGS.map((r) => Array.from(ref[`ln_a_${r.replace("-", "_")}`]!.data as Int8Array).join(","));
    expect(new Set(byRounding).size).toBeGreaterThan(1);
    // A softmax row of one repeated value is uniform.
    expect(new Set(Array.from(ref["s_last"]!.data as Int8Array).slice(0, 203)).size).toBe(1);
  });

  it("generates no floating point for these ops (scalar and NEON)", () => {
    expectNoFloat(G, ["c99", "aarch64", "armv7"], { T: 256 });
  });

  it("refuses rows whose exp sum could pass 2^31, naming the limit", () => {
    const g = parseGraph(`graph @g(%t: i8[2,T]) -> (%y) {\n  %y = QSoftmax(%t) {axis=-1, exp_table=${list(expTable(0.05))}}\n}`);
    expect(() => compileGraph(g, { target: getTarget("c99"), maxDims: { T: 70000 } })).toThrow(/beyond 2\^31 \(at most 65535 values/);
  });
});

/** x[1,T,16] -> LayerNormalization -> MatMul [16,10] -> Softmax, in float. */
function floatGraph(): Graph {
  const r = new Rng(9);
  const b = new GraphBuilder("ln_mm_sm");
  const rand = (shape: number[], scale: number, off = 0) => seededTensor(r, "f32", shape, { values: { min: off - scale, max: off + scale } });
  const x = b.input("x", tensorType("f32", [1, sym("T"), 16]));
  const [ln] = b.node("LayerNormalization", [x, b.constant("gamma", rand([16], 0.5, 1)), b.constant("beta", rand([16], 0.3))], { axis: -1, epsilon: 1e-5 }, "ln");
  const [mm] = b.node("MatMul", [ln!, b.constant("w", rand([16, 10], 0.6))], {}, "mm");
  const [y] = b.node("Softmax", [mm!], { axis: -1 }, "y");
  return b.build([x], [y!]);
}

describe("end to end: LayerNorm -> MatMul -> Softmax, quantized with keep_float=none", () => {
  const g = floatGraph();
  const sample = (seed: number, T: number) => {
    const r = new Rng(seed);
    return { x: makeTensor("f32", [1, T, 16], Float32Array.from({ length: T * 16 }, (_, i) => (r.next() * 2 - 1) * 3 + (i % 16) * 0.2)) };
  };
  const cal = calibrate(g, [1, 2, 3, 4].map((s) => sample(s, 20)));
  const q = runPass(attachCalibration(g, cal), quantize, { keep_float: "none" });
  const sets = [sample(11, 37), sample(12, 5)];

  it("is integer-only between one Quantize and one Dequantize, and close to the float graph", () => {
    verifyGraph(q);
    expect(q.nodes.map((n) => n.op)).toEqual(["Quantize", "QLayerNorm", "QMatMul", "QSoftmax", "Dequantize"]);
    const rep = sqnrReport(g, q, sets);
    expect(rep.layers.find((l) => l.intOp === "QLayerNorm")!.sqnrDb).toBeGreaterThan(30);
    expect(rep.outputs[0]!.sqnrDb).toBeGreaterThan(20);
  });

  itOnRigs([["c99", "native"], ["armv7", "qemu"]], (target, rig) => checkBitExact(q, target, rig, sets, { maxDims: { T: 64 } }), "compiles and matches the interpreter bit for bit on");
});
