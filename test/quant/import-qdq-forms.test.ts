// QDQ forms of the `import-qdq` import beyond Conv/MatMul: Gemm in QDQ form (transB 0 and 1) to
// QMatMul with the formula's numbers; a MatMul of two dequantized activations (attention) to a
// QMatMul with both zero points, and a Gemm with a transposed run-time B staying float with its
// reason; blocked (opset 21 block_size) weights dequantized to float with a logged message, and
// blocked activations refused with one sentence naming the node; the import summary.
import { describe, expect, it } from "vitest";
import { decodeModel, importOnnxBytes } from "../../src/adapters/onnx/index.js";
import { importQdqBytes, importQdqModel } from "../../src/adapters/onnx/qdq-import.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { formatQdqSummary } from "../../passes/import-qdq/index.js";
import { verifyGraph } from "../../ir/verify.js";
import { fromNumbers } from "../../ir/types.js";
import type { NodeSpec } from "../helpers/onnx-builder.js";
import { runOrt } from "../helpers/ort.js";
import { agreement, bytesOf, f32, pct, q, qModel, quantized, scalar, uniform } from "./import-qdq-models.js";

const fr = Math.fround;

describe("Gemm in QDQ form", () => {
  for (const transB of [0, 1] as const) {
    it(`DQ(x), DQ(W per channel), DQ(int32 bias) -> Gemm(transB=${transB}) -> Q becomes one QMatMul with the formula's numbers`, async () => {
      const [M, K, N] = [40, 24, 7];
      const [sx, zx, sy, zy] = [0.04, 128, 0.09, 100];
      const x = uniform(M * K, -4, 4, 101);
      const w = uniform(K * N, -127, 127, 102).map(Math.round); // logical [K, N]
      const sw = uniform(N, 0.002, 0.02, 103).map(fr);
      const b = uniform(N, -5000, 5000, 104).map(Math.round);
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
      console.log(`Gemm transB=${transB}: ${a.n} values; QMatMul ${pct(a.exact, a.n)} exact; float QDQ graph ${pct(fl.exact, fl.n)} (max ${fl.max}); onnxruntime ${pct(o.exact, o.n)} (max ${o.max})`);
      expect(a.exact).toBe(a.n);
      expect(o.max).toBeLessThanOrEqual(1);
    });
  }

  it("a Gemm with alpha != 1 stays float, and says why", () => {
    const spec = qModel([{ name: "x", shape: [2, 4], dtype: "i8", scale: 0.1, zeroPoint: 0 }],
      { op: "DequantizeLinear", inputs: ["x", "x_s", "x_z"], outputs: ["xd"], name: "dqx" }, { name: "y", shape: [2, 3], dtype: "i8" }, {
        W: fromNumbers("i8", [4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), w_s: scalar("f32", 0.01), y_s: scalar("f32", 0.05), y_z: scalar("i8", 0),
      });
    spec.nodes.push(
      { op: "DequantizeLinear", inputs: ["W", "w_s"], outputs: ["wd"], name: "dqw" },
      { op: "Gemm", inputs: ["xd", "wd"], outputs: ["g"], name: "gemm", attrs: { alpha: 0.5 }, floatAttrs: ["alpha"] },
      { op: "QuantizeLinear", inputs: ["g", "y_s", "y_z"], outputs: ["y"], name: "qy" },
    );
    const { graph, summary } = importQdqModel(decodeModel(bytesOf(spec), "alpha.onnx"), "alpha.onnx");
    expect(graph.nodes.map((n) => n.op)).toEqual(["Quantize", "Dequantize", "Gemm", "Quantize"]);
    expect(summary.float).toEqual([{ node: "gemm", op: "Gemm", reason: expect.stringMatching(/alpha = 0\.5 and beta = 1: only alpha = beta = 1/) }]);
  });
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
    const av = uniform(B * M * K, -6, 6, 111), bv = uniform(B * K * N, -2.4, 2.4, 112);
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
    console.log(`MatMul of two activations: ${a.n} values; QMatMul ${pct(a.exact, a.n)} exact; onnxruntime ${pct(o.exact, o.n)} (max ${o.max})`);
    expect(a.max).toBeLessThanOrEqual(1);
    expect(a.exact / a.n).toBeGreaterThanOrEqual(0.99);
    expect(o.max).toBeLessThanOrEqual(1);
  });

  it("a Gemm with a transposed B computed at run time stays float, and says why", () => {
    const spec = qModel([
      { name: "a", shape: [3, 4], dtype: "u8", scale: 0.05, zeroPoint: 128 },
      { name: "b", shape: [2, 4], dtype: "u8", scale: 0.02, zeroPoint: 120 },
    ], { op: "DequantizeLinear", inputs: ["a", "a_s", "a_z"], outputs: ["ad"], name: "dqa" }, { name: "y", shape: [3, 2], dtype: "u8" }, {
      y_s: scalar("f32", 0.03), y_z: scalar("u8", 128),
    });
    spec.nodes.push(
      { op: "DequantizeLinear", inputs: ["b", "b_s", "b_z"], outputs: ["bd"], name: "dqb" },
      { op: "Gemm", inputs: ["ad", "bd"], outputs: ["m"], name: "gemm", attrs: { transB: 1 } },
      { op: "QuantizeLinear", inputs: ["m", "y_s", "y_z"], outputs: ["y"], name: "qy" },
    );
    const bytes = bytesOf(spec);
    const { graph, summary } = importQdqModel(decodeModel(bytes, "g.onnx"), "g.onnx");
    expect(graph.nodes.map((n) => n.op)).toEqual(["Quantize", "Quantize", "Dequantize", "Dequantize", "Gemm", "Quantize"]);
    expect(summary.float).toEqual([{ node: "gemm", op: "Gemm", reason: "its B is computed at run time" }]);
    const feeds = { a_f: f32([3, 4], uniform(12, -3, 3, 113)), b_f: f32([2, 4], uniform(8, -2, 2, 114)) };
    expect(Array.from(runGraph(graph, feeds).y!.data as Uint8Array)).toEqual(Array.from(runGraph(importOnnxBytes(bytes, "g.onnx"), feeds).y!.data as Uint8Array));
  });
});

describe("blocked quantization (opset 21 block_size)", () => {
  it("blocked weights are dequantized to float32 at import, with a logged message; the MatMul stays float", () => {
    const [K, N, bs] = [8, 3, 4];
    const spec = qModel([{ name: "x", shape: [2, K], dtype: "i8", scale: 0.1, zeroPoint: 0 }],
      { op: "DequantizeLinear", inputs: ["x", "x_s", "x_z"], outputs: ["xd"], name: "dqx" }, { name: "y", shape: [2, N], dtype: "i8" }, {
        W: fromNumbers("i8", [K, N], uniform(K * N, -100, 100, 121).map(Math.round)),
        w_s: fromNumbers("f32", [K / bs, N], [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]),
        y_s: scalar("f32", 0.05), y_z: scalar("i8", 0),
      }, 21);
    spec.nodes.push(
      { op: "DequantizeLinear", inputs: ["W", "w_s"], outputs: ["wd"], name: "dqw", attrs: { axis: 0, block_size: bs } },
      { op: "MatMul", inputs: ["xd", "wd"], outputs: ["m"], name: "mm" },
      { op: "QuantizeLinear", inputs: ["m", "y_s", "y_z"], outputs: ["y"], name: "qy" },
    );
    const bytes = bytesOf(spec);
    const logs: string[] = [];
    const { graph, summary } = importQdqModel(decodeModel(bytes, "blocked.onnx"), "blocked.onnx", undefined, { log: (m) => logs.push(m) });
    expect(logs).toEqual([expect.stringMatching(/^node "dqw" \(DequantizeLinear\): blocked quantization \(block_size 4 along axis 0\) of the weights "W" .* dequantized to float32/)]);
    expect(summary.blockedWeights).toEqual(["W"]);
    expect(graph.nodes.map((n) => n.op)).toEqual(["Quantize", "Dequantize", "MatMul", "Quantize"]);
    expect(graph.constants["wd"]?.dtype).toBe("f32");
    const feeds = { x_f: f32([2, K], uniform(2 * K, -3, 3, 122)) };
    expect(Array.from(runGraph(graph, feeds).y!.data as Int8Array)).toEqual(Array.from(runGraph(importOnnxBytes(bytes, "blocked.onnx"), feeds).y!.data as Int8Array));
  });

  it("a blocked activation is refused with one sentence naming the node", () => {
    const spec = qModel([{ name: "x", shape: [2, 8], dtype: "i8", scale: 0.1, zeroPoint: 0 }],
      { op: "DequantizeLinear", inputs: ["x", "bs_s"], outputs: ["xd"], name: "dq_blocked", attrs: { axis: 1, block_size: 4 } },
      { name: "xd", shape: [2, 8], dtype: "f32" }, { bs_s: fromNumbers("f32", [2, 2], [0.1, 0.2, 0.3, 0.4]) }, 21);
    expect(() => importQdqBytes(bytesOf(spec), "act.onnx")).toThrow(
      /^act\.onnx: node "dq_blocked" \(DequantizeLinear\): blocked quantization \(block_size 4 along axis 1\) of the run-time value "x" cannot be imported, because neonc's integer types have one scale per tensor or per channel$/,
    );
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
