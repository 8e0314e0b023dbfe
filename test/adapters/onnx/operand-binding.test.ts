// The binding of inputs that feed operands neonc needs at import (src/adapters/onnx/operand-binding.ts):
// only the inputs whose values flow into the operand are bound (not through Shape), the import
// names what it bound, an operand fed by no input keeps the import's own error, and loadModel's
// error names the inputs to bind.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RunTimeOperandError } from "../../../ir/errors.js";
import { fromNumbers, toNumbers } from "../../../ir/types.js";
import { decodeModel, importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { loadModel, openModel } from "../../../src/adapters/onnx/load-model.js";
import { describeBoundOperands, importBindingOperands, inputsFeeding } from "../../../src/adapters/onnx/operand-binding.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { reshapeFromInput } from "../../helpers/operand-models.js";

const x = fromNumbers("f32", [2, 6], Array.from({ length: 12 }, (_, i) => i));
const n = fromNumbers("i32", [2], [2, 3]);

describe("binding the inputs that feed operands needed at import", () => {
  const model = decodeModel(reshapeFromInput(), "reshape.onnx");

  it("finds the inputs whose values reach an operand, not those that reach it through Shape", () => {
    expect(inputsFeeding(model, "target")).toEqual(["n"]);
    expect(inputsFeeding(model, "sx")).toEqual([]);
    expect(inputsFeeding(model, "y")).toEqual(["x", "n"]);
  });

  it("binds only those, says which, and runs with the rest", () => {
    const { graph, bound } = importBindingOperands(model, { where: "reshape.onnx" }, { x, n });
    expect(bound).toEqual([{ input: "n", operand: "shape", node: "r", op: "Reshape" }]);
    expect(describeBoundOperands(bound)).toBe("bound shape operands from the inputs: n (shape of Reshape r)");
    expect(graph.inputs).toEqual(["x"]);
    const y = runGraph(graph, { x })["y"]!;
    expect(y.shape).toEqual([2, 2, 3]);
    expect(toNumbers(y)).toEqual(toNumbers(x));
  });

  it("keeps the import's error when a value it needs is not given", () => {
    expect(() => importBindingOperands(model, { where: "reshape.onnx" }, { x })).toThrow(RunTimeOperandError);
  });

  it("loadModel's error names the inputs to bind; openModel binds from given values", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "neonc-operands-")), "reshape.onnx");
    writeFileSync(file, reshapeFromInput());
    expect(() => loadModel(file)).toThrow(/its shape input "target" is computed at run time.*; it comes from the model input "n": give its value with --bind n=VALUE/);
    const opened = openModel(file);
    expect(opened.inputs).toEqual(["x", "n"]);
    expect(opened.load({ x, n }).bound.map((b) => b.input)).toEqual(["n"]);
    expect(loadModel(file, { bind: { n: [2, 3] } }).inputs).toEqual(["x"]);
    expect(openModel(file, { bind: { n: [2, 3] } }).inputs).toEqual(["x"]);
  });

  it("the import option bind takes numbers shaped as the input, and refuses what does not fit", () => {
    const bytes = reshapeFromInput();
    expect(importOnnxBytes(bytes, "m.onnx", undefined, { bind: { n: [2, 3] } }).inputs).toEqual(["x"]);
    expect(() => importOnnxBytes(bytes, "m.onnx", undefined, { bind: { n: [2, 3, 1] } })).toThrow(/has 3 values, which do not fill the input's shape \(i32\[2\]\)/);
    expect(() => importOnnxBytes(bytes, "m.onnx", undefined, { bind: { n: [2, 3e10] } })).toThrow(/holds 30000000000, which is not a value of type i32/);
    expect(() => importOnnxBytes(bytes, "m.onnx", undefined, { bind: { m: 1 } })).toThrow(/cannot bind "m": the model has no input of that name \(its inputs are x, n\)/);
  });
});
