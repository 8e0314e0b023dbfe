// ONNX import of QuantizeLinear: output_dtype (an ONNX type number) becomes the IR dtype name,
// conflicting or unknown attributes are reported, constant parameters annotate the output type.
import { describe, expect, it } from "vitest";
import { typeToString } from "../../../ir/types.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { t, values } from "./helpers.js";

function quantModel(attrs: Record<string, number>, withZp: boolean, outType = 3) {
  const bytes = buildModel({
    opset: 21,
    inputs: [{ name: "x", shape: ["T", 4] }],
    outputs: [{ name: "y", elemType: outType, shape: ["T", 4] }],
    initializers: { scale: t("f32", [4], [0.5, 1, 2, 4]), ...(withZp ? { zp: t("i8", [4], [0, 1, 2, 3]) } : {}) },
    nodes: [{ op: "QuantizeLinear", inputs: withZp ? ["x", "scale", "zp"] : ["x", "scale"], outputs: ["y"], attrs }],
  });
  return importOnnxBytes(bytes, "q.onnx");
}

describe("QuantizeLinear import", () => {
  it("maps output_dtype to the IR type and quantizes per axis", () => {
    const g = quantModel({ axis: 1, output_dtype: 3 }, false);
    expect(typeToString(g.types.y!)).toBe("i8[T,4]");
    expect(g.types.y!.quant).toEqual({ kind: "affine", scale: [0.5, 1, 2, 4], zeroPoint: [0, 0, 0, 0], axis: 1 });
    const out = runGraph(g, { x: t("f32", [1, 4], [1, -3, 5, 1000]) });
    expect(values(out.y!)).toEqual([2, -3, 2, 127]);
  });

  it("reports a conflicting output_dtype and unknown attributes", () => {
    expect(() => quantModel({ axis: 1, output_dtype: 2 }, true)).toThrow(/output_dtype u8 differs from the zero point's type i8/);
    expect(() => quantModel({ axis: 1, precision: 1 }, true)).toThrow(/attribute "precision" is not supported/);
  });

  it("keeps the zero point's type", () => {
    const g = quantModel({ axis: 1 }, true);
    expect(typeToString(g.types.y!)).toBe("i8[T,4]");
    const out = runGraph(g, { x: t("f32", [2, 4], [1, 1, 1, 1, -1, -1, -1, -1]) });
    expect(values(out.y!)).toEqual([2, 2, 2, 3, -2, 0, 2, 3]);
  });
});
