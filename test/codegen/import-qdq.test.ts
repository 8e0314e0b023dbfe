// Generated C of models quantized elsewhere: one QOperator model that chains every com.microsoft
// op the C kernels cover (QLinearSigmoid, QLinearLeakyRelu, QLinearAdd, QLinearMul,
// QLinearConcat, QLinearGlobalAveragePool, QGemm) and a QDQ Gemm (transB = 1), and one QDQ
// attention-style product of two activations (batched QMatMul with both zero points), imported
// through import-qdq, compiled for c99 (native), aarch64 (SIMDe and qemu), aarch64+dotprod and
// armv7 (qemu): every integer output must equal the interpreter's byte for byte (half-even
// rounding in the kernels), and the float outputs too.
import { describe, expect, it } from "vitest";
import { importQdqBytes } from "../../src/adapters/onnx/qdq-import.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { Rng } from "../../src/testing/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import type { ModelSpec, NodeSpec } from "../helpers/onnx-builder.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { bytesOf, f32, scalar } from "../helpers/qdq-models.js";

const MS = "com.microsoft";
const [C, L, N] = [4, 21, 5];

function chainModel(): ModelSpec {
  const p = (name: string, s: number, z: number): Record<string, Tensor> => ({ [`${name}_s`]: scalar("f32", s), [`${name}_z`]: scalar("u8", z) });
  const ms = (op: string, inputs: string[], out: string, attrs?: NodeSpec["attrs"], floatAttrs?: string[]): NodeSpec => ({ op, domain: MS, inputs, outputs: [out], name: out, attrs, floatAttrs });
  const w = new Rng(201).uniforms(2 * C * N, -127, 127).map(Math.round);
  const w2 = new Rng(202).uniforms(N * 2 * C, -127, 127).map(Math.round);
  return {
    opset: 13,
    inputs: [{ name: "x", shape: [1, C, L] }],
    outputs: [{ name: "cat", shape: [1, 2 * C, L], dtype: "u8" }, { name: "gq", shape: [1, N], dtype: "u8" }, { name: "hq", shape: [1, N], dtype: "i8" }, { name: "h", shape: [1, N] }],
    initializers: {
      ...p("x", 0.05, 128), ...p("s", 1 / 256, 0), ...p("l", 0.04, 40), ...p("a", 0.06, 60), ...p("m", 0.08, 100), ...p("c", 0.07, 90),
      ...p("p", 0.02, 110), ...p("g", 0.1, 128),
      shape2: fromNumbers("i64", [2], [1, 2 * C]),
      B: fromNumbers("i8", [2 * C, N], w), b_s: fromNumbers("f32", [N], new Rng(203).uniforms(N, 0.002, 0.01).map(Math.fround)), b_z: fromNumbers("i8", [N], new Array(N).fill(0)),
      Cb: fromNumbers("i32", [N], new Rng(204).uniforms(N, -2000, 2000).map(Math.round)),
      W2: fromNumbers("i8", [N, 2 * C], w2), w2_s: fromNumbers("f32", [N], new Rng(205).uniforms(N, 0.003, 0.02).map(Math.fround)), w2_z: fromNumbers("i8", [N], new Array(N).fill(0)),
      B2: fromNumbers("i32", [N], new Rng(206).uniforms(N, -3000, 3000).map(Math.round)), h_s: scalar("f32", 0.05), h_z: scalar("i8", -3),
    },
    nodes: [
      { op: "QuantizeLinear", inputs: ["x", "x_s", "x_z"], outputs: ["xq"], name: "qx" },
      ms("QLinearSigmoid", ["xq", "x_s", "x_z", "s_s", "s_z"], "sg"),
      ms("QLinearLeakyRelu", ["xq", "x_s", "x_z", "l_s", "l_z"], "lr", { alpha: 0.2 }, ["alpha"]),
      ms("QLinearAdd", ["sg", "s_s", "s_z", "lr", "l_s", "l_z", "a_s", "a_z"], "ad"),
      ms("QLinearMul", ["ad", "a_s", "a_z", "xq", "x_s", "x_z", "m_s", "m_z"], "mu"),
      ms("QLinearConcat", ["c_s", "c_z", "ad", "a_s", "a_z", "mu", "m_s", "m_z"], "cat", { axis: 1 }),
      ms("QLinearGlobalAveragePool", ["cat", "c_s", "c_z", "p_s", "p_z"], "gap"),
      { op: "Reshape", inputs: ["gap", "shape2"], outputs: ["flat"], name: "flat" },
      ms("QGemm", ["flat", "p_s", "p_z", "B", "b_s", "b_z", "Cb", "g_s", "g_z"], "gq"),
      // The same features through a QDQ Gemm (transB = 1, per-channel weights, int32 bias).
      { op: "DequantizeLinear", inputs: ["flat", "p_s", "p_z"], outputs: ["flat_f"], name: "dq_flat" },
      { op: "DequantizeLinear", inputs: ["W2", "w2_s", "w2_z"], outputs: ["w2_f"], name: "dq_w2", attrs: { axis: 0 } },
      { op: "DequantizeLinear", inputs: ["B2", "b2_s"], outputs: ["b2_f"], name: "dq_b2", attrs: { axis: 0 } },
      { op: "Gemm", inputs: ["flat_f", "w2_f", "b2_f"], outputs: ["hg"], name: "gemm", attrs: { transB: 1 } },
      { op: "QuantizeLinear", inputs: ["hg", "h_s", "h_z"], outputs: ["hq"], name: "q_h" },
      { op: "DequantizeLinear", inputs: ["hq", "h_s", "h_z"], outputs: ["h"], name: "dq_h" },
    ],
  };
}

function withBiasScale(spec: ModelSpec): ModelSpec {
  // The int32 bias of the QDQ Gemm is quantized at s_x * s_w[c] (here s_x = p_s = 0.02).
  const ws = Array.from(spec.initializers!["w2_s"]!.data as Float32Array);
  return { ...spec, initializers: { ...spec.initializers, b2_s: fromNumbers("f32", [N], ws.map((s) => Math.fround(Math.fround(0.02) * s))) } };
}

/** DQ(a) x DQ(b) -> Q, batched: a [2, 7, 8] u8 and b [2, 8, 5] i8, as attention's scores.V. */
function attentionModel(): ModelSpec {
  return {
    opset: 13,
    inputs: [{ name: "a", shape: [2, 7, 8] }, { name: "b", shape: [2, 8, 5] }],
    outputs: [{ name: "yq", shape: [2, 7, 5], dtype: "u8" }, { name: "y", shape: [2, 7, 5] }],
    initializers: {
      a_s: scalar("f32", 0.05), a_z: scalar("u8", 120), b_s: scalar("f32", 0.03), b_z: scalar("i8", -5), y_s: scalar("f32", 0.08), y_z: scalar("u8", 128),
    },
    nodes: [
      { op: "QuantizeLinear", inputs: ["a", "a_s", "a_z"], outputs: ["aq"], name: "qa" },
      { op: "QuantizeLinear", inputs: ["b", "b_s", "b_z"], outputs: ["bq"], name: "qb" },
      { op: "DequantizeLinear", inputs: ["aq", "a_s", "a_z"], outputs: ["ad"], name: "dqa" },
      { op: "DequantizeLinear", inputs: ["bq", "b_s", "b_z"], outputs: ["bd"], name: "dqb" },
      { op: "MatMul", inputs: ["ad", "bd"], outputs: ["m"], name: "scores_v" },
      { op: "QuantizeLinear", inputs: ["m", "y_s", "y_z"], outputs: ["yq"], name: "qy" },
      { op: "DequantizeLinear", inputs: ["yq", "y_s", "y_z"], outputs: ["y"], name: "dqy" },
    ],
  };
}

const bytes = bytesOf(withBiasScale(chainModel()));
const g = importQdqBytes(bytes, "chain.onnx");
const SETS = [1, 2, 3].map((seed) => ({ x: f32([1, C, L], new Rng(300 + seed).uniforms(C * L, -6, 6)) }));
const REFS = SETS.map((s) => runGraph(g, s));
const ga = importQdqBytes(bytesOf(attentionModel()), "attention.onnx");
const ASETS = [1, 2].map((seed) => ({ a: f32([2, 7, 8], new Rng(400 + seed).uniforms(112, -6, 6)), b: f32([2, 8, 5], new Rng(500 + seed).uniforms(80, -3.5, 3.5)) }));
const AREFS = ASETS.map((s) => runGraph(ga, s));

describe("C of an imported QOperator + QDQ model matches the interpreter bit for bit", () => {
  it("imports to integer ops only, with half-even rounding", () => {
    expect(g.nodes.map((n) => n.op)).toEqual([
      "Quantize", "QLookup", "QLookup", "QAdd", "QMul", "QConcat", "QConv", "Reshape", "QMatMul", "QMatMul", "Dequantize",
    ]);
    expect(g.nodes.filter((n) => "rounding" in n.attrs).every((n) => n.attrs["rounding"] === "half-even")).toBe(true);
    // Not trivial: the outputs take many values.
    expect(new Set(REFS[0]!["cat"]!.data as Uint8Array).size).toBeGreaterThan(20);
    expect(ga.nodes.map((n) => n.op)).toEqual(["Quantize", "Quantize", "QMatMul", "Dequantize"]);
    expect(new Set(AREFS[0]!["yq"]!.data as Uint8Array).size).toBeGreaterThan(20);
  });

  itOnRigs(ALL_RIGS, (target, rig) => {
    checkBitExact(g, target, rig, SETS, { expected: REFS, name: g.name });
    checkBitExact(ga, target, rig, ASETS, { expected: AREFS, name: ga.name });
  });
});
