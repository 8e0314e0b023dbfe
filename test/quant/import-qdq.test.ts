// Import of quantized ONNX into the integer IR (passes/import-qdq/index.ts): neonc's own QDQ export read
// back must give the same integer ops with half-even rounding and the same numbers within 1 LSB;
// a hand-built QLinearConv model (uint8 activations, per-channel weights) must lower to QConv and
// compute exactly what ONNX's QLinearConv means.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxBytes, importOnnxFile } from "../../src/adapters/onnx/index.js";
import { importQdqBytes } from "../../src/adapters/onnx/qdq-import.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import { calibrate } from "../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { exportOnnx } from "../../src/adapters/onnx/export.js";
import { makeGraph, type Graph } from "../../ir/graph.js";
import { verifyGraph } from "../../ir/verify.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { sharedPath } from "../helpers/shared.js";

const dir = sharedPath("asr-digits");
const BOUNDARY = new Set(["Quantize", "Dequantize", "LogSoftmax", "Softmax"]);

function compareInt(a: Int8Array, b: Int8Array): { n: number; exact: number; within1: number; max: number } {
  let exact = 0, within1 = 0, max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d === 0) exact++;
    if (d <= 1) within1++;
    max = Math.max(max, d);
  }
  return { n: a.length, exact, within1, max };
}

describe.runIf(dir !== undefined)("QDQ round trip of asr-digits int8", () => {
  for (const rounding of ["half-even", "gemmlowp"] as const) {
    it(`export -> import -> import-qdq gives the same integer graph (quantized with ${rounding})`, () => {
      const D = dir!;
      const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
      const cal = calibrate(g, readCalibrationDir(path.join(D, "dev"), g, { offset: 400, limit: 3 }));
      const q = quantizeGraph(g, cal.ranges, { rounding });
      const deq = q.nodes.filter((n) => n.op === "Dequantize");
      const last = deq[deq.length - 1]!.inputs[0]!;
      const probe = makeGraph({ ...q, outputs: [...q.outputs, last] });
      const back = importQdqBytes(exportOnnx(probe), "asr-digits.int8.onnx");
      verifyGraph(back);
      const count = (h: Graph, op: string) => h.nodes.filter((n) => n.op === op).length;
      for (const op of ["QConv", "QAdd", "Quantize", "Dequantize"]) expect(count(back, op), op).toBe(count(q, op));
      expect(back.nodes.filter((n) => !n.op.startsWith("Q") && !BOUNDARY.has(n.op)).map((n) => n.op)).toEqual([]);
      expect(back.nodes.filter((n) => "rounding" in n.attrs).every((n) => n.attrs["rounding"] === "half-even")).toBe(true);

      let n = 0, exact = 0, within1 = 0, max = 0;
      for (const s of readCalibrationDir(path.join(D, "dev"), g, { offset: 0, limit: 1 })) {
        const a = runGraph(probe, s)[last]!.data as Int8Array;
        const b = runGraph(back, s)[last]!.data as Int8Array;
        const c = compareInt(a, b);
        n += c.n; exact += c.exact; within1 += c.within1; max = Math.max(max, c.max);
      }
      console.log(`round trip (${rounding} -> half-even) at ${last}: ${n} int8 values, exact ${(100 * exact / n).toFixed(2)}%, within 1 LSB ${(100 * within1 / n).toFixed(2)}%, max |diff| ${max}`);
      expect(within1 / n).toBeGreaterThanOrEqual(0.99);
    }, 60_000);
  }
});

/** x (f32) -> QuantizeLinear u8 -> QLinearConv (per-channel int8 w, int32 B) -> DequantizeLinear. */
function qlinearConvModel(): Graph {
  const M = 3, C = 2, K = 3;
  const w = fromNumbers("i8", [M, C, K], Array.from({ length: M * C * K }, (_, i) => ((i * 37) % 255) - 127));
  const c = (dt: "f32" | "u8" | "i8" | "i32", shape: number[], v: number[]): Tensor => fromNumbers(dt, shape, v);
  const constants: Record<string, Tensor> = {
    xs: c("f32", [], [0.05]), xz: c("u8", [], [120]), w,
    ws: c("f32", [M], [0.01, 0.02, 0.004]), wz: c("i8", [M], [0, 0, 0]),
    ys: c("f32", [], [0.3]), yz: c("u8", [], [100]), B: c("i32", [M], [500, -1200, 77]),
  };
  const types: Graph["types"] = Object.fromEntries(Object.entries(constants).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
  return makeGraph({
    name: "qlinear", inputs: ["x"], outputs: ["y"],
    nodes: [
      { name: "q", op: "QuantizeLinear", inputs: ["x", "xs", "xz"], outputs: ["xq"], attrs: {} },
      { name: "conv", op: "QLinearConv", inputs: ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "B"], outputs: ["yq"], attrs: { pads: [1, 1] } },
      { name: "dq", op: "DequantizeLinear", inputs: ["yq", "ys", "yz"], outputs: ["y"], attrs: {} },
    ],
    types: { ...types, x: { dtype: "f32", shape: [1, C, 16] }, xq: { dtype: "u8", shape: [1, C, 16] }, yq: { dtype: "u8", shape: [1, M, 16] }, y: { dtype: "f32", shape: [1, M, 16] } },
    constants,
  });
}

describe("QLinearConv import", () => {
  it("lowers a hand-built QLinearConv model to QConv with the same numbers", () => {
    const bytes = exportOnnx(qlinearConvModel());
    const ref = importOnnxBytes(bytes, "qlinear.onnx");
    const low = importQdqBytes(bytes, "qlinear.onnx");
    verifyGraph(low);
    expect(low.nodes.map((n) => n.op)).toEqual(["Quantize", "QConv", "Dequantize"]);
    const qc = low.nodes[1]!;
    expect(qc.attrs["rounding"]).toBe("half-even");
    expect(qc.attrs["x_zero_point"]).toBe(120);
    expect(qc.attrs["y_zero_point"]).toBe(100);
    expect(qc.attrs["out_dtype"]).toBe("u8");
    const x = fromNumbers("f32", [1, 2, 16], Array.from({ length: 32 }, (_, i) => Math.sin(i * 0.7) * 5 + 0.013));
    const a = runGraph(ref, { x }).y!.data as Float32Array;
    const b = runGraph(low, { x }).y!.data as Float32Array;
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it("lowers a QDQ Conv written the way onnxruntime's tool writes it (Q -> DQ pairs, per-channel DQ weights)", () => {
    const M = 2, C = 2, K = 3;
    const c = (dt: "f32" | "u8" | "i8" | "i32", shape: number[], v: number[]): Tensor => fromNumbers(dt, shape, v);
    const constants: Record<string, Tensor> = {
      xs: c("f32", [], [0.04]), xz: c("u8", [], [128]),
      wq: c("i8", [M, C, K], [10, -20, 30, 40, -50, 60, -70, 80, -90, 100, -110, 120]), ws: c("f32", [M], [0.01, 0.003]), wz: c("i8", [M], [0, 0]),
      bq: c("i32", [M], [1000, -500]), bs: c("f32", [M], [0.0004, 0.00012]),
      ys: c("f32", [], [0.02]), yz: c("u8", [], [0]),
    };
    const types: Graph["types"] = Object.fromEntries(Object.entries(constants).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
    const g = makeGraph({
      name: "qdq", inputs: ["x"], outputs: ["y"],
      nodes: [
        { name: "q", op: "QuantizeLinear", inputs: ["x", "xs", "xz"], outputs: ["xq"], attrs: {} },
        { name: "dqx", op: "DequantizeLinear", inputs: ["xq", "xs", "xz"], outputs: ["xf"], attrs: {} },
        { name: "dqw", op: "DequantizeLinear", inputs: ["wq", "ws", "wz"], outputs: ["wf"], attrs: { axis: 0 } },
        { name: "dqb", op: "DequantizeLinear", inputs: ["bq", "bs"], outputs: ["bf"], attrs: { axis: 0 } },
        { name: "conv", op: "Conv", inputs: ["xf", "wf", "bf"], outputs: ["c"], attrs: {} },
        { name: "relu", op: "Relu", inputs: ["c"], outputs: ["r"], attrs: {} },
        { name: "qy", op: "QuantizeLinear", inputs: ["r", "ys", "yz"], outputs: ["yq"], attrs: {} },
        { name: "dqy", op: "DequantizeLinear", inputs: ["yq", "ys", "yz"], outputs: ["y"], attrs: {} },
      ],
      types: {
        ...types, x: { dtype: "f32", shape: [1, C, 8] }, xq: { dtype: "u8", shape: [1, C, 8] }, xf: { dtype: "f32", shape: [1, C, 8] },
        wf: { dtype: "f32", shape: [M, C, K] }, bf: { dtype: "f32", shape: [M] }, c: { dtype: "f32", shape: [1, M, 6] },
        r: { dtype: "f32", shape: [1, M, 6] }, yq: { dtype: "u8", shape: [1, M, 6] }, y: { dtype: "f32", shape: [1, M, 6] },
      },
      constants,
    });
    const bytes = exportOnnx(g);
    const low = importQdqBytes(bytes, "qdq.onnx");
    verifyGraph(low);
    expect(low.nodes.map((n) => n.op)).toEqual(["Quantize", "QConv", "Dequantize"]);
    expect(low.nodes[1]!.attrs["qmin"]).toBe(0);
    const x = fromNumbers("f32", [1, C, 8], Array.from({ length: 16 }, (_, i) => Math.cos(i) * 4 + 0.011));
    const a = runGraph(importOnnxBytes(bytes, "qdq.onnx"), { x }).y!.data as Float32Array;
    const b = runGraph(low, { x }).y!.data as Float32Array;
    // The float reference rounds conv results computed in float32; the integer one is exact.
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    expect(diff).toBeLessThanOrEqual(0.02 + 1e-6);
  });
});
