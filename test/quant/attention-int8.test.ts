// A single-head self-attention block made fully integer: x[1,T,16] -> LayerNormalization ->
// Q, K, V projections -> Q·Kᵀ (K transposed) scaled by 1/sqrt(16) -> Softmax -> ·V -> output
// projection -> + x. Quantized with keep_float=none, the two products of activations become the
// two-activation QMatMul (passes/quantize/lower-matmul-act.ts) and nothing float remains between
// the input's Quantize and the output's Dequantize. Checked: closeness to the float block (SQNR),
// the generated C bit for bit against the interpreter (c99 and NEON rigs), the QDQ export in
// onnxruntime-node, and `neonc check` on the float ONNX model. Then the lowering's rules: the
// accumulator bound, shapes it declines, 16x8, and constant weights lowered as before.
//
// Two forms of the block: the scale applied to Q before Q·Kᵀ (as PyTorch's MultiheadAttention
// does) with a symbolic T, and the scale applied to the [T, T] scores with a static T. The
// scores form needs a QMul on a [1, T, T] tensor, whose C kernel sizes its scratch as a Dim and so
// takes T x T only when T is a number.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../ir/graph.js";
import { makeTensor, numel, type Tensor } from "../../ir/types.js";
import { verifyGraph } from "../../ir/verify.js";
import { parseGraph } from "../../ir/text/index.js";
import { runPass } from "../../passes/index.js";
import { attachCalibration, quantize, quantizeGraph } from "../../passes/quantize/index.js";
import { maxTerms } from "../../passes/quantize/lower-matmul-act.js";
import { calibrate, type CalibratedRange } from "../../src/analyses/calibration/index.js";
import { sqnrReport } from "../../src/analyses/calibration/sqnr.js";
import { exportOnnx } from "../../src/adapters/onnx/export.js";
import { onnx } from "../../src/adapters/onnx/proto.js";
import { importOnnxBytes } from "../../src/adapters/onnx/index.js";
import { encodeTensorFile } from "../../src/adapters/onnx/tensor.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { Rng } from "../../src/testing/index.js";
import "../../ir/ops/index.js";
import { buildModel as buildOnnx, type ModelSpec, type NodeSpec } from "../helpers/onnx-builder.js";
import { neoncInProcess, tempDir } from "../cli/helpers.js";
import { addSteps, stepStats, type StepStats } from "../helpers/step-stats.js";
import { checkBitExact, itOnRigs } from "../codegen/helpers.js";

const D = 16;

/** The float attention block as an ONNX model (opset 17 for LayerNormalization). */
function attentionModel(scaleOn: "q" | "scores", T: number | "T"): ModelSpec {
  const r = new Rng(31);
  const rand = (shape: number[], scale: number, off = 0) => makeTensor("f32", shape, Float32Array.from({ length: numel(shape) }, () => off + (r.next() * 2 - 1) * scale));
  const proj = 2 * Math.sqrt(3 / D); // projections of about twice the input's spread: peaked attention
  const scaled: NodeSpec[] = scaleOn === "q"
    ? [
      { op: "Mul", inputs: ["q", "scale"], outputs: ["q_scaled"], name: "scale" },
      { op: "MatMul", inputs: ["q_scaled", "kt"], outputs: ["scores"], name: "qk" },
    ]
    : [
      { op: "MatMul", inputs: ["q", "kt"], outputs: ["raw_scores"], name: "qk" },
      { op: "Mul", inputs: ["raw_scores", "scale"], outputs: ["scores"], name: "scale" },
    ];
  return {
    opset: 17,
    inputs: [{ name: "x", shape: [1, T, D] }],
    outputs: [{ name: "y", shape: [1, T, D] }],
    initializers: {
      gamma: rand([D], 0.3, 1), beta: rand([D], 0.2), wq: rand([D, D], proj), wk: rand([D, D], proj), wv: rand([D, D], proj),
      wo: rand([D, D], Math.sqrt(3 / D)), scale: makeTensor("f32", [], Float32Array.of(1 / Math.sqrt(D))),
    },
    nodes: [
      { op: "LayerNormalization", inputs: ["x", "gamma", "beta"], outputs: ["ln"], attrs: { axis: -1, epsilon: 1e-5 }, floatAttrs: ["epsilon"], name: "ln" },
      { op: "MatMul", inputs: ["ln", "wq"], outputs: ["q"], name: "q_proj" },
      { op: "MatMul", inputs: ["ln", "wk"], outputs: ["k"], name: "k_proj" },
      { op: "MatMul", inputs: ["ln", "wv"], outputs: ["v"], name: "v_proj" },
      { op: "Transpose", inputs: ["k"], outputs: ["kt"], attrs: { perm: [0, 2, 1] }, name: "k_t" },
      ...scaled,
      { op: "Softmax", inputs: ["scores"], outputs: ["probs"], attrs: { axis: -1 }, name: "softmax" },
      { op: "MatMul", inputs: ["probs", "v"], outputs: ["ctx"], name: "pv" },
      { op: "MatMul", inputs: ["ctx", "wo"], outputs: ["o"], name: "out_proj" },
      { op: "Add", inputs: ["x", "o"], outputs: ["y"], name: "residual" },
    ],
  };
}

function sample(seed: number, T: number): Record<string, Tensor> {
  const r = new Rng(seed);
  return { x: makeTensor("f32", [1, T, D], Float32Array.from({ length: T * D }, (_, i) => (r.next() * 2 - 1) * 2 + ((i % D) - D / 2) * 0.1)) };
}

/**
 * Runs model bytes in onnxruntime-node at an optimization level. "all" is ORT's default; the
 * static-T form runs at "basic" because ORT 1.30's MatMul+Add -> Gemm fusion, on a rank-3 input
 * of static shape, inserts a QuantizeLinear that its own type check then rejects ("output_dtype
 * INT8 does not match y_zero_point type UINT8", microsoft/onnxruntime#25526).
 */
async function ortRun(bytes: Uint8Array, inputs: Record<string, Tensor>, level: "basic" | "all"): Promise<Record<string, ArrayLike<number>>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: level });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(inputs)) feeds[k] = new ort.Tensor("float32", t.data as Float32Array, [...t.shape]);
  const res = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.data as ArrayLike<number>]));
}

const RIGS = [["c99", "native"], ["aarch64", "simde"], ["aarch64", "qemu"]] as const;

interface Form {
  readonly title: string;
  readonly scaleOn: "q" | "scores";
  readonly T: number | "T";
  /** Calibration and test lengths. */
  readonly calT: number;
  readonly testT: readonly number[];
  /** Extra quantize options. */
  readonly options?: Readonly<Record<string, string | boolean>>;
}

const FORMS: readonly Form[] = [
  { title: "scale on Q, symbolic T", scaleOn: "q", T: "T", calT: 24, testT: [37, 5, 64] },
  { title: "scale on the scores, static T = 24", scaleOn: "scores", T: 24, calT: 24, testT: [24, 24] },
  { title: "scale on Q, symbolic T, symmetric activations, tflite rounding", scaleOn: "q", T: "T", calT: 24, testT: [19, 64], options: { symmetric: true, rounding: "tflite" } },
];

for (const form of FORMS) {
  describe(`self-attention block (${form.title}) quantized with keep_float=none`, () => {
    const bytes = buildOnnx(attentionModel(form.scaleOn, form.T));
    const g = importOnnxBytes(bytes, "attention.onnx");
    const cal = calibrate(g, [1, 2, 3, 4].map((s) => sample(s, form.calT)));
    const q = runPass(attachCalibration(g, cal), quantize, { keep_float: "none", ...form.options });
    const sets = form.testT.map((T, k) => sample(11 + k, T));

    it("is integer-only between one Quantize and one Dequantize", () => {
      verifyGraph(q);
      const ops = q.nodes.map((n) => n.op);
      expect(ops[0]).toBe("Quantize");
      expect(ops[ops.length - 1]).toBe("Dequantize");
      expect(ops.filter((o) => o === "Quantize" || o === "Dequantize")).toHaveLength(2);
      for (const n of q.nodes.slice(1, -1)) {
        for (const v of [...n.inputs, ...n.outputs]) if (v) expect(q.types[v]!.dtype, `${n.op} ${n.name} reads or writes ${v}`).not.toBe("f32");
      }
      expect([...ops].sort()).toEqual(["Dequantize", "QAdd", "QLayerNorm", "QMatMul", "QMatMul", "QMatMul", "QMatMul", "QMatMul", "QMatMul", "QMul", "QSoftmax", "Quantize", "Transpose"]);
      // The two products of activations: w is a value (the transposed K, then V) with its own zero point, no bias.
      const act = q.nodes.filter((n) => n.op === "QMatMul" && !q.constants[n.inputs[1]!]);
      expect(act.map((n) => n.inputs.length)).toEqual([2, 2]);
      const kt = q.nodes.find((n) => n.op === "Transpose")!.outputs[0]!;
      expect(act[0]!.inputs[1]).toBe(kt);
      const probs = q.nodes.find((n) => n.op === "QSoftmax")!.outputs[0]!;
      expect(act[1]!.inputs[0]).toBe(probs);
      // A softmax output (zero point -128) against V: the accumulator bound is stated in the docs.
      expect(act[1]!.attrs["x_zero_point"]).toBe(-128);
      // Constant weights as before: symmetric int8 per column, with an int32 bias.
      const fixed = q.nodes.filter((n) => n.op === "QMatMul" && q.constants[n.inputs[1]!]);
      expect(fixed.map((n) => [n.inputs.length, (n.attrs["multiplier"] as number[]).length, n.attrs["w_zero_point"] ?? 0])).toEqual(new Array(4).fill([3, D, 0]));
    });

    it("stays close to the float block (SQNR)", () => {
      const rep = sqnrReport(g, q, sets);
      const db = (node: string) => rep.layers.find((l) => l.node === node)!.sqnrDb;
      console.log(`attention int8 (${form.title}): ${rep.layers.map((l) => `${l.node} ${l.sqnrDb.toFixed(1)}`).join(", ")} dB; output ${rep.outputs[0]!.sqnrDb.toFixed(1)} dB`);
      // The products of activations lose about what their inputs bring (two int8 operands, each
      // ~30 dB); the softmax's 1/256 output grid costs most; the residual adds x back.
      expect(db("qk")).toBeGreaterThan(24);
      expect(db("pv")).toBeGreaterThan(18);
      expect(rep.outputs[0]!.sqnrDb).toBeGreaterThan(19);
    });

    // The integer output too, not only its dequantized float.
    itOnRigs(RIGS, (target, rig) => checkBitExact(q, target, rig, sets, { maxDims: form.T === "T" ? { T: 64 } : {} }), "compiles and matches the interpreter bit for bit on");

    it("exports to QDQ ONNX that onnxruntime-node runs, close to the interpreter", async () => {
      const last = q.nodes[q.nodes.length - 1]!.inputs[0]!;
      const probes = ["scores", "probs", "ctx"].map((v) => `${v}.q`);
      const probe: Graph = { ...q, outputs: [...q.outputs, ...probes, last] };
      const out = exportOnnx(probe);
      const nodes = onnx.ModelProto.decode(out).graph?.node ?? [];
      expect(nodes.every((n) => !n.domain)).toBe(true);
      expect(nodes.filter((n) => n.opType === "MatMul")).toHaveLength(6);
      const stats = new Map<string, StepStats>();
      let maxOut = 0, maxRef = 0;
      for (const set of sets) {
        const ref = runGraph(probe, set), got = await ortRun(out, set, form.T === "T" ? "all" : "basic");
        for (const v of [...probes, last]) stats.set(v, addSteps(stats.get(v) ?? stepStats(), ref[v]!.data as Int8Array, got[v]! as Int8Array));
        const fo = ref[q.outputs[0]!]!.data as Float32Array, go = got[q.outputs[0]!]! as Float32Array;
        for (let i = 0; i < fo.length; i++) {
          maxOut = Math.max(maxOut, Math.abs(fo[i]! - go[i]!));
          maxRef = Math.max(maxRef, Math.abs(fo[i]!));
        }
      }
      const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`;
      console.log(`attention QDQ in ORT vs interpreter (${form.title}): ${[...stats].map(([v, s]) => `${v} exact ${pct(s.exact, s.n)}, within 1 LSB ${pct(s.within1, s.n)}, max ${s.max} LSB`).join("; ")}; output max |diff| ${maxOut.toExponential(2)} of max |y| ${maxRef.toFixed(2)}`);
      for (const [v, s] of stats) expect(s.within1 / s.n, v).toBeGreaterThan(0.98);
    });
  });
}

describe("the two-activation MatMul lowering's rules", () => {
  /** quantizeGraph on IR text with the given ranges; returns the graph and why each float node stayed. */
  function lower(text: string, ranges: Record<string, CalibratedRange>, int16: string[] = []): { q: Graph; why: string[] } {
    const why: string[] = [];
    const q = quantizeGraph(parseGraph(text), ranges, { int16: new Set(int16), explain: (_n, op, fired, msg) => { if (!fired) why.push(`${op}: ${msg}`); } });
    verifyGraph(q);
    return { q, why };
  }
  const unit = { min: -1, max: 1 }, positive = { min: 0, max: 1 };

  it("bounds K by the zero points: int32 holds K products of centred int8 values up to 2^31 - 1", () => {
    const p = (zeroPoint: number) => ({ dtype: "i8" as const, scale: 1, zeroPoint });
    expect(maxTerms(p(0), p(0))).toBe(131071); // |x - zp| <= 128 on both sides: K < 2^17
    expect(maxTerms(p(-128), p(0))).toBe(65793); // a softmax output (zp -128) against V
    expect(maxTerms(p(-128), p(-128))).toBe(33025); // the worst case, 255 x 255
    expect(maxTerms(p(-128), undefined)).toBe(33025); // an operand not yet quantized counts as the worst
    // Non-negative ranges put the zero point at -128: K = 33025 is lowered, 33026 stays in float.
    const graph = (K: number) => `graph @g(%x: f32[2,${K}], %w: f32[${K},3]) -> (%y) {\n  %y = MatMul(%x, %w)\n}`;
    const ok = lower(graph(33025), { x: positive, w: positive, y: unit });
    expect(ok.q.nodes.map((n) => n.op)).toEqual(["Quantize", "Quantize", "QMatMul", "Dequantize"]);
    const tooLong = lower(graph(33026), { x: positive, w: positive, y: unit });
    expect(tooLong.q.nodes.map((n) => n.op)).toEqual(["MatMul"]);
    expect(tooLong.why).toEqual(["MatMul: MatMul y (-> %y) stays in float: its inner dim K = 33026 is too long: sums of more than 33025 products of these int8 operands can overflow int32"]);
    // Ranges around zero (zero points near 0) allow four times as many terms.
    expect(lower(graph(70000), { x: unit, w: unit, y: unit }).q.nodes.map((n) => n.op)).toContain("QMatMul");
  });

  it("takes a symbolic K (a sum over time) and batched operands, with the node's rounding and clamp", () => {
    const { q } = lower(`graph @g(%p: f32[2,T,T], %v: f32[2,T,8]) -> (%y) {\n  %y = MatMul(%p, %v)\n}`, { p: positive, v: unit, y: { min: -3, max: 5 } });
    const mm = q.nodes.find((n) => n.op === "QMatMul")!;
    expect(mm.inputs).toHaveLength(2);
    expect(mm.attrs).toMatchObject({ x_zero_point: -128, rounding: "gemmlowp", qmin: -128, qmax: 127, out_dtype: "i8" });
    expect(mm.attrs["multiplier"]).toHaveLength(1);
    // The multiplier is s_p s_v / s_y.
    const s = (lo: number, hi: number) => (hi - lo) / 255;
    const m = mm.attrs["multiplier"] as number[], sh = mm.attrs["shift"] as number[];
    expect(m[0]! * 2 ** (sh[0]! - 31)).toBeCloseTo((s(0, 1) * s(-1, 1)) / s(-3, 5), 9);
    // Numbers: within a couple of output steps of the float product.
    const r = new Rng(5);
    const P = makeTensor("f32", [2, 6, 6], Float32Array.from({ length: 72 }, () => r.next()));
    const V = makeTensor("f32", [2, 6, 8], Float32Array.from({ length: 96 }, () => r.next() * 2 - 1));
    const want = runGraph(parseGraph(`graph @g(%p: f32[2,T,T], %v: f32[2,T,8]) -> (%y) {\n  %y = MatMul(%p, %v)\n}`), { p: P, v: V })["y"]!.data as Float32Array;
    const got = runGraph(q, { p: P, v: V })["y"]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - got[i]!));
    expect(worst).toBeLessThan(3 * s(-3, 5));
  });

  it("keeps in float what it cannot lower, saying why", () => {
    const vec = lower(`graph @g(%x: f32[4,8], %v: f32[8]) -> (%y) {\n  %y = MatMul(%x, %v)\n}`, { x: unit, v: unit, y: unit });
    expect(vec.why).toEqual(["MatMul: MatMul y (-> %y) stays in float: its second operand is a vector (rank 1)"]);
    const batchedVec = lower(`graph @g(%x: f32[8], %w: f32[3,8,4]) -> (%y) {\n  %y = MatMul(%x, %w)\n}`, { x: unit, w: unit, y: unit });
    expect(batchedVec.why[0]).toMatch(/first operand is a vector \(rank 1\) against a batched second operand$/);
    const noRange = lower(`graph @g(%x: f32[4,8], %w: f32[8,2]) -> (%y) {\n  %y = MatMul(%x, %w)\n}`, { x: unit, y: unit });
    expect(noRange.why[0]).toMatch(/its operand w has no calibrated range$/);
    expect(noRange.q.nodes.map((n) => n.op)).toEqual(["MatMul"]); // no dead Quantize of x
    const wide = lower(`graph @g(%x: f32[4,8], %w: f32[8,2]) -> (%y) {\n  %y = MatMul(%x, %w)\n}`, { x: unit, w: unit, y: unit }, ["y"]);
    expect(wide.why[0]).toMatch(/the 16x8 mode needs constant weights; a product of two activations is lowered to int8 only$/);
    const gemm = lower(`graph @g(%x: f32[4,8], %w: f32[8,2]) -> (%y) {\n  %y = Gemm(%x, %w)\n}`, { x: unit, w: unit, y: unit });
    expect(gemm.why[0]).toMatch(/its weights are not a 2-D f32 constant$/);
  });

  it("lowers a MatMul whose constant is the first operand (x) the same way", () => {
    const { q } = lower(`graph @g(%w: f32[3,4]) -> (%y) {\n  %a = const f32[2,3] [0.5, -1, 0.25, 2, 0, -0.75]\n  %y = MatMul(%a, %w)\n}`, { w: unit, y: { min: -4, max: 4 } });
    expect(q.nodes.map((n) => n.op)).toEqual(["Quantize", "QMatMul", "Dequantize"]);
  });
});

describe("neonc check on the float attention model (--int8 --keep-float none --calibration DIR)", () => {
  it("quantizes, compiles, builds and matches the interpreter on c99", async () => {
    const dir = tempDir("neonc-attention-");
    const model = path.join(dir, "attention.onnx");
    writeFileSync(model, buildOnnx(attentionModel("q", "T")));
    const calDir = path.join(dir, "cal"), inDir = path.join(dir, "in");
    mkdirSync(calDir);
    mkdirSync(inDir);
    [1, 2, 3, 4].forEach((s) => writeFileSync(path.join(calDir, `s${s}.input.pb`), encodeTensorFile(sample(s, 24)["x"]!, "x")));
    writeFileSync(path.join(inDir, "input_0.pb"), encodeTensorFile(sample(21, 37)["x"]!, "x"));
    const r = await neoncInProcess("check", model, "--int8", "--keep-float", "none", "--calibration", calDir, "--target", "c99", "--input-dir", inDir, "--runs", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok: within/);
  });
});
