// A single-head self-attention block made fully integer: x[1,T,16] -> LayerNormalization ->
// Q, K, V projections -> Q·Kᵀ (K transposed) scaled by 1/sqrt(16) -> Softmax -> ·V -> output
// projection -> + x. Quantized with keep_float=none, the two products of activations become the
// two-activation QMatMul (passes/quantize/lower-matmul-act.ts) and nothing float remains between
// the input's Quantize and the output's Dequantize. Checked: closeness to the float block (SQNR),
// the generated C bit for bit against the interpreter (c99 and NEON rigs), the QDQ export in
// onnxruntime-node, and `neonc check` on the float ONNX model. Then the lowering's accumulator
// bound (its forms and refusals are golden fixtures).
//
// Two forms of the block: the scale applied to Q before Q·Kᵀ (as PyTorch's MultiheadAttention
// does) with a symbolic T, and the scale applied to the [T, T] scores with a static T. The
// scores form needs a QMul on a [1, T, T] tensor, whose C kernel sizes its scratch as a Dim and so
// takes T x T only when T is a number.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../ir/graph.js";
import { makeTensor, type Tensor } from "../../../ir/types.js";
import { verifyGraph } from "../../../ir/verify.js";
import { runPass } from "../../../passes/index.js";
import { attachCalibration, quantize } from "../../../passes/quantize/index.js";
import { maxTerms } from "../../../passes/quantize/lower-matmul-act.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { sqnrReport } from "../../../src/analyses/calibration/sqnr.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { onnx } from "../../../src/adapters/onnx/proto.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { encodeTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { agreement, emptyAgreement, percent, Rng, seededTensor, type Agreement } from "../../../src/testing/index.js";
import "../../../ir/ops/index.js";
import { buildModel as buildOnnx, type ModelSpec, type NodeSpec } from "../../helpers/onnx-builder.js";
import { neoncInProcess, tempDir } from "../../app/cli/helpers.js";
import { checkBitExact, itOnRigs } from "../../codegen/helpers.js";

const D = 16;

/** The float attention block as an ONNX model (opset 17 for LayerNormalization). */
function attentionModel(scaleOn: "q" | "scores", T: number | "T"): ModelSpec {
  const r = new Rng(31);
  const rand = (shape: number[], scale: number, off = 0) => seededTensor(r, "f32", shape, { values: { min: off - scale, max: off + scale } });
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
  // Uniform in [-2, 2) plus a slope across the features.
  const x = seededTensor(r, "f32", [1, T, D], { values: { min: -2, max: 2 } });
  const d = x.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i]! += ((i % D) - D / 2) * 0.1;
  return { x };
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
      const stats = new Map<string, Agreement>();
      let maxOut = 0, maxRef = 0;
      for (const set of sets) {
        const ref = runGraph(probe, set), got = await ortRun(out, set, form.T === "T" ? "all" : "basic");
        for (const v of [...probes, last]) stats.set(v, agreement(ref[v]!.data as Int8Array, got[v]! as Int8Array, stats.get(v) ?? emptyAgreement()));
        const fo = ref[q.outputs[0]!]!.data as Float32Array, go = got[q.outputs[0]!]! as Float32Array;
        for (let i = 0; i < fo.length; i++) {
          maxOut = Math.max(maxOut, Math.abs(fo[i]! - go[i]!));
          maxRef = Math.max(maxRef, Math.abs(fo[i]!));
        }
      }
      console.log(`attention QDQ in ORT vs interpreter (${form.title}): ${[...stats].map(([v, s]) => `${v} exact ${percent(s.exact, s.n)}, within 1 LSB ${percent(s.within1, s.n)}, max ${s.max} LSB`).join("; ")}; output max |diff| ${maxOut.toExponential(2)} of max |y| ${maxRef.toFixed(2)}`);
      for (const [v, s] of stats) expect(s.within1 / s.n, v).toBeGreaterThan(0.98);
    });
  });
}

describe("the two-activation MatMul lowering's accumulator bound", () => {
  // What the lowering makes of each form, and what it declines, is specified by the golden
  // fixtures test/passes/quantize/golden/matmul-activations*.ir.
  it("bounds K by the zero points: int32 holds K products of centred int8 values up to 2^31 - 1", () => {
    const p = (zeroPoint: number) => ({ dtype: "i8" as const, scale: 1, zeroPoint });
    expect(maxTerms(p(0), p(0))).toBe(131071); // |x - zp| <= 128 on both sides: K < 2^17
    expect(maxTerms(p(-128), p(0))).toBe(65793); // a softmax output (zp -128) against V
    expect(maxTerms(p(-128), p(-128))).toBe(33025); // the worst case, 255 x 255
    expect(maxTerms(p(-128), undefined)).toBe(33025); // an operand not yet quantized counts as the worst
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
