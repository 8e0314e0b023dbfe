// ArgMax/ArgMin, CumSum, Trilu and Einsum beyond ONNX's node tests (test/ops/onnx-node-extra):
// type rules on a symbolic time axis, ONNX's input forms read into attributes at import, errors
// that name the problem, and the way back: exported at opset 21, onnxruntime computes what the
// interpreter computes, and importing the export gives the same IR.
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { dimToString, parseDim } from "../../../ir/dim.js";
import { printGraph } from "../../../ir/text/index.js";
import { fromNumbers, makeTensor, toNumbers, type Tensor } from "../../../ir/types.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { evalOp, inferOp } from "../../helpers/op-harness.js";

const T = parseDim("T");
const shapeOf = (s: readonly unknown[]) => s.map((d) => dimToString(d as never));
const i64 = (shape: number[], values: number[]): Tensor => fromNumbers("i64", shape, values);
const f32 = (shape: number[], values: number[]): Tensor => fromNumbers("f32", shape, values);

describe("type rules on a symbolic time axis", () => {
  it("ArgMax over classes keeps T, with or without the reduced axis", () => {
    expect(shapeOf(inferOp("ArgMax", [{ dtype: "f32", shape: [1, 29, T] }], { axis: 1, keepdims: 0 })[0]!.shape)).toEqual(["1", "T"]);
    const t = inferOp("ArgMin", [{ dtype: "f32", shape: [1, T, 29] }], { axis: -1 })[0]!;
    expect([t.dtype, ...shapeOf(t.shape)]).toEqual(["i64", "1", "T", "1"]);
    expect(() => inferOp("ArgMax", [{ dtype: "f32", shape: [2, 3] }], { axis: 2 })).toThrow(/axis 2 is out of range for rank 2/);
  });
  it("Trilu and CumSum keep the shape; Trilu needs two axes", () => {
    expect(shapeOf(inferOp("Trilu", [{ dtype: "f32", shape: [T, T] }], { k: 1 })[0]!.shape)).toEqual(["T", "T"]);
    expect(shapeOf(inferOp("CumSum", [{ dtype: "i64", shape: [1, T] }], { axis: 1 })[0]!.shape)).toEqual(["1", "T"]);
    expect(() => inferOp("Trilu", [{ dtype: "f32", shape: [T] }])).toThrow(/rank 2 or more/);
    expect(() => inferOp("CumSum", [{ dtype: "bool", shape: [3] }], { axis: 0 })).toThrow(/dtype bool is not supported/);
  });
  it("Einsum attention scores are [N, H, T, T]; labels must agree", () => {
    const q = { dtype: "f32" as const, shape: [1, 2, T, 16] };
    expect(shapeOf(inferOp("Einsum", [q, q], { equation: "bhtd,bhsd->bhts" })[0]!.shape)).toEqual(["1", "2", "T", "T"]);
    expect(shapeOf(inferOp("Einsum", [q], { equation: "...td->...dt" })[0]!.shape)).toEqual(["1", "2", "16", "T"]);
    expect(shapeOf(inferOp("Einsum", [{ dtype: "f32", shape: [3, 4] }, { dtype: "f32", shape: [4, 5] }], { equation: "ij,jk" })[0]!.shape)).toEqual(["3", "5"]);
    expect(() => inferOp("Einsum", [q, { dtype: "f32", shape: [1, 2, T, 8] }], { equation: "bhtd,bhsd->bhts" })).toThrow(/label 'd' has size 16 and 8/);
    expect(() => inferOp("Einsum", [q], { equation: "bhtd->bhtx" })).toThrow(/output label 'x' is in no operand/);
    expect(() => inferOp("Einsum", [q], { equation: "bh2d" })).toThrow(/character '2'/);
    expect(() => inferOp("Einsum", [q, q], { equation: "bhtd" })).toThrow(/1 operand terms for 2 inputs/);
  });
});

describe("values", () => {
  it("ArgMax takes the first of equal maxima (or the last), NaN as the largest; ArgMin the smallest", () => {
    const x = f32([2, 4], [1, 3, 3, 0, NaN, 2, NaN, 5]);
    expect(toNumbers(evalOp("ArgMax", [x], { axis: 1, keepdims: 0 })[0]!)).toEqual([1, 0]);
    expect(toNumbers(evalOp("ArgMax", [x], { axis: 1, keepdims: 0, select_last_index: 1 })[0]!)).toEqual([2, 2]);
    expect(toNumbers(evalOp("ArgMin", [x], { axis: 0 })[0]!)).toEqual([1, 1, 1, 0]); // NaN wins for ArgMin too (numpy)
    const big = makeTensor("i64", [3], BigInt64Array.of(-(2n ** 62n), 2n ** 62n + 1n, 2n ** 62n));
    expect(toNumbers(evalOp("ArgMax", [big], { axis: 0 })[0]!)).toEqual([1]);
  });
  it("CumSum sums in f32 as a float32 accumulator would, and wraps int64", () => {
    const x = f32([4], [1e8, 1, 1, 1]);
    expect(toNumbers(evalOp("CumSum", [x], { axis: 0 })[0]!)).toEqual([1e8, 1e8, 1e8, 1e8]);
    const w = makeTensor("i64", [2], BigInt64Array.of(2n ** 63n - 1n, 1n));
    expect(Array.from(evalOp("CumSum", [w], { axis: 0 })[0]!.data as BigInt64Array)).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
  });
});

describe("through ONNX and back", () => {
  // A greedy CTC head, a causal mask and attention scores on a symbolic T, as torch exports them:
  // CumSum's axis and Trilu's k are inputs (constants here), Einsum has its equation.
  const model = buildModel({
    opset: 14,
    inputs: [{ name: "x", shape: [1, "T", 4] }],
    outputs: [
      { name: "ids", elemType: 7, shape: [1, "T"] }, { name: "pos", elemType: 7, shape: [1, "T"] },
      { name: "masked", shape: [1, "T", "T"] }, { name: "low", shape: [1, "T", "T"] },
    ],
    initializers: { axis: i64([], [1]), k1: i64([], [1]), km1: i64([], [-1]) },
    nodes: [
      { op: "ArgMax", inputs: ["x"], outputs: ["ids"], attrs: { axis: -1, keepdims: 0 } },
      { op: "CumSum", inputs: ["ids", "axis"], outputs: ["pos"], attrs: { exclusive: 1 } },
      { op: "Einsum", inputs: ["x", "x"], outputs: ["scores"], attrs: { equation: "btd,bsd->bts" } },
      { op: "Trilu", inputs: ["scores", "k1"], outputs: ["masked"] },
      { op: "Trilu", inputs: ["scores", "km1"], outputs: ["low"], attrs: { upper: 0 } },
    ],
  });
  const x = f32([1, 5, 4], Array.from({ length: 20 }, (_, i) => Math.sin(i * 1.7) * 3));

  it("imports with the constant inputs read into attributes", () => {
    const g = importOnnxBytes(model, "heads.onnx");
    expect(g.nodes.map((n) => [n.op, n.inputs.length, n.attrs])).toEqual([
      ["ArgMax", 1, { axis: -1, keepdims: 0 }], ["CumSum", 1, { axis: 1, exclusive: 1 }], ["Einsum", 2, { equation: "btd,bsd->bts" }],
      ["Trilu", 1, { k: 1 }], ["Trilu", 1, { upper: 0, k: -1 }],
    ]);
    expect(shapeOf(g.types["masked"]!.shape)).toEqual(["1", "T", "T"]);
  });

  it("refuses an axis or k computed at run time, naming the node", () => {
    const bad = buildModel({
      opset: 14, inputs: [{ name: "x", shape: [3, 3] }, { name: "k", elemType: 7, shape: [] }], outputs: [{ name: "y", shape: [3, 3] }],
      nodes: [{ op: "Trilu", name: "mask", inputs: ["x", "k"], outputs: ["y"] }],
    });
    expect(() => importOnnxBytes(bad, "bad.onnx")).toThrow(/bad.onnx: node "mask" \(Trilu\): its k input "k" is computed at run time/);
  });

  it("exports at opset 21: onnxruntime computes the interpreter's numbers, and it imports back the same", async () => {
    const g = importOnnxBytes(model, "heads.onnx");
    const ours = runGraph(g, { x });
    const bytes = exportOnnx(g);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const theirs = await session.run({ x: new ort.Tensor("float32", x.data as Float32Array, [1, 5, 4]) });
    for (const o of g.outputs) {
      const a = toNumbers(ours[o]!), b = Array.from(theirs[o]!.data as ArrayLike<number | bigint>, Number);
      expect(a.length, o).toBe(b.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${o}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
    }
    await session.release();
    const again = importOnnxBytes(bytes, "again.onnx");
    expect(printGraph(again).replace(/^meta.*\n/m, "")).toBe(printGraph(g).replace(/^meta.*\n/m, ""));
  });
});
