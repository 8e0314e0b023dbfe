// Comparisons, boolean logic, Where and the variadic Max/Min/Sum/Mean.
import { describe, expect, it } from "vitest";
import { parseDim } from "../../../ir/dim.js";
import { big, infer, nums, raw, run, strings, t, ty } from "./helpers.js";

describe("comparisons", () => {
  it("compare with broadcasting into bool", () => {
    const a = t("f32", [2, 2], [1, 2, 3, 4]), b = t("f32", [2], [2, 3]);
    const r = run("Greater", [a, b]);
    expect(r.dtype).toBe("bool");
    expect(nums(r)).toEqual([0, 0, 1, 1]);
    expect(nums(run("GreaterOrEqual", [a, b]))).toEqual([0, 0, 1, 1]);
    expect(nums(run("Less", [a, b]))).toEqual([1, 1, 0, 0]);
    expect(nums(run("LessOrEqual", [a, t("f32", [], [2])]))).toEqual([1, 1, 0, 0]);
    expect(nums(run("Equal", [a, t("f32", [2, 1], [2, 4])]))).toEqual([0, 1, 0, 1]);
  });
  it("treat NaN as unordered and unequal", () => {
    const n = t("f32", [1], [NaN]);
    for (const op of ["Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"]) expect(nums(run(op, [n, n]))).toEqual([0]);
  });
  it("compare int64 exactly, f16 by value, bools and strings", () => {
    const a = big("i64", [2], [9007199254740993n, -1n]), b = big("i64", [2], [9007199254740992n, -1n]);
    expect(nums(run("Greater", [a, b]))).toEqual([1, 0]);
    expect(nums(run("Equal", [a, b]))).toEqual([0, 1]);
    expect(nums(run("Less", [t("f16", [2], [0.5, -2]), t("f16", [2], [1, -3])]))).toEqual([1, 0]);
    expect(nums(run("Equal", [t("f16", [1], [-0]), t("f16", [1], [0])]))).toEqual([1]); // -0 == 0 although the bits differ
    expect(nums(run("Equal", [t("bool", [2], [1, 0]), t("bool", [], [1])]))).toEqual([1, 0]);
    expect(nums(run("Equal", [strings([3], ["a", "b", ""]), strings([1], ["b"])]))).toEqual([0, 1, 0]);
    expect(() => run("Greater", [strings([1], ["a"]), strings([1], ["b"])])).toThrow(/only be compared with Equal/);
    expect(() => infer("Less", [ty("string", [1]), ty("string", [1])])).toThrow(/Less: dtype string is not supported/);
    expect(infer("Equal", [ty("i64", [parseDim("T"), 1]), ty("i64", [3])])).toEqual(ty("bool", [parseDim("T"), 3]));
  });
});

describe("logic", () => {
  it("Not, And, Or, Xor on bools with broadcasting", () => {
    const a = t("bool", [2, 2], [0, 0, 1, 1]), b = t("bool", [2], [0, 1]);
    expect(nums(run("Not", [b]))).toEqual([1, 0]);
    expect(nums(run("And", [a, b]))).toEqual([0, 0, 0, 1]);
    expect(nums(run("Or", [a, b]))).toEqual([0, 1, 1, 1]);
    expect(nums(run("Xor", [a, b]))).toEqual([0, 1, 1, 0]);
    expect(() => infer("And", [ty("i32", [2]), ty("i32", [2])])).toThrow(/And: dtype i32 is not supported/);
  });
});

describe("Where", () => {
  it("selects with three-way broadcasting for any dtype", () => {
    const c = t("bool", [2, 1], [1, 0]);
    expect(nums(run("Where", [c, t("f32", [3], [1, 2, 3]), t("f32", [], [-1])]))).toEqual([1, 2, 3, -1, -1, -1]);
    expect(run("Where", [t("bool", [2], [0, 1]), strings([2], ["a", "b"]), strings([1], ["z"])]).data).toEqual(["z", "b"]);
    expect(raw(run("Where", [c, big("i64", [1], [2n ** 62n]), big("i64", [1], [7n])]).data)).toEqual([2n ** 62n, 7n]);
    const h = run("Where", [t("bool", [2], [1, 0]), t("f16", [2], [1.5, 2]), t("f16", [2], [3, -0])]);
    expect(raw(h.data)).toEqual([0x3e00, 0x8000]); // raw bits are moved, -0 included
  });
  it("checks its types", () => {
    expect(() => infer("Where", [ty("f32", [2]), ty("f32", [2]), ty("f32", [2])])).toThrow(/condition must be bool/);
    expect(() => infer("Where", [ty("bool", [2]), ty("f32", [2]), ty("i32", [2])])).toThrow(/same dtype/);
    expect(() => infer("Where", [ty("bool", [2]), ty("f32", [3]), ty("f32", [2])])).toThrow(/do not broadcast/);
  });
});

describe("variadic Max, Min, Sum, Mean", () => {
  it("fold any number of inputs with broadcasting", () => {
    const a = t("f32", [3], [3, 2, 1]), b = t("f32", [1], [2]), c = t("f32", [2, 1], [0, 5]);
    expect(nums(run("Max", [a, b, c]))).toEqual([3, 2, 2, 5, 5, 5]);
    expect(nums(run("Min", [a, b, c]))).toEqual([0, 0, 0, 2, 2, 1]);
    expect(nums(run("Sum", [a, b, c]))).toEqual([5, 4, 3, 10, 9, 8]);
    expect(nums(run("Mean", [a, b, c]))).toEqual([5 / 3, 4 / 3, 1, 10 / 3, 3, 8 / 3].map(Math.fround));
    expect(nums(run("Sum", [a]))).toEqual([3, 2, 1]);
    expect(infer("Max", [ty("f32", [3]), ty("f32", [2, 1])])).toEqual(ty("f32", [2, 3]));
  });
  it("propagate NaN in Max and Min, and work on integers", () => {
    const r = nums(run("Max", [t("f32", [2], [NaN, 1]), t("f32", [2], [1, NaN])]));
    expect(r.every(Number.isNaN)).toBe(true);
    expect(nums(run("Min", [t("i32", [2], [-5, 5]), t("i32", [2], [0, 0])]))).toEqual([-5, 0]);
    expect(() => infer("Sum", [ty("i32", [2]), ty("i32", [2])])).toThrow(/Sum: dtype i32 is not supported/);
    expect(() => infer("Max", [])).toThrow(/at least one input/);
  });
});
