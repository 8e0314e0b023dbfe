// foldDims: shape arithmetic over a symbolic time axis resolves at import.
import { describe, expect, it } from "vitest";
import { dimToString, parseDim, type Dim } from "../../../ir/dim.js";
import { foldOp, ty } from "./helpers.js";

const T = parseDim("T");
const str = (r: (readonly Dim[] | undefined)[] | undefined) => r?.map((v) => v?.map(dimToString).join(","));
const vec = (n: number) => ty("i64", [n]);

describe("foldDims", () => {
  const x = ty("f32", [T, 1, 64]);
  it("Shape gives the input's dims, sliced by start/end", () => {
    expect(str(foldOp("Shape", [undefined], [x]))).toEqual(["T,1,64"]);
    expect(str(foldOp("Shape", [undefined], [x], { start: 1, end: -1 }))).toEqual(["1"]);
  });
  it("Gather of Shape(x) at 1 folds to 1, at 0 to T", () => {
    const shape = foldOp("Shape", [undefined], [x])![0]!;
    expect(str(foldOp("Gather", [shape, [1]], [vec(3), ty("i64", [])]))).toEqual(["1"]);
    expect(str(foldOp("Gather", [shape, [-3, 2]], [vec(3), vec(2)]))).toEqual(["T,64"]);
  });
  it("Concat([Shape(x)[0]], [1]) folds to [T,1]", () => {
    expect(str(foldOp("Concat", [[T], [1]], [vec(1), vec(1)], { axis: 0 }))).toEqual(["T,1"]);
    expect(foldOp("Concat", [[T], undefined], [vec(1), vec(1)], { axis: 0 })).toBeUndefined();
  });
  it("Slice, Unsqueeze, Squeeze, Reshape, Identity on shape vectors", () => {
    const s = [1, T, 64];
    expect(str(foldOp("Slice", [s], [vec(3)], { starts: [1], ends: [9007199254740991] }))).toEqual(["T,64"]);
    expect(str(foldOp("Slice", [s], [vec(3)], { starts: [-1], ends: [-9007199254740991], steps: [-2] }))).toEqual(["64,1"]);
    expect(str(foldOp("Unsqueeze", [[T]], [ty("i64", [])], { axes: [0] }))).toEqual(["T"]);
    expect(str(foldOp("Squeeze", [[T]], [vec(1)], { axes: [0] }))).toEqual(["T"]);
    expect(str(foldOp("Reshape", [s], [vec(3)], { shape: [3, 1] }))).toEqual(["1,T,64"]);
    expect(str(foldOp("Identity", [s], [vec(3)]))).toEqual(["1,T,64"]);
  });
  it("Size, Split, Range, ConstantOfShape and Constant of small integer values", () => {
    expect(str(foldOp("Size", [undefined], [x]))).toEqual(["64*T"]);
    expect(foldOp("Size", [undefined], [ty("f32", [T, parseDim("B")])])).toBeUndefined();
    expect(str(foldOp("Split", [[1, T, 64]], [vec(3)], { split: [1, 2] }))).toEqual(["1", "T,64"]);
    expect(str(foldOp("Range", [[0], [4], [2]], [ty("i64", []), ty("i64", []), ty("i64", [])]))).toEqual(["0,2"]);
    expect(str(foldOp("ConstantOfShape", [], [], { shape: [3], value: { dtype: "i64", shape: [1], data: BigInt64Array.of(1n) } }))).toEqual(["1,1,1"]);
    expect(str(foldOp("Constant", [], [], { value: { dtype: "i64", shape: [2], data: BigInt64Array.of(-1n, 5n) } }))).toEqual(["-1,5"]);
  });
});
