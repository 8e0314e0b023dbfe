// Reference kernels of the data-movement ops on hand-checked values (numpy gave the expected
// arrays), every storage kind: floats, bigints, strings and packed f16 bit patterns.
import { describe, expect, it } from "vitest";
import { makeTensor } from "../../../ir/types.js";
import { evalOp, i64, nums, t } from "./helpers.js";

const arange = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("Transpose", () => {
  it("permutes a 3-D tensor like numpy", () => {
    const [y] = evalOp("Transpose", [t("f32", [2, 3, 4], arange(24))], { perm: [2, 0, 1] });
    expect(y!.shape).toEqual([4, 2, 3]);
    expect(nums(y!)).toEqual([0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23]);
  });
  it("reverses axes by default and moves bigints and strings unchanged", () => {
    const big = makeTensor("i64", [2, 2], BigInt64Array.of(9223372036854775807n, -1n, 2n, -9223372036854775808n));
    expect(Array.from(evalOp("Transpose", [big])[0]!.data as BigInt64Array)).toEqual([9223372036854775807n, 2n, -1n, -9223372036854775808n]);
    const s = makeTensor("string", [2, 3], ["a", "b", "c", "d", "e", "f"]);
    expect(evalOp("Transpose", [s])[0]!.data).toEqual(["a", "d", "b", "e", "c", "f"]);
  });
  it("keeps f16 bit patterns", () => {
    const h = makeTensor("f16", [1, 2, 1, 2], Uint16Array.of(0x3c00, 0x7e01, 0x8000, 0xfbff));
    const [y] = evalOp("Transpose", [h], { perm: [3, 1, 2, 0] });
    expect(y!.dtype).toBe("f16");
    expect(Array.from(y!.data as Uint16Array)).toEqual([0x3c00, 0x8000, 0x7e01, 0xfbff]);
  });
  it("rejects a perm that is not a permutation", () => {
    expect(() => evalOp("Transpose", [t("f32", [2, 2], [1, 2, 3, 4])], { perm: [0, 0] })).toThrow(/not a permutation/);
  });
});

describe("Slice", () => {
  const x = t("i32", [2, 3, 4], arange(24));
  it("handles negative steps and negative indices", () => {
    const [y] = evalOp("Slice", [x], { starts: [-1, 2, -1], ends: [-9223372036854775807, 0, -5], steps: [-1, -1, -2] });
    expect(y!.shape).toEqual([2, 2, 2]);
    expect(nums(y!)).toEqual([23, 21, 19, 17, 11, 9, 7, 5]);
  });
  it("clamps int64 extremes and out-of-range starts", () => {
    const [y] = evalOp("Slice", [x], { starts: [1], ends: [9007199254740991], axes: [-1] });
    expect(y!.shape).toEqual([2, 3, 3]);
    const [e] = evalOp("Slice", [x], { starts: [10], ends: [20], axes: [1] });
    expect(e!.shape).toEqual([2, 0, 4]);
  });
});

describe("Gather", () => {
  it("takes slices at negative and repeated indices with a 2-D index tensor", () => {
    const data = t("f32", [3, 2], [1, 2, 3, 4, 5, 6]);
    const [y] = evalOp("Gather", [data, i64([-1, 0, 0, 2], [2, 2])], { axis: 0 });
    expect(y!.shape).toEqual([2, 2, 2]);
    expect(nums(y!)).toEqual([5, 6, 1, 2, 1, 2, 5, 6]);
  });
  it("gathers on an inner axis with a scalar index", () => {
    const [y] = evalOp("Gather", [t("i64", [2, 3], [1, 2, 3, 4, 5, 6]), t("i32", [], [-2])], { axis: 1 });
    expect(y!.shape).toEqual([2]);
    expect(nums(y!)).toEqual([2, 5]);
  });
  it("rejects an out-of-range index", () => {
    expect(() => evalOp("Gather", [t("f32", [3], [1, 2, 3]), i64([3])])).toThrow(/out of range/);
  });
});

describe("Pad", () => {
  const a = t("i32", [3], [1, 2, 3]);
  it("reflects and wraps by more than the axis length like numpy.pad", () => {
    expect(nums(evalOp("Pad", [a], { pads: [5, 4], mode: "reflect" })[0]!)).toEqual([2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]);
    expect(nums(evalOp("Pad", [a], { pads: [5, 4], mode: "wrap" })[0]!)).toEqual([2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]);
    expect(nums(evalOp("Pad", [a], { pads: [2, 3], mode: "edge" })[0]!)).toEqual([1, 1, 1, 2, 3, 3, 3, 3]);
  });
  it("reflects a 2-D tensor on both axes", () => {
    const [y] = evalOp("Pad", [t("f64", [2, 3], arange(6))], { pads: [1, 2, 1, 2], mode: "reflect" });
    expect(y!.shape).toEqual([4, 7]);
    expect(nums(y!)).toEqual([5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0]);
  });
  it("fills constants (bigints too) and crops with negative pads", () => {
    const [y] = evalOp("Pad", [i64([1, 2, 3, 4])], { pads: [1, -2], value: -7 });
    expect(Array.from(y!.data as BigInt64Array)).toEqual([-7n, 1n, 2n]);
    const [z] = evalOp("Pad", [t("f32", [4], [1, 2, 3, 4])], { pads: [-1, 2], mode: "edge" });
    expect(nums(z!)).toEqual([2, 3, 4, 4, 4]);
  });
  it("fills packed f16 with the value's bits and strings with empty text", () => {
    const h = makeTensor("f16", [1], Uint16Array.of(0x3c00));
    expect(Array.from(evalOp("Pad", [h], { pads: [1, 1], value: 1.5 })[0]!.data as Uint16Array)).toEqual([0x3e00, 0x3c00, 0x3e00]);
    expect(evalOp("Pad", [makeTensor("string", [1], ["a"])], { pads: [0, 2] })[0]!.data).toEqual(["a", "", ""]);
  });
  it("rejects an unknown mode", () => {
    expect(() => evalOp("Pad", [a], { pads: [1, 1], mode: "symmetric" })).toThrow(/pad mode/);
  });
});

describe("Concat and Split", () => {
  it("concatenates on an inner axis, with an empty input", () => {
    const [y] = evalOp("Concat", [t("f32", [2, 1], [1, 2]), t("f32", [2, 0], []), t("f32", [2, 2], [3, 4, 5, 6])], { axis: -1 });
    expect(y!.shape).toEqual([2, 3]);
    expect(nums(y!)).toEqual([1, 3, 4, 2, 5, 6]);
  });
  it("splits into explicit sizes and into equal chunks with a smaller last one", () => {
    const x = t("f32", [2, 5], arange(10));
    const [p, q] = evalOp("Split", [x], { axis: 1, split: [1, 4] }, 2);
    expect(nums(p!)).toEqual([0, 5]);
    expect(nums(q!)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    const parts = evalOp("Split", [x], { axis: 1 }, 2);
    expect(parts.map((v) => v.shape)).toEqual([[2, 3], [2, 2]]);
    expect(nums(parts[1]!)).toEqual([3, 4, 8, 9]);
  });
  it("rejects sizes that do not add up", () => {
    expect(() => evalOp("Split", [t("f32", [4], [1, 2, 3, 4])], { split: [1, 2] }, 2)).toThrow(/add up/);
  });
});

describe("Expand and Tile", () => {
  it("broadcasts in both directions", () => {
    const [y] = evalOp("Expand", [t("f32", [3, 1], [1, 2, 3])], { shape: [2, 1, 2] });
    expect(y!.shape).toEqual([2, 3, 2]);
    expect(nums(y!)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  });
  it("tiles every axis", () => {
    const [y] = evalOp("Tile", [t("i32", [2, 2], [1, 2, 3, 4])], { repeats: [2, 3] });
    expect(y!.shape).toEqual([4, 6]);
    expect(nums(y!).slice(0, 12)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expect(nums(y!).slice(12)).toEqual(nums(y!).slice(0, 12));
  });
});

describe("reshaping ops share storage and check sizes", () => {
  const x = t("f32", [2, 3, 4], arange(24));
  it("Reshape with 0 and -1, and allowzero", () => {
    const [y] = evalOp("Reshape", [x], { shape: [0, -1] });
    expect(y!.shape).toEqual([2, 12]);
    expect(y!.data).toBe(x.data);
    expect(evalOp("Reshape", [t("f32", [0, 3], [])], { shape: [3, 0], allowzero: 1 })[0]!.shape).toEqual([3, 0]);
    expect(() => evalOp("Reshape", [x], { shape: [5, -1] })).toThrow(/do not divide/);
  });
  it("Flatten, Squeeze, Unsqueeze", () => {
    expect(evalOp("Flatten", [x], { axis: 0 })[0]!.shape).toEqual([1, 24]);
    expect(evalOp("Flatten", [x], { axis: -1 })[0]!.shape).toEqual([6, 4]);
    const u = t("f32", [1, 3, 1], [1, 2, 3]);
    expect(evalOp("Squeeze", [u])[0]!.shape).toEqual([3]);
    expect(evalOp("Squeeze", [u], { axes: [-1] })[0]!.shape).toEqual([1, 3]);
    expect(() => evalOp("Squeeze", [u], { axes: [1] })).toThrow(/not 1/);
    expect(evalOp("Unsqueeze", [u], { axes: [-1, 0] })[0]!.shape).toEqual([1, 1, 3, 1, 1]);
    expect(() => evalOp("Unsqueeze", [u], { axes: [0, 0] })).toThrow(/twice/);
  });
});

describe("Shape, Size, ConstantOfShape, Range, Identity, Constant", () => {
  const x = t("f32", [2, 3, 4], arange(24));
  it("Shape with start/end and Size", () => {
    expect(Array.from(evalOp("Shape", [x])[0]!.data as BigInt64Array)).toEqual([2n, 3n, 4n]);
    expect(nums(evalOp("Shape", [x], { start: -2, end: 10 })[0]!)).toEqual([3, 4]);
    expect(evalOp("Shape", [x], { start: 2, end: 1 })[0]!.shape).toEqual([0]);
    const [n] = evalOp("Size", [x]);
    expect(n!.shape).toEqual([]);
    expect(nums(n!)).toEqual([24]);
  });
  it("ConstantOfShape defaults to f32 zeros and keeps the value's dtype", () => {
    const [z] = evalOp("ConstantOfShape", [], { shape: [2, 2] });
    expect(z!.dtype).toBe("f32");
    expect(nums(z!)).toEqual([0, 0, 0, 0]);
    const [o] = evalOp("ConstantOfShape", [], { shape: [3], value: i64([5], [1]) });
    expect(Array.from(o!.data as BigInt64Array)).toEqual([5n, 5n, 5n]);
  });
  it("Range with positive, negative and empty spans", () => {
    expect(nums(evalOp("Range", [t("f32", [], [1]), t("f32", [], [2]), t("f32", [], [0.25])])[0]!)).toEqual([1, 1.25, 1.5, 1.75]);
    expect(nums(evalOp("Range", [i64([10], []), i64([4], []), i64([-3], [])])[0]!)).toEqual([10, 7]);
    expect(evalOp("Range", [i64([3], []), i64([1], []), i64([1], [])])[0]!.shape).toEqual([0]);
    expect(() => evalOp("Range", [i64([0], []), i64([5], []), i64([1], [])], { size: [4] })).toThrow(/5 elements/);
  });
  it("Dropout reads run-time ratio and training_mode inputs and makes the opset 7 float mask", () => {
    const x = t("f32", [5], [1, 2, 3, 4, 5]);
    const [y, m] = evalOp("Dropout", [x, t("f32", [], [0.5]), t("bool", [], [1])], { seed: 0 }, 2);
    expect(nums(y!)).toEqual([2, 4, 6, 8, 0]);
    expect(m!.dtype).toBe("bool");
    expect(nums(m!)).toEqual([1, 1, 1, 1, 0]);
    const [same, fm] = evalOp("Dropout", [x], { ratio: 0.2, mask_type: "input" }, 2);
    expect(same).toBe(x);
    expect(fm!.dtype).toBe("f32");
    expect(nums(fm!)).toEqual([1, 1, 1, 1, 1]);
  });
  it("training-mode Dropout on f16 rounds the scaled values to f16", () => {
    const h = makeTensor("f16", [5], Uint16Array.of(0x3c00, 0x3c01, 0x4000, 0x4200, 0x4400)); // 1, 1+2^-10, 2, 3, 4
    const [y] = evalOp("Dropout", [h], { ratio: 0.5, training_mode: 1, seed: 0 });
    expect(Array.from(y!.data as Uint16Array)).toEqual([0x4000, 0x4001, 0x4400, 0x4600, 0]);
  });
  it("Identity returns its input and Constant its value", () => {
    expect(evalOp("Identity", [x])[0]).toBe(x);
    const v = i64([1, 2]);
    expect(evalOp("Constant", [], { value: v })[0]).toBe(v);
  });
});
