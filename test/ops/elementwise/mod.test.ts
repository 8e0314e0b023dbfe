// Mod: the remainder's sign rule for fmod=0 (divisor's sign, Python's %) and fmod=1 (dividend's,
// C's fmod) on every storage kind, the ONNX rule that floats need fmod=1, and the import of the
// floor division PyTorch exports for encoded lengths ((lengths + 1) // 2), checked against
// onnxruntime.
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { big, infer, nums, run, t, ty } from "./helpers.js";

const bigs = (x: { data: unknown }) => Array.from(x.data as BigInt64Array);

describe("Mod values", () => {
  it("fmod=0 gives the remainder the divisor's sign", () => {
    const a = t("i32", [6], [7, -7, 7, -7, 6, -6]);
    const b = t("i32", [6], [3, 3, -3, -3, 3, -3]);
    expect(nums(run("Mod", [a, b]))).toEqual([1, 2, -2, -1, 0, 0]);
    expect(nums(run("Mod", [t("i8", [3], [-128, 127, -1]), t("i8", [], [10])]))).toEqual([2, 7, 9]);
    expect(nums(run("Mod", [t("u8", [2], [250, 7]), t("u8", [2], [7, 250])]))).toEqual([5, 7]);
  });
  it("fmod=1 gives the remainder the dividend's sign, on integers and floats", () => {
    expect(nums(run("Mod", [t("i32", [4], [7, -7, 7, -7]), t("i32", [4], [3, 3, -3, -3])], { fmod: 1 }))).toEqual([1, -1, 1, -1]);
    expect(nums(run("Mod", [t("f32", [3], [5.5, -5.5, 2]), t("f32", [3], [2, 2, -0.75])], { fmod: 1 }))).toEqual([1.5, -1.5, 0.5]);
    expect(nums(run("Mod", [t("f16", [1], [-7]), t("f16", [1], [4])], { fmod: 1 }))).toEqual([-3]);
  });
  it("keeps all 64 bits of int64, and a zero divisor gives 0 for integers", () => {
    const a = big("i64", [4], [9223372036854775807n, -9223372036854775807n, -5n, 5n]);
    const b = big("i64", [4], [10n, 10n, 0n, 0n]);
    expect(bigs(run("Mod", [a, b]))).toEqual([7n, 3n, 0n, 0n]);
    expect(bigs(run("Mod", [a, b], { fmod: 1 }))).toEqual([7n, -7n, 0n, 0n]);
    expect(nums(run("Mod", [t("i32", [2], [5, -5]), t("i32", [], [0])]))).toEqual([0, 0]);
  });
  it("broadcasts and refuses fmod=0 on floats, as ONNX does", () => {
    expect(infer("Mod", [ty("i64", [1, 4]), ty("i64", [])]).dtype).toBe("i64");
    expect(() => infer("Mod", [ty("f32", [3]), ty("f32", [3])])).toThrow(/Mod: fmod=0 on f32 inputs \(ONNX requires fmod=1/);
    expect(() => infer("Mod", [ty("i32", [3]), ty("i32", [3])], { fmod: 2 })).toThrow(/fmod must be 0 or 1/);
    expect(() => infer("Mod", [ty("i32", [3]), ty("i64", [3])])).toThrow(/same dtype/);
  });
});

describe("Mod through ONNX", () => {
  // (lengths + 1) // 2 as torch 1.13 exports it (opset 14): Div, then Mod, Sub, Div to floor a
  // truncating division of negative numbers (the sign test uses Mod's fmod=0).
  const floorDiv = buildModel({
    opset: 14,
    inputs: [{ name: "x", elemType: 7, shape: [4] }],
    outputs: [{ name: "y", elemType: 7, shape: [4] }, { name: "r", elemType: 7, shape: [4] }, { name: "f", elemType: 7, shape: [4] }],
    initializers: { two: big("i64", [], [2n]), one: big("i64", [], [1n]), m3: big("i64", [], [-3n]) },
    nodes: [
      { op: "Add", inputs: ["x", "one"], outputs: ["x1"] },
      { op: "Mod", inputs: ["x1", "two"], outputs: ["m"] },
      { op: "Sub", inputs: ["x1", "m"], outputs: ["e"] },
      { op: "Div", inputs: ["e", "two"], outputs: ["y"] },
      { op: "Mod", inputs: ["x", "m3"], outputs: ["r"] },
      { op: "Mod", inputs: ["x", "m3"], outputs: ["f"], attrs: { fmod: 1 } },
    ],
  });
  const x = big("i64", [4], [80n, 61n, -4n, -7n]);

  it("imports, runs like onnxruntime, and exports back", async () => {
    const g = importOnnxBytes(floorDiv, "floordiv.onnx");
    const ours = runGraph(g, { x });
    expect(bigs(ours["y"]!)).toEqual([40n, 31n, -2n, -3n]);
    expect(bigs(ours["r"]!)).toEqual([-1n, -2n, -1n, -1n]);
    expect(bigs(ours["f"]!)).toEqual([2n, 1n, -1n, -1n]);
    const session = await ort.InferenceSession.create(floorDiv, { intraOpNumThreads: 1 });
    const theirs = await session.run({ x: new ort.Tensor("int64", x.data as BigInt64Array, [4]) });
    for (const o of ["y", "r", "f"]) expect(bigs(ours[o]!)).toEqual(Array.from(theirs[o]!.data as BigInt64Array));
    await session.release();
    const again = importOnnxBytes(exportOnnx(g), "again.onnx");
    expect(again.nodes.filter((n) => n.op === "Mod").map((n) => n.attrs["fmod"] ?? 0)).toEqual([0, 0, 1]);
    expect(bigs(runGraph(again, { x })["f"]!)).toEqual([2n, 1n, -1n, -1n]);
  });
});
