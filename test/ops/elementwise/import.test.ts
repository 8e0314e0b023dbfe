// End to end through the ONNX frontend and the interpreter: opset forms of Clip and CastLike
// normalise to their IR forms, and symbolic broadcasting keeps T.
import { describe, expect, it } from "vitest";
import { dimToString } from "../../../ir/dim.js";
import { importOnnxBytes } from "../../../src/frontend/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { nums, t } from "./helpers.js";

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
