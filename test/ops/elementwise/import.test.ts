// End to end through the ONNX frontend and the interpreter: opset forms of Clip and CastLike
// normalise to their IR forms, and symbolic broadcasting keeps T.
import { describe, expect, it } from "vitest";
import { dimToString } from "../../../ir/dim.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { nums, raw, t } from "./helpers.js";

describe("import and run", () => {
  it("Clip (opset 13) with a constant min and a runtime max, then CastLike to the input's type", () => {
    const bytes = buildModel({
      opset: 19,
      inputs: [{ name: "x", shape: [1, 4, "T"] }, { name: "hi", shape: [] }, { name: "like", elemType: 10, shape: [1] }],
      outputs: [{ name: "y", elemType: 10, shape: [1, 4, "T"] }],
      initializers: { lo: t("f32", [], [-1]) },
      nodes: [
        { op: "Clip", inputs: ["x", "lo", "hi"], outputs: ["c"] },
        { op: "CastLike", inputs: ["c", "like"], outputs: ["y"] },
      ],
    });
    const g = importOnnxBytes(bytes, "clip.onnx");
    const clip = g.nodes.find((n) => n.op === "Clip")!;
    expect(clip.inputs).toEqual(["x", "", "hi"]);
    expect(clip.attrs).toEqual({ min: -1 });
    const cast = g.nodes.find((n) => n.outputs[0] === "y")!;
    expect(cast.op).toBe("Cast");
    expect(cast.attrs["to"]).toBe("f16");
    expect(g.types["y"]!.shape.map(dimToString)).toEqual(["1", "4", "T"]);
    const out = runGraph(g, { x: t("f32", [1, 4, 2], [-3, -0.5, 0, 0.25, 1, 2, 3, 4]), hi: t("f32", [], [2]), like: t("f16", [1], [0]) });
    expect(out["y"]!.dtype).toBe("f16");
    expect(nums(out["y"]!)).toEqual([-1, -0.5, 0, 0.25, 1, 2, 2, 2]);
  });
  it("a channel bias on [1, C, T] keeps the symbolic time axis", () => {
    const bytes = buildModel({
      opset: 17,
      inputs: [{ name: "x", shape: [1, 3, "T"] }],
      outputs: [{ name: "y", shape: [1, 3, "T"] }],
      initializers: { b: t("f32", [3, 1], [10, 20, 30]) },
      nodes: [{ op: "Add", inputs: ["x", "b"], outputs: ["s"] }, { op: "Relu", inputs: ["s"], outputs: ["y"] }],
    });
    const g = importOnnxBytes(bytes, "bias.onnx");
    expect(g.types["y"]!.shape.map(dimToString)).toEqual(["1", "3", "T"]);
    const out = runGraph(g, { x: t("f32", [1, 3, 2], [-11, 1, -19, 2, -31, 3]) });
    expect(nums(out["y"]!)).toEqual([0, 11, 1, 22, 0, 33]);
  });
});

describe("export to ONNX and back", () => {
  it("writes Clip bounds as inputs (opset 21) or attributes (opset 10) and Cast's `to` as a number", () => {
    const bytes = buildModel({
      opset: 19,
      inputs: [{ name: "x", shape: [3] }, { name: "hi", shape: [] }],
      outputs: [{ name: "y", elemType: 17, shape: [3] }, { name: "z", shape: [3] }],
      initializers: { lo: t("f32", [], [-1]) },
      nodes: [
        { op: "Clip", inputs: ["x", "lo", "hi"], outputs: ["c"] },
        { op: "Cast", inputs: ["c"], outputs: ["y"], attrs: { to: 17, saturate: 0 } },
        { op: "Clip", inputs: ["x", "lo"], outputs: ["z"] },
      ],
    });
    const g = importOnnxBytes(bytes, "m.onnx");
    const again = importOnnxBytes(exportOnnx(g), "again.onnx");
    expect(again.nodes.map((n) => [n.op, n.inputs.filter(Boolean).length, n.attrs])).toEqual([
      ["Clip", 2, { min: -1 }], ["Cast", 1, { to: "f8e4m3fn", saturate: 0 }], ["Clip", 1, { min: -1 }],
    ]);
    const inputs = { x: t("f32", [3], [-5, 0.3, 1000]), hi: t("f32", [], [600]) };
    expect(raw(runGraph(again, inputs)["y"]!.data)).toEqual([0xb8, 0x2a, 0x7f]); // -1, 0.3125, and NaN for 600 > 448 without saturate
    // Opset 10 has attribute bounds only, so a runtime bound cannot be written.
    const onlyConst = importOnnxBytes(buildModel({
      opset: 13, inputs: [{ name: "x", shape: [3] }], outputs: [{ name: "z", shape: [3] }],
      initializers: { lo: t("f32", [], [-1]) }, nodes: [{ op: "Clip", inputs: ["x", "lo"], outputs: ["z"] }],
    }), "c.onnx");
    const old = importOnnxBytes(exportOnnx(onlyConst, { opset: 10 }), "old.onnx");
    expect(old.nodes[0]!.attrs).toEqual({ min: -1 });
    expect(() => exportOnnx(g, { opset: 10 })).toThrow(/bound computed at run time needs opset 11/);
  });
});
