// Type rules on a symbolic time axis T, as the importer sees speech models, and the per-channel
// quantization annotation following its axis through data movement.
import { describe, expect, it } from "vitest";
import { parseDim, shapeToString, type Dim } from "../../../ir/dim.js";
import type { TensorType } from "../../../ir/types.js";
import { i64, inferOp, ty } from "./helpers.js";

const T = parseDim("T");
const shapeOf = (types: TensorType[], i = 0) => shapeToString(types[i]!.shape);
const x = ty("f32", [1, T, 64]);

describe("symbolic shapes", () => {
  it("Reshape infers -1 and copies 0 through T", () => {
    expect(shapeOf(inferOp("Reshape", [x], { shape: [0, -1] }))).toBe("[1,64*T]");
    expect(shapeOf(inferOp("Reshape", [x], { shape: [1, -1, 128] }))).toBe("[1,floor(T/2),128]");
    expect(shapeOf(inferOp("Reshape", [ty("f32", [1, parseDim("2*T"), 8])], { shape: [2, -1, 8] }))).toBe("[2,T,8]");
    expect(shapeOf(inferOp("Reshape", [x], { shape: [T, 8, -1] }))).toBe("[T,8,8]");
    expect(() => inferOp("Reshape", [ty("f32", [parseDim("B"), T])], { shape: [-1] })).toThrow(/product of symbolic dims/);
    expect(() => inferOp("Reshape", [ty("f32", [2, 3])], { shape: [4, 2] })).toThrow(/6 elements cannot become 8/);
  });
  it("Flatten, Squeeze, Unsqueeze, Transpose", () => {
    expect(shapeOf(inferOp("Flatten", [x], { axis: 2 }))).toBe("[T,64]");
    expect(shapeOf(inferOp("Squeeze", [x], { axes: [0] }))).toBe("[T,64]");
    expect(shapeOf(inferOp("Squeeze", [x]))).toBe("[T,64]");
    expect(shapeOf(inferOp("Unsqueeze", [x], { axes: [1] }))).toBe("[1,1,T,64]");
    expect(shapeOf(inferOp("Transpose", [x], { perm: [0, 2, 1] }))).toBe("[1,64,T]");
  });
  it("Slice on T: to the end, from the end, with steps and symbolic ends", () => {
    const sl = (a: Record<string, readonly Dim[] | number[]>) => shapeOf(inferOp("Slice", [x], { axes: [1], ...a }));
    expect(sl({ starts: [2], ends: [9007199254740991] })).toBe("[1,T-2,64]");
    expect(sl({ starts: [0], ends: [-1] })).toBe("[1,T-1,64]");
    expect(sl({ starts: [-3], ends: [9007199254740991] })).toBe("[1,3,64]");
    expect(sl({ starts: [0], ends: [9007199254740991], steps: [2] })).toBe("[1,floor((T+1)/2),64]");
    expect(sl({ starts: [-1], ends: [-9007199254740991], steps: [-1] })).toBe("[1,T,64]");
    expect(sl({ starts: [1], ends: [parseDim("T-1")] })).toBe("[1,T-2,64]");
  });
  it("Split into equal chunks of T and Concat back", () => {
    const parts = inferOp("Split", [x], { axis: 1 }, 3);
    expect(parts.map((p) => shapeToString(p.shape))).toEqual(["[1,floor((T+2)/3),64]", "[1,floor((T+2)/3),64]", "[1,T-2*floor((T+2)/3),64]"]);
    expect(shapeOf(inferOp("Concat", parts, { axis: 1 }))).toBe("[1,T,64]");
    expect(shapeOf(inferOp("Concat", [x, ty("f32", [1, 5, 64])], { axis: 1 }))).toBe("[1,T+5,64]");
    expect(() => inferOp("Concat", [x, ty("f32", [1, T, 32])], { axis: 1 })).toThrow(/dim 2 differs/);
  });
  it("Pad, Expand, Tile, Gather", () => {
    expect(shapeOf(inferOp("Pad", [x], { pads: [0, 2, 0, 0, 1, 0] }))).toBe("[1,T+3,64]");
    expect(shapeOf(inferOp("Expand", [ty("f32", [1, 1, 64])], { shape: [2, T, 1] }))).toBe("[2,T,64]");
    expect(shapeOf(inferOp("Tile", [x], { repeats: [1, 2, 1] }))).toBe("[1,2*T,64]");
    expect(shapeOf(inferOp("Gather", [x, ty("i64", [3, 2])], { axis: 2 }))).toBe("[1,T,3,2]");
  });
  it("Shape, Size, ConstantOfShape, Range, Dropout", () => {
    expect(inferOp("Shape", [x], { start: 1 })[0]).toEqual(ty("i64", [2]));
    expect(inferOp("Size", [x])[0]).toEqual(ty("i64", []));
    expect(shapeOf(inferOp("ConstantOfShape", [], { shape: [T, 2] }))).toBe("[T,2]");
    const s = ty("i64", []);
    expect(shapeOf(inferOp("Range", [s, s, s], {}, 1, [i64([0], []), i64([10], []), i64([3], [])]))).toBe("[4]");
    expect(shapeOf(inferOp("Range", [s, s, s], { size: [T] }))).toBe("[T]");
    expect(() => inferOp("Range", [s, s, s])).toThrow(/not known/);
    const d = inferOp("Dropout", [x], {}, 2);
    expect(d.map((v) => v.dtype)).toEqual(["f32", "bool"]);
    expect(inferOp("Dropout", [x], { mask_type: "input" }, 2)[1]!.dtype).toBe("f32");
  });
});

describe("quantization annotations", () => {
  const q = { kind: "affine" as const, scale: [0.1, 0.2], zeroPoint: [0, 0], axis: 1 };
  const w: TensorType = { dtype: "i8", shape: [4, 2, 3], quant: q };
  it("a per-channel axis follows Transpose, Unsqueeze and Reshape", () => {
    expect(inferOp("Transpose", [w], { perm: [1, 2, 0] })[0]!.quant).toEqual({ ...q, axis: 0 });
    expect(inferOp("Unsqueeze", [w], { axes: [0] })[0]!.quant).toEqual({ ...q, axis: 2 });
    expect(inferOp("Reshape", [w], { shape: [4, 2, 3, 1] })[0]!.quant).toEqual(q);
  });
  it("is dropped when the channel axis is cut, kept when per tensor", () => {
    expect(inferOp("Slice", [w], { starts: [0], ends: [1], axes: [1] })[0]!.quant).toBeUndefined();
    expect(inferOp("Slice", [w], { starts: [0], ends: [1], axes: [0] })[0]!.quant).toEqual(q);
    const pt: TensorType = { dtype: "i8", shape: [4, T], quant: { kind: "affine", scale: [0.5], zeroPoint: [3] } };
    expect(inferOp("Pad", [pt], { pads: [0, 1, 0, 1] })[0]!.quant).toEqual(pt.quant);
  });
});
