// QDQ models as ONNX bytes through importQdqBytes, against the formula computed by hand and
// against onnxruntime-node: Gemm in QDQ form (transB 0 and 1) and a MatMul of two dequantized
// activations (attention); and the import summary. What import-qdq makes of each form, what it
// declines and why, and blocked quantization are golden fixtures (test/passes/import-qdq/golden/).
import { describe, expect, it } from "vitest";
import { decodeModel, importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { importQdqBytes, importQdqModel } from "../../../src/adapters/onnx/qdq-import.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { Rng, agreement, percent } from "../../../src/testing/index.js";
import { formatQdqSummary } from "../../../passes/import-qdq/index.js";
import { verifyGraph } from "../../../ir/verify.js";
import { fromNumbers } from "../../../ir/types.js";
import type { NodeSpec } from "../../helpers/onnx-builder.js";
import { runOrt } from "../../helpers/ort.js";
import { bytesOf, f32, q, qModel, quantized, scalar } from "../../helpers/qdq-models.js";

const fr = Math.fround;

describe("Gemm in QDQ form", () => {
  for (const transB of [0, 1] as const) {
    it(`DQ(x), DQ(W per channel), DQ(int32 bias) -> Gemm(transB=${transB}) -> Q becomes one QMatMul with the formula's numbers`, async () => {
      const [M, K, N] = [40, 24, 7];
      const [sx, zx, sy, zy] = [0.04, 128, 0.09, 100];
      const x = new Rng(101).uniforms(M * K, -4, 4);
      const w = new Rng(102).uniforms(K * N, -127, 127).map(Math.round); // logical [K, N]
      const sw = new Rng(103).uniforms(N, 0.002, 0.02).map(fr);
      const b = new Rng(104).uniforms(N, -5000, 5000).map(Math.round);
      const stored = transB ? Array.from({ length: N * K }, (_, i) => w[(i % K) * N + Math.floor(i / K)]!) : w;
      const nodes: NodeSpec[] = [
        { op: "DequantizeLinear", inputs: ["x", "x_s", "x_z"], outputs: ["xd"], name: "dqx" },
        { op: "DequantizeLinear", inputs: ["W", "w_s", "w_z"], outputs: ["wd"], name: "dqw", attrs: { axis: transB ? 0 : 1 } },
        { op: "DequantizeLinear", inputs: ["B", "b_s"], outputs: ["bd"], name: "dqb", attrs: { axis: 0 } },
        { op: "Gemm", inputs: ["xd", "wd", "bd"], outputs: ["g"], name: "gemm", attrs: { transB } },
        { op: "QuantizeLinear", inputs: ["g", "y_s", "y_z"], outputs: ["y"], name: "qy" },
      ];
      const spec = qModel([{ name: "x", shape: [M, K], dtype: "u8", scale: sx, zeroPoint: zx }], nodes[0]!, { name: "y", shape: [M, N], dtype: "u8" }, {
        W: fromNumbers("i8", transB ? [N, K] : [K, N], stored), w_s: fromNumbers("f32", [N], sw), w_z: fromNumbers("i8", [N], new Array(N).fill(0)),
        B: fromNumbers("i32", [N], b), b_s: fromNumbers("f32", [N], sw.map((s) => fr(fr(sx) * s))), y_s: scalar("f32", sy), y_z: scalar("u8", zy),
      });
      spec.nodes.push(...nodes.slice(1));
      const bytes = bytesOf(spec);
      const low = importQdqBytes(bytes, "gemm.onnx");
      verifyGraph(low);
      expect(low.nodes.map((n) => n.op)).toEqual(["Quantize", "QMatMul"]);
      expect(low.nodes[1]!.attrs["rounding"]).toBe("half-even");
      const xq = quantized(x, sx, zx, "u8");
      const expected: number[] = [];
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let acc = b[n]!;
          for (let k = 0; k < K; k++) acc += (xq[m * K + k]! - zx) * w[k * N + n]!;
          expected.push(q((fr(sx) * sw[n]! * acc) / fr(sy), zy, "u8"));
        }
      }
      const feeds = { x_f: f32([M, K], x) };
      const got = runGraph(low, feeds).y!.data as Uint8Array;
      const a = agreement(got, expected);
      // The float QDQ graph (plain import) and onnxruntime, which fuses the group into its integer Gemm.
      const fl = agreement(runGraph(importOnnxBytes(bytes, "gemm.onnx"), feeds).y!.data as Uint8Array, expected);
      const o = agreement((await runOrt(bytes, feeds)).y!, expected);
      console.log(`Gemm transB=${transB}: ${a.n} values; QMatMul ${percent(a.exact, a.n)} exact; float QDQ graph ${percent(fl.exact, fl.n)} (max ${fl.max}); onnxruntime ${percent(o.exact, o.n)} (max ${o.max})`);
      expect(a.exact).toBe(a.n);
      expect(o.max).toBeLessThanOrEqual(1);
    });
  }

});

describe("MatMul of two dequantized activations", () => {
  it("becomes a QMatMul with both zero points, batched as ONNX MatMul, with the formula's numbers", async () => {
    const [B, M, K, N] = [2, 20, 8, 5];
    const [sa, za, sb, zb, sy, zy] = [0.05, 128, 0.02, 120, 0.03, 128];
    const spec = qModel([
      { name: "a", shape: [B, M, K], dtype: "u8", scale: sa, zeroPoint: za },
      { name: "b", shape: [B, K, N], dtype: "u8", scale: sb, zeroPoint: zb },
    ], { op: "DequantizeLinear", inputs: ["a", "a_s", "a_z"], outputs: ["ad"], name: "dqa" }, { name: "y", shape: [B, M, N], dtype: "u8" }, {
      y_s: scalar("f32", sy), y_z: scalar("u8", zy),
    });
    spec.nodes.push(
      { op: "DequantizeLinear", inputs: ["b", "b_s", "b_z"], outputs: ["bd"], name: "dqb" },
      { op: "MatMul", inputs: ["ad", "bd"], outputs: ["m"], name: "attn" },
      { op: "QuantizeLinear", inputs: ["m", "y_s", "y_z"], outputs: ["y"], name: "qy" },
    );
    const bytes = bytesOf(spec);
    const { graph, summary } = importQdqModel(decodeModel(bytes, "attn.onnx"), "attn.onnx");
    verifyGraph(graph);
    expect(graph.nodes.map((n) => n.op)).toEqual(["Quantize", "Quantize", "QMatMul"]);
    expect(graph.nodes[2]!.attrs).toMatchObject({ x_zero_point: za, w_zero_point: zb, rounding: "half-even" });
    expect(summary.float).toEqual([]);
    const av = new Rng(111).uniforms(B * M * K, -6, 6), bv = new Rng(112).uniforms(B * K * N, -2.4, 2.4);
    const aq = quantized(av, sa, za, "u8"), bq = quantized(bv, sb, zb, "u8");
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += (aq[(b * M + m) * K + k]! - za) * (bq[(b * K + k) * N + n]! - zb);
          expected.push(q((fr(sa) * fr(sb) * acc) / fr(sy), zy, "u8"));
        }
      }
    }
    const feeds = { a_f: f32([B, M, K], av), b_f: f32([B, K, N], bv) };
    const a = agreement(runGraph(graph, feeds).y!.data as Uint8Array, expected);
    const o = agreement((await runOrt(bytes, feeds)).y!, expected);
    console.log(`MatMul of two activations: ${a.n} values; QMatMul ${percent(a.exact, a.n)} exact; onnxruntime ${percent(o.exact, o.n)} (max ${o.max})`);
    expect(a.max).toBeLessThanOrEqual(1);
    expect(a.exact / a.n).toBeGreaterThanOrEqual(0.99);
    expect(o.max).toBeLessThanOrEqual(1);
  });

});

describe("import summary", () => {
  it("counts the integer ops and names the float ones", () => {
    const spec = qModel([{ name: "x", shape: [1, 2, 6], dtype: "u8", scale: 0.04, zeroPoint: 128 }],
      { op: "DequantizeLinear", inputs: ["x", "x_s", "x_z"], outputs: ["xd"], name: "dqx" }, { name: "p", shape: [1, 3, 6], dtype: "f32" }, {
        W: fromNumbers("i8", [3, 2, 1], [10, -20, 30, 40, -50, 60]), w_s: scalar("f32", 0.01), y_s: scalar("f32", 0.02), y_z: scalar("u8", 0),
      });
    spec.nodes.push(
      { op: "DequantizeLinear", inputs: ["W", "w_s"], outputs: ["wd"], name: "dqw" },
      { op: "Conv", inputs: ["xd", "wd"], outputs: ["c"], name: "conv" },
      { op: "Relu", inputs: ["c"], outputs: ["r"], name: "relu" },
      { op: "QuantizeLinear", inputs: ["r", "y_s", "y_z"], outputs: ["rq"], name: "qr" },
      { op: "DequantizeLinear", inputs: ["rq", "y_s", "y_z"], outputs: ["rd"], name: "dqr" },
      { op: "Softmax", inputs: ["rd"], outputs: ["p"], name: "softmax", attrs: { axis: 1 } },
    );
    const explained: string[] = [];
    const { graph, summary } = importQdqModel(decodeModel(bytesOf(spec), "sum.onnx"), "sum.onnx", undefined, {
      explain: (e) => explained.push(`${e.op} ${e.node}: ${e.fired ? "->" : "float:"} ${e.message}`),
    });
    expect(graph.nodes.map((n) => n.op)).toEqual(["Quantize", "QConv", "Dequantize", "Softmax"]);
    expect(summary.integer).toEqual({ QConv: 1 });
    expect(formatQdqSummary(summary)).toBe("1 node became integer ops (QConv 1); 1 stayed float (Softmax)");
    expect(explained).toEqual(["Conv conv: -> QConv (rounding half-even)", "Softmax softmax: float: no integer lowering for Softmax"]);
  });
});
