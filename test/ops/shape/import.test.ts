// fromOnnx: every opset form of an op becomes one IR form; inputs that must be constants fail
// the import with a sentence naming them.
import { describe, expect, it } from "vitest";
import { dimToString, parseDim, type Dim } from "../../../ir/dim.js";
import { fromNumbers, makeTensor, type Tensor } from "../../../ir/types.js";
import { i64, importNode, nums, t, ty } from "./helpers.js";

const T = parseDim("T");

describe("import of shape inputs", () => {
  it("Reshape reads a constant or a folded symbolic shape", () => {
    expect(importNode("Reshape", ["x", "s"], ["y"], {}, { constants: { s: i64([0, -1]) } })).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { shape: [0, -1] } });
    const spec = importNode("Reshape", ["x", "s"], ["y"], { allowzero: 0 }, { dims: { s: [T, 1, 64] } });
    expect((spec.attrs.shape as Dim[]).map(dimToString)).toEqual(["T", "1", "64"]);
    expect(spec.attrs.allowzero).toBe(0);
    expect(() => importNode("Reshape", ["x", "s"], ["y"], {})).toThrow(/shape input "s" is computed at run time/);
  });
  it("Expand and ConstantOfShape read the shape; ConstantOfShape keeps no inputs", () => {
    expect(importNode("Expand", ["x", "s"], ["y"], {}, { dims: { s: [T, 1] } }).attrs.shape).toEqual([T, 1]);
    const value = fromNumbers("i32", [1], [7]);
    expect(importNode("ConstantOfShape", ["s"], ["y"], { value }, { constants: { s: i64([2, 3]) } })).toEqual({ inputs: [], outputs: ["y"], attrs: { value, shape: [2, 3] } });
  });
  it("Squeeze and Unsqueeze: attribute before opset 13, input after", () => {
    expect(importNode("Squeeze", ["x"], ["y"], { axes: [0] }, { opset: 11 }).attrs).toEqual({ axes: [0] });
    expect(importNode("Squeeze", ["x", "a"], ["y"], {}, { opset: 13, constants: { a: i64([-1]) } }).attrs).toEqual({ axes: [-1] });
    expect(importNode("Squeeze", ["x"], ["y"], {}, { opset: 13 }).attrs).toEqual({});
    expect(importNode("Unsqueeze", ["x", "a"], ["y"], {}, { opset: 13, constants: { a: i64([0, 3]) } })).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { axes: [0, 3] } });
    expect(() => importNode("Unsqueeze", ["x", "a"], ["y"], {}, { opset: 13 })).toThrow(/axes input "a"/);
  });
  it("Split: attribute, input, num_outputs and the default all become `split` or nothing", () => {
    expect(importNode("Split", ["x"], ["a", "b"], { axis: 1, split: [1, 2] }, { opset: 11 }).attrs).toEqual({ axis: 1, split: [1, 2] });
    expect(importNode("Split", ["x", "s"], ["a", "b"], {}, { opset: 13, constants: { s: i64([3, 1]) } })).toEqual({ inputs: ["x"], outputs: ["a", "b"], attrs: { split: [3, 1] } });
    expect(importNode("Split", ["x"], ["a", "b", "c"], { num_outputs: 3 }, { opset: 18 }).attrs).toEqual({});
    expect(() => importNode("Split", ["x"], ["a", "b"], { num_outputs: 3 }, { opset: 18 })).toThrow(/num_outputs is 3/);
  });
  it("Slice: opset 1-9 attributes and opset 10+ inputs, int64 extremes clamped", () => {
    const old = importNode("Slice", ["x"], ["y"], { starts: [1], ends: [9223372036854775807], axes: [2] }, { opset: 9 });
    expect(old).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { starts: [1], ends: [Number.MAX_SAFE_INTEGER], axes: [2] } });
    const huge = makeTensor("i64", [1], BigInt64Array.of(-9223372036854775808n));
    const m = { opset: 13, constants: { s: i64([-1]), e: huge, st: i64([-1]) }, dims: { a: [1] } };
    expect(importNode("Slice", ["x", "s", "e", "", "st"], ["y"], {}, m).attrs).toEqual({ starts: [-1], ends: [-Number.MAX_SAFE_INTEGER], steps: [-1] });
    const sym = importNode("Slice", ["x", "s", "e"], ["y"], {}, { opset: 13, constants: { s: i64([0]) }, dims: { e: [parseDim("T-1")] } });
    expect((sym.attrs.ends as Dim[]).map(dimToString)).toEqual(["T-1"]);
  });
  it("Pad: opset 2 attributes, opset 11 inputs, opset 18 axes expanded to full rank", () => {
    expect(importNode("Pad", ["x"], ["y"], { pads: [1, 2], mode: "edge", value: 0 }, { opset: 7 }).attrs).toEqual({ pads: [1, 2], mode: "edge", value: 0 });
    const m = { opset: 18, constants: { p: i64([0, 3, 0, 4]), v: t("f32", [], [1.5]), a: i64([1, -1]) }, types: { x: ty("f32", [1, 3, 4, 5]) } };
    expect(importNode("Pad", ["x", "p", "v", "a"], ["y"], { mode: "constant" }, m)).toEqual({
      inputs: ["x"], outputs: ["y"], attrs: { mode: "constant", pads: [0, 0, 0, 3, 0, 0, 0, 4], value: 1.5 },
    });
    expect(() => importNode("Pad", ["x", "p"], ["y"], {}, { opset: 11 })).toThrow(/pads input "p"/);
  });
  it("Tile reads repeats", () => {
    expect(importNode("Tile", ["x", "r"], ["y"], {}, { constants: { r: i64([1, 2]) } }).attrs).toEqual({ repeats: [1, 2] });
  });
});

describe("import of Range, Dropout and Constant", () => {
  const s = (v: number): Tensor => i64([v], []);
  it("Range with constant inputs keeps them for the importer to fold", () => {
    expect(importNode("Range", ["a", "b", "c"], ["y"], {}, { constants: { a: s(1), b: s(7), c: s(2) } })).toEqual({ inputs: ["a", "b", "c"], outputs: ["y"], attrs: {} });
  });
  it("Range over a shape stays a run-time op with its symbolic size", () => {
    const spec = importNode("Range", ["a", "b", "c"], ["y"], {}, { constants: { a: s(0), c: s(2) }, dims: { a: [0], b: [T], c: [2] } });
    expect(spec.inputs).toEqual(["a", "b", "c"]);
    expect((spec.attrs.size as Dim[]).map(dimToString)).toEqual(["floor((T+1)/2)"]);
    expect(() => importNode("Range", ["a", "b", "c"], ["y"], {}, { constants: { a: s(0) } })).toThrow(/run-time values/);
  });
  it("Dropout: constant ratio/training_mode become attributes, run-time ones stay inputs", () => {
    const m = { opset: 13, constants: { r: t("f32", [], [0.25]), tm: fromNumbers("bool", [], [1]) } };
    expect(importNode("Dropout", ["x", "r", "tm"], ["y", "m"], { seed: 3 }, m)).toEqual({ inputs: ["x"], outputs: ["y", "m"], attrs: { seed: 3, ratio: 0.25, training_mode: 1 } });
    expect(importNode("Dropout", ["x", "r", "tm"], ["y"], {}, { opset: 13, constants: { r: t("f32", [], [0.25]) } }).inputs).toEqual(["x", "", "tm"]);
    expect(importNode("Dropout", ["x"], ["y", "m"], { ratio: 0.2 }, { opset: 7 }).attrs).toEqual({ ratio: 0.2, mask_type: "input" });
  });
  it("Constant: every value form becomes a tensor", () => {
    const v = (attrs: Record<string, unknown>) => importNode("Constant", [], ["y"], attrs as never).attrs.value as Tensor;
    expect(v({ value_float: 1.5 })).toMatchObject({ dtype: "f32", shape: [] });
    expect(nums(v({ value_ints: [1, -2] }))).toEqual([1, -2]);
    expect(v({ value_ints: [1, -2] }).dtype).toBe("i64");
    expect(v({ value_strings: ["a", "b"] }).data).toEqual(["a", "b"]);
    expect(() => importNode("Constant", [], ["y"], { sparse_value: 0 })).toThrow(/sparse_value/);
  });
});
