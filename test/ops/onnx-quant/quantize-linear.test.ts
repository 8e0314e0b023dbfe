// QuantizeLinear and DequantizeLinear: rounding ties, f32 quotient precision, saturation,
// per-axis and blocked parameters, float8 with and without saturate, type rules.
import { describe, expect, it } from "vitest";
import { parseDim } from "../../../ir/dim.js";
import { f32ToF16Bits, f16BitsToF32, toFloat8Bits } from "../../../ir/float-formats.js";
import { inferString, inferType, raw, run, s, t, values } from "./helpers.js";

const f = Math.fround;

describe("QuantizeLinear", () => {
  it("rounds ties to even before adding the zero point", () => {
    const x = t("f32", [8], [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999]);
    expect(values(run("QuantizeLinear", [x, s("f32", 1), s("i8", 0)]))).toEqual([-2, -2, 0, 0, 2, 2, 4, 2]);
    // With zero point 1 the tie still rounds on the quotient: 0.5 -> 0 -> 1, 2.5 -> 2 -> 3.
    expect(values(run("QuantizeLinear", [t("f32", [3], [0.5, 1.5, 2.5]), s("f32", 1), s("u8", 1)]))).toEqual([1, 3, 3]);
  });

  it("divides in f32 like the ONNX reference (a quotient that is a tie only in f32)", () => {
    const sc = f(0.0021);
    const x = f(0.00525);
    expect(x / sc).toBeGreaterThan(2.5); // in double the quotient is above the tie ...
    expect(f(x / sc)).toBe(2.5); // ... in f32 it is the tie, which rounds to 2
    expect(values(run("QuantizeLinear", [t("f32", [1], [x]), s("f32", sc), s("u8", 0)]))).toEqual([2]);
  });

  it("saturates to every integer output type", () => {
    const x = t("f32", [4], [1e9, -1e9, 100.4, -100.6]);
    const q = (dt: "u8" | "i8" | "u16" | "i16" | "i32") => values(run("QuantizeLinear", [x, s("f32", 1), s(dt, 0)]));
    expect(q("u8")).toEqual([255, 0, 100, 0]);
    expect(q("i8")).toEqual([127, -128, 100, -101]);
    expect(q("u16")).toEqual([65535, 0, 100, 0]);
    expect(q("i16")).toEqual([32767, -32768, 100, -101]);
    expect(q("i32")).toEqual([1e9, -1e9, 100, -101]);
    expect(values(run("QuantizeLinear", [t("f32", [1], [3e9]), s("f32", 1), s("i32", 0)]))).toEqual([2147483647]);
  });

  it("defaults to u8 without a zero point, or takes output_dtype", () => {
    const x = t("f32", [3], [-3, 3, 300]);
    const u = run("QuantizeLinear", [x, s("f32", 1)]);
    expect(u.dtype).toBe("u8");
    expect(values(u)).toEqual([0, 3, 255]);
    const i = run("QuantizeLinear", [x, s("f32", 1)], { output_dtype: "i8" });
    expect(i.dtype).toBe("i8");
    expect(values(i)).toEqual([-3, 3, 127]);
  });

  it("quantizes per axis (negative axis too)", () => {
    // x [2,3,2], scales and zero points along axis 1.
    const x = t("f32", [2, 3, 2], [1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6]);
    const sc = t("f32", [3], [1, 2, 4]);
    const zp = t("i8", [3], [0, 10, -10]);
    const want = [1, 2, 12, 12, -9, -8, -1, -2, 8, 8, -11, -12];
    expect(values(run("QuantizeLinear", [x, sc, zp], { axis: 1 }))).toEqual(want);
    expect(values(run("QuantizeLinear", [x, sc, zp], { axis: -2 }))).toEqual(want);
  });

  it("quantizes in blocks, including a short last block", () => {
    // x [2,5] along axis 1 with block_size 2: scale [2,3].
    const x = t("f32", [2, 5], [2, 4, 6, 8, 10, 2, 4, 6, 8, 10]);
    const sc = t("f32", [2, 3], [1, 2, 10, 2, 1, 0.5]);
    expect(values(run("QuantizeLinear", [x, sc, t("u8", [2, 3], [0, 0, 0, 0, 0, 1])], { axis: 1, block_size: 2 })))
      .toEqual([2, 4, 3, 4, 1, 1, 2, 6, 8, 21]);
  });

  it("converts to float8 with and without saturation", () => {
    const x = t("f32", [4], [1000, -1000, 0.3, 1e6]);
    const e4 = run("QuantizeLinear", [x, s("f32", 1), raw("f8e4m3fn", [], [0])]);
    expect(values(e4)).toEqual([0x7e, 0xfe, toFloat8Bits(0.3, "f8e4m3fn"), 0x7e]);
    const e4n = run("QuantizeLinear", [x, s("f32", 1), raw("f8e4m3fn", [], [0])], { saturate: 0 });
    expect(values(e4n)).toEqual([0x7f, 0xff, toFloat8Bits(0.3, "f8e4m3fn"), 0x7f]);
    const e5n = run("QuantizeLinear", [x, s("f32", 1), raw("f8e5m2", [], [0])], { saturate: 0 });
    expect(values(e5n)[3]).toBe(0x7c); // +Inf
  });

  it("rounds the quotient to f16 for f16 inputs, and keeps int32 inputs' quotient in double", () => {
    const x16 = raw("f16", [1], []);
    (x16.data as Uint16Array)[0] = f32ToF16Bits(5);
    const s16 = raw("f16", [], []);
    (s16.data as Uint16Array)[0] = f32ToF16Bits(2);
    expect(values(run("QuantizeLinear", [x16, s16, s("i8", 0)]))).toEqual([2]);
    expect(f16BitsToF32(f32ToF16Bits(2.5))).toBe(2.5);
    // int32 x: 16777217 / 1 keeps its odd last bit (an f32 quotient would lose it).
    expect(values(run("QuantizeLinear", [t("i32", [1], [16777217]), s("f32", 1), s("i32", 0)]))).toEqual([16777217]);
  });

  it("maps NaN to the zero point", () => {
    expect(values(run("QuantizeLinear", [t("f32", [1], [NaN]), s("f32", 1), s("u8", 7)]))).toEqual([7]);
  });

  it("infers the output type, with a quantization annotation for constant parameters", () => {
    const T = parseDim("T");
    expect(inferString("QuantizeLinear", [{ dtype: "f32", shape: [1, 64, T] }, { dtype: "f32", shape: [] }, { dtype: "i8", shape: [] }]))
      .toBe("i8[1,64,T]");
    const ty = inferType("QuantizeLinear", [{ dtype: "f32", shape: [2, 3] }, { dtype: "f32", shape: [3] }, { dtype: "u8", shape: [3] }], {},
      [undefined, t("f32", [3], [0.5, 0.25, 1]), t("u8", [3], [1, 2, 3])]);
    expect(ty.quant).toEqual({ kind: "affine", scale: [0.5, 0.25, 1], zeroPoint: [1, 2, 3], axis: 1 });
    expect(() => inferString("QuantizeLinear", [{ dtype: "f32", shape: [2, 3] }, { dtype: "f32", shape: [2] }])).toThrow(/y_scale has shape \[2\]/);
    expect(() => inferString("QuantizeLinear", [{ dtype: "f32", shape: [4] }, { dtype: "f32", shape: [] }, { dtype: "i8", shape: [] }], { output_dtype: "u8" }))
      .toThrow(/output_dtype u8 differs/);
  });
});

describe("DequantizeLinear", () => {
  it("computes (x - zero_point) * scale per tensor and per axis", () => {
    expect(values(run("DequantizeLinear", [t("u8", [4], [0, 3, 128, 255]), s("f32", 2), s("u8", 128)]))).toEqual([-256, -250, 0, 254]);
    const y = run("DequantizeLinear", [t("i8", [1, 2, 2], [1, 2, 3, 4]), t("f32", [2], [0.5, 2]), t("i8", [2], [1, -1])], { axis: 1 });
    expect(values(y)).toEqual([0, 0.5, 8, 10]);
  });

  it("dequantizes blocks", () => {
    const y = run("DequantizeLinear", [t("i8", [1, 4], [1, 2, 3, 4]), t("f32", [1, 2], [1, 10]), t("i8", [1, 2], [0, 1])], { axis: 1, block_size: 2 });
    expect(values(y)).toEqual([1, 2, 20, 30]);
  });

  it("rounds int32 inputs to f32 first, as the reference does", () => {
    const y = run("DequantizeLinear", [t("i32", [1], [16777217]), s("f32", 1)]);
    expect(values(y)).toEqual([16777216]);
  });

  it("reads float8 inputs and produces the scale's type", () => {
    const x = raw("f8e4m3fn", [2], [toFloat8Bits(1.5, "f8e4m3fn"), toFloat8Bits(-448, "f8e4m3fn")]);
    expect(values(run("DequantizeLinear", [x, s("f32", 2)]))).toEqual([3, -896]);
    const s16 = raw("f16", [], []);
    (s16.data as Uint16Array)[0] = f32ToF16Bits(0.5);
    const y16 = run("DequantizeLinear", [t("u8", [1], [7]), s16]);
    expect(y16.dtype).toBe("f16");
    expect(f16BitsToF32((y16.data as Uint16Array)[0]!)).toBe(3.5);
  });

  it("checks zero-point types and shapes", () => {
    expect(() => inferString("DequantizeLinear", [{ dtype: "u8", shape: [3] }, { dtype: "f32", shape: [] }, { dtype: "i8", shape: [] }]))
      .toThrow(/x_zero_point has dtype i8, x has u8/);
    expect(inferString("DequantizeLinear", [{ dtype: "i8", shape: [2, 3] }, { dtype: "f32", shape: [3] }], { axis: 1 })).toBe("f32[2,3]");
    expect(() => inferString("DequantizeLinear", [{ dtype: "f32", shape: [3] }, { dtype: "f32", shape: [] }])).toThrow(/cannot dequantize f32/);
  });
});
