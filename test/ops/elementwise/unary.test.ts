// Unary math, activations and Clip: hand-checked values, integer forms, NaN handling, attributes
// and the import of every Clip form.
import { describe, expect, it } from "vitest";
import { parseDim } from "../../../ir/dim.js";
import { erf } from "../../../ir/kernels/elementwise-math.js";
import { big, importNode, infer, nums, raw, run, t, ty } from "./helpers.js";

const close = (a: number[], b: number[], tol = 1e-6) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!))));
};
const x5 = () => t("f32", [5], [-2, -0.5, 0, 0.5, 2]);

describe("unary math", () => {
  it("computes the float functions", () => {
    close(nums(run("Sqrt", [t("f32", [3], [4, 2, -1])])).slice(0, 2), [2, Math.SQRT2]);
    expect(Number.isNaN(nums(run("Sqrt", [t("f32", [1], [-1])]))[0])).toBe(true);
    close(nums(run("Exp", [x5()])), [-2, -0.5, 0, 0.5, 2].map(Math.exp));
    close(nums(run("Log", [t("f32", [2], [1, Math.E])])), [0, 1]);
    expect(nums(run("Reciprocal", [t("f64", [2], [4, -0.5])]))).toEqual([0.25, -2]);
    expect(nums(run("Floor", [t("f32", [3], [-1.5, 1.5, 2])]))).toEqual([-2, 1, 2]);
    expect(nums(run("Ceil", [t("f32", [3], [-1.5, 1.5, 2])]))).toEqual([-1, 2, 2]);
    close(nums(run("Tanh", [x5()])), [-2, -0.5, 0, 0.5, 2].map(Math.tanh));
    close(nums(run("Sigmoid", [t("f32", [3], [0, -1000, 1000])])), [0.5, 0, 1]);
    close(nums(run("Softplus", [t("f32", [3], [0, 100, -100])])), [Math.LN2, 100, Math.exp(-100)]);
  });
  it("negates and takes absolute values of integers with wraparound", () => {
    expect(nums(run("Neg", [t("i8", [3], [-128, 5, 0])]))).toEqual([-128, -5, 0]);
    expect(nums(run("Abs", [t("i16", [2], [-32768, -3])]))).toEqual([-32768, 3]);
    expect(raw(run("Abs", [big("i64", [2], [-9007199254740993n, 4n])]).data)).toEqual([9007199254740993n, 4n]);
    expect(raw(run("Neg", [big("i64", [1], [-9223372036854775808n])]).data)).toEqual([-9223372036854775808n]);
    expect(() => infer("Neg", [ty("u8", [2])])).toThrow(/Neg: dtype u8 is not supported/);
    expect(() => infer("Exp", [ty("i32", [2])])).toThrow(/Exp: dtype i32/);
  });
  it("computes erf to double precision", () => {
    const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527],
      [3, 0.9999779095030014], [4, 0.9999999845827421], [-1, -0.8427007929497149], [1e-9, 1.1283791670955126e-9]];
    for (const [x, v] of known) expect(Math.abs(erf(x) - v)).toBeLessThanOrEqual(4e-16 * Math.abs(v));
    expect([erf(10), erf(-10), erf(0)]).toEqual([1, -1, 0]);
    expect(Number.isNaN(erf(NaN))).toBe(true);
    close(nums(run("Erf", [t("f32", [2], [1, -3])])), [0.8427007929497149, -0.9999779095030014], 1e-7);
  });
  it("works on f16 through f32", () => {
    const r = run("Exp", [t("f16", [2], [0, 1])]);
    expect(r.dtype).toBe("f16");
    expect(nums(r)).toEqual([1, 2.71875]);
  });
});

describe("activations", () => {
  it("Relu keeps NaN and works on signed integers", () => {
    const r = nums(run("Relu", [t("f32", [3], [-1, NaN, 2])]));
    expect(r[0]).toBe(0);
    expect(Number.isNaN(r[1])).toBe(true);
    expect(r[2]).toBe(2);
    expect(nums(run("Relu", [t("i8", [2], [-5, 5])]))).toEqual([0, 5]);
    expect(raw(run("Relu", [big("i64", [2], [-5n, 5n])]).data)).toEqual([0n, 5n]);
  });
  it("LeakyRelu, Elu and Selu use their attributes and defaults", () => {
    close(nums(run("LeakyRelu", [x5()])), [-0.02, -0.005, 0, 0.5, 2]);
    close(nums(run("LeakyRelu", [x5()], { alpha: 0.1 })), [-0.2, -0.05, 0, 0.5, 2]);
    close(nums(run("Elu", [x5()], { alpha: 2 })), [2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0, 0.5, 2]);
    const [a, g] = [1.67326319217681884765625, 1.05070102214813232421875];
    close(nums(run("Selu", [x5()])), [g * a * Math.expm1(-2), g * a * Math.expm1(-0.5), 0, g * 0.5, g * 2]);
  });
  it("PRelu broadcasts the slope to X only", () => {
    const x = t("f32", [2, 3], [-1, -2, 3, -4, 5, -6]);
    expect(nums(run("PRelu", [x, t("f32", [3], [0.5, 0.25, 0.125])]))).toEqual([-0.5, -0.5, 3, -2, 5, -0.75]);
    expect(nums(run("PRelu", [x, t("f32", [2, 1], [0, 1])]))).toEqual([-0, -0, 3, -4, 5, -6]);
    expect(() => infer("PRelu", [ty("f32", [3]), ty("f32", [2, 3])])).toThrow(/does not broadcast to X's shape/);
    const T = parseDim("T");
    expect(infer("PRelu", [ty("f32", [1, 64, T]), ty("f32", [64, 1])])).toEqual(ty("f32", [1, 64, T]));
  });
  it("HardSigmoid, HardSwish and both Gelu forms", () => {
    close(nums(run("HardSigmoid", [t("f32", [4], [-5, 0, 1, 5])])), [0, 0.5, 0.7, 1]);
    close(nums(run("HardSigmoid", [t("f32", [2], [1, -1])], { alpha: 0.5, beta: 0.6 })), [1, 0.1]);
    close(nums(run("HardSwish", [t("f32", [4], [-4, -1, 1, 4])])), [0, -1 / 3, 2 / 3, 4]);
    const g = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    close(nums(run("Gelu", [x5()])), [-2, -0.5, 0, 0.5, 2].map(g));
    const gt = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    close(nums(run("Gelu", [x5()], { approximate: "tanh" })), [-2, -0.5, 0, 0.5, 2].map(gt));
    expect(() => infer("Gelu", [ty("f32", [2])], { approximate: "fast" })).toThrow(/approximate must be/);
  });
});

describe("Clip", () => {
  it("clamps with attribute bounds, either one optional", () => {
    const x = t("f32", [5], [-3, -1, 0, 1, 3]);
    expect(nums(run("Clip", [x], { min: -1.5, max: 2 }))).toEqual([-1.5, -1, 0, 1, 2]);
    expect(nums(run("Clip", [x], { max: 0 }))).toEqual([-3, -1, 0, 0, 0]);
    expect(nums(run("Clip", [x]))).toEqual([-3, -1, 0, 1, 3]);
    expect(nums(run("Clip", [x], { min: 2, max: 1 }))).toEqual([1, 1, 1, 1, 1]); // min > max gives max
    expect(Number.isNaN(nums(run("Clip", [t("f32", [1], [NaN])], { min: 0, max: 1 }))[0])).toBe(true);
  });
  it("clamps with runtime bound inputs", () => {
    const x = t("f32", [3], [-3, 0, 3]);
    expect(nums(run("Clip", [x, t("f32", [], [-1]), t("f32", [], [1])]))).toEqual([-1, 0, 1]);
    expect(nums(run("Clip", [x, undefined, t("f32", [1], [2])]))).toEqual([-3, 0, 2]);
    expect(() => run("Clip", [x, t("f32", [2], [0, 1])])).toThrow(/min must be a scalar/);
    expect(() => infer("Clip", [ty("f32", [3]), ty("f32", [])], { min: 0 })).toThrow(/both as an attribute and as an input/);
    expect(() => infer("Clip", [ty("f32", [3]), ty("f64", [])])).toThrow(/min has dtype f64/);
  });
  it("applies bounds in the integer domain", () => {
    expect(nums(run("Clip", [t("i8", [4], [-128, -3, 3, 127])], { min: -2.5, max: 2.5 }))).toEqual([-2, -2, 2, 2]);
    expect(nums(run("Clip", [t("u8", [3], [0, 100, 255]), t("u8", [], [10]), t("u8", [], [200])]))).toEqual([10, 100, 200]);
    const r = run("Clip", [big("i64", [3], [-9007199254740993n, 0n, 9007199254740993n]), big("i64", [], [-9007199254740992n])]);
    expect(raw(r.data)).toEqual([-9007199254740992n, 0n, 9007199254740993n]);
    expect(raw(run("Clip", [big("i64", [2], [-5n, 5n])], { min: -1, max: 1 }).data)).toEqual([-1n, 1n]);
  });
  it("imports every opset form into the attribute form", () => {
    expect(importNode("Clip", ["x"], ["y"], { min: -1, max: 1 }, { opset: 6 })).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { min: -1, max: 1 } });
    expect(importNode("Clip", ["x"], ["y"], {}, { opset: 9 })).toEqual({ inputs: ["x"], outputs: ["y"], attrs: {} });
    const m = { opset: 13, constants: { lo: t("f32", [], [0]), hi: t("f32", [], [6]), bad: t("f32", [2], [0, 1]) } };
    expect(importNode("Clip", ["x", "lo", "hi"], ["y"], {}, m)).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { min: 0, max: 6 } });
    expect(importNode("Clip", ["x", "", "hi"], ["y"], {}, m)).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { max: 6 } });
    // A bound computed at run time stays an input.
    expect(importNode("Clip", ["x", "lo", "dyn"], ["y"], {}, m)).toEqual({ inputs: ["x", "", "dyn"], outputs: ["y"], attrs: { min: 0 } });
    expect(importNode("Clip", ["x", "dyn"], ["y"], {}, m)).toEqual({ inputs: ["x", "dyn"], outputs: ["y"], attrs: {} });
    expect(() => importNode("Clip", ["x", "bad"], ["y"], {}, m)).toThrow(/min must be a scalar, it has 2 elements/);
    expect(importNode("Clip", ["x", "lo"], ["y"], {}, { opset: 13, constants: { lo: t("f16", [], [0.5]) } }).attrs).toEqual({ min: 0.5 });
  });
});
