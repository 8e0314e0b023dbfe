// ir/float-formats.ts: f16, bf16 and float8 conversions against independent oracles (every code,
// every midpoint between neighbours), the ONNX saturate table, and the whole-tensor helpers.
import { describe, expect, it } from "vitest";
import {
  bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToBf16BitsTruncate, f32ToF16Bits, float8BitsToF32, float8Values,
  formatReal, parseNumber, tensorFromF64, tensorToF32, tensorToF64, toFloat8Bits, FLOAT8_FORMATS, type Float8Format,
} from "../../../ir/float-formats.js";
import { big, nums, raw, t } from "./helpers.js";

const f32Bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;
const fromF32Bits = (b: number): number => new Float32Array(Uint32Array.of(b).buffer)[0]!;

interface Format {
  name: string;
  bits: number;
  encode(x: number, saturate?: boolean): number;
  decode(b: number): number;
}
const F16: Format = { name: "f16", bits: 16, encode: f32ToF16Bits, decode: f16BitsToF32 };
const F8 = (f: Float8Format): Format => ({ name: f, bits: 8, encode: (x, s = true) => toFloat8Bits(x, f, s), decode: (b) => float8BitsToF32(b, f) });

/** Every finite non-negative value of a format with its code, ascending. */
function positives(f: Format): { v: number; b: number }[] {
  const out: { v: number; b: number }[] = [];
  for (let b = 0; b < 1 << (f.bits - 1); b++) {
    const v = f.decode(b);
    if (Number.isFinite(v)) out.push({ v, b });
  }
  return out.sort((p, q) => p.v - q.v);
}

describe.each([F16, ...FLOAT8_FORMATS.map(F8)])("$name", (f) => {
  it("decodes and re-encodes every code (NaN codes give NaN)", () => {
    for (let b = 0; b < 2 ** f.bits; b++) {
      const v = f.decode(b);
      if (Number.isNaN(v)) expect(Number.isNaN(f.decode(f.encode(v)))).toBe(true);
      else expect(f.encode(v, false)).toBe(b);
    }
  });
  it("rounds to nearest with ties to the even code, on both the f32 and the double path", () => {
    const ps = positives(f);
    for (let i = 0; i + 1 < ps.length; i++) {
      const lo = ps[i]!, hi = ps[i + 1]!;
      const mid = (lo.v + hi.v) / 2;
      const even = lo.b % 2 === 0 ? lo.b : hi.b;
      expect(f.encode(mid)).toBe(even);
      expect(f.encode(-mid) & ((1 << (f.bits - 1)) - 1)).toBe(even);
      // Just off the midpoint: one f32 ulp (the bit path) and a tiny non-f32 offset (the exact path).
      const up32 = fromF32Bits(f32Bits(mid) + 1), down32 = fromF32Bits(f32Bits(mid) - 1);
      expect(f.encode(up32)).toBe(hi.b);
      if (mid > 0) expect(f.encode(down32)).toBe(lo.b);
      const eps = mid * 2 ** -40;
      expect(f.encode(mid + eps)).toBe(hi.b);
      expect(f.encode(mid - eps)).toBe(lo.b);
    }
  });
});

describe("f16", () => {
  it("handles the edge values", () => {
    expect(f32ToF16Bits(0)).toBe(0);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65519.99)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // the tie above max rounds to even, which is Inf
    expect(f32ToF16Bits(1e6)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
    expect(f32ToF16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // half of it: tie to even zero
    expect(f32ToF16Bits(-(2 ** -26))).toBe(0x8000);
    expect(f32ToF16Bits(1.5 * 2 ** -25)).toBe(1);
    expect(f32ToF16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up across the subnormal boundary
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
  });
  it("rounds doubles once (no double rounding through f32)", () => {
    // Just above the f16 tie 1 + 2^-11 by less than an f32 ulp: f32 would round it onto the tie.
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c01);
  });
});

describe("bf16", () => {
  it("rounds to nearest even and keeps Inf/NaN", () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(f32ToBf16Bits(fromF32Bits(0x3ef5eeb0))).toBe(0x3ef6);
    expect(f32ToBf16Bits(fromF32Bits(0x7f7fffff))).toBe(0x7f80); // f32 max rounds up to Inf
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
    expect(f32ToBf16Bits(-0)).toBe(0x8000);
    expect(f32ToBf16Bits(2 ** -133)).toBe(0x0001); // bf16 subnormal, itself an f32 subnormal
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
    expect(bf16BitsToF32(0x3f82)).toBe(1 + 2 ** -6);
  });
  it("has the truncating variant the ONNX Cast reference uses", () => {
    expect(f32ToBf16BitsTruncate(fromF32Bits(0x3ef5eeb0))).toBe(0x3ef5);
    expect(f32ToBf16BitsTruncate(fromF32Bits(0x7f800001))).toBe(0x7fc0); // a NaN never becomes Inf
    expect(f32ToBf16BitsTruncate(-Infinity)).toBe(0xff80);
  });
});

describe("float8", () => {
  it("knows each format's range and special codes", () => {
    const v = (f: Float8Format, b: number) => float8BitsToF32(b, f);
    expect([v("f8e4m3fn", 0x7e), v("f8e4m3fn", 0x01), v("f8e4m3fn", 0x08)]).toEqual([448, 2 ** -9, 2 ** -6]);
    expect(Number.isNaN(v("f8e4m3fn", 0x7f)) && Number.isNaN(v("f8e4m3fn", 0xff))).toBe(true);
    expect(Object.is(v("f8e4m3fn", 0x80), -0)).toBe(true);
    expect([v("f8e4m3fnuz", 0x7f), v("f8e4m3fnuz", 0x01)]).toEqual([240, 2 ** -10]);
    expect(Number.isNaN(v("f8e4m3fnuz", 0x80))).toBe(true);
    expect([v("f8e5m2", 0x7b), v("f8e5m2", 0x7c), v("f8e5m2", 0xfc), v("f8e5m2", 0x01)]).toEqual([57344, Infinity, -Infinity, 2 ** -16]);
    expect([0x7d, 0x7e, 0x7f].every((b) => Number.isNaN(v("f8e5m2", b)))).toBe(true);
    expect([v("f8e5m2fnuz", 0x7f), v("f8e5m2fnuz", 0x01)]).toEqual([57344, 2 ** -17]);
    expect(Number.isNaN(v("f8e5m2fnuz", 0x80))).toBe(true);
    expect(float8Values("f8e4m3fn").length).toBe(256);
  });
  it("follows the ONNX saturate table (Inf saturates too, as the ONNX reference does)", () => {
    const enc = (x: number, f: Float8Format, s: boolean) => toFloat8Bits(x, f, s);
    // saturate = true
    expect([Infinity, -Infinity, 1e6, -1e6, 465].map((x) => enc(x, "f8e4m3fn", true))).toEqual([0x7e, 0xfe, 0x7e, 0xfe, 0x7e]);
    expect([Infinity, -Infinity, 1e6].map((x) => enc(x, "f8e4m3fnuz", true))).toEqual([0x7f, 0xff, 0x7f]);
    expect([Infinity, -Infinity, 1e6].map((x) => enc(x, "f8e5m2", true))).toEqual([0x7b, 0xfb, 0x7b]);
    expect([Infinity, -Infinity, 1e6].map((x) => enc(x, "f8e5m2fnuz", true))).toEqual([0x7f, 0xff, 0x7f]);
    // saturate = false
    expect([Infinity, -Infinity, 1e6, 464, 465].map((x) => enc(x, "f8e4m3fn", false))).toEqual([0x7f, 0xff, 0x7f, 0x7e, 0x7f]);
    expect([Infinity, -Infinity, 1e6].map((x) => enc(x, "f8e4m3fnuz", false))).toEqual([0x80, 0x80, 0x80]);
    expect([Infinity, -Infinity, 1e6, 61440].map((x) => enc(x, "f8e5m2", false))).toEqual([0x7c, 0xfc, 0x7c, 0x7c]);
    expect([Infinity, 1e6].map((x) => enc(x, "f8e5m2fnuz", false))).toEqual([0x80, 0x80]);
    // zeros and NaN
    expect(FLOAT8_FORMATS.map((f) => enc(-0, f, true))).toEqual([0x80, 0x00, 0x80, 0x00]);
    expect(FLOAT8_FORMATS.map((f) => enc(-1e-30, f, true))).toEqual([0x80, 0x00, 0x80, 0x00]);
    expect(FLOAT8_FORMATS.map((f) => enc(NaN, f, true))).toEqual([0x7f, 0x80, 0x7f, 0x80]);
  });
  it("rounds subnormals to nearest even", () => {
    expect(toFloat8Bits(2 ** -10, "f8e4m3fn")).toBe(0); // half the smallest subnormal
    expect(toFloat8Bits(1.5 * 2 ** -9, "f8e4m3fn")).toBe(2); // tie between codes 1 and 2
    expect(toFloat8Bits(2.5 * 2 ** -9, "f8e4m3fn")).toBe(2);
    expect(toFloat8Bits(7.5 * 2 ** -9, "f8e4m3fn")).toBe(8); // rounds up into the first normal
  });
});

describe("tensor helpers", () => {
  it("reads any dtype as real values", () => {
    expect(Array.from(tensorToF64(big("i64", [2], [-5n, 9007199254740993n])))).toEqual([-5, 9007199254740992]);
    expect(Array.from(tensorToF64(t("bool", [3], [1, 0, 1])))).toEqual([1, 0, 1]);
    const h = tensorFromF64("f16", [3], [1.5, -2, 65504]);
    expect(raw(h.data)).toEqual([0x3e00, 0xc000, 0x7bff]);
    expect(Array.from(tensorToF32(h))).toEqual([1.5, -2, 65504]);
    const s = t("f32", [2], [1, 2]);
    expect(tensorToF32(s)).toBe(s.data); // no copy for f32
  });
  it("builds any dtype from real values like a C cast", () => {
    expect(nums(tensorFromF64("i8", [4], [200.7, -3.9, NaN, Infinity]))).toEqual([-56, -3, 0, 0]);
    expect(nums(tensorFromF64("bool", [4], [0, -0, NaN, 0.1]))).toEqual([0, 0, 1, 1]);
    expect(Array.from(tensorFromF64("u64", [1], [-1]).data as BigUint64Array)).toEqual([18446744073709551615n]);
    expect(raw(tensorFromF64("f8e4m3fn", [2], [1000, 1000], false).data)).toEqual([0x7f, 0x7f]);
    expect(() => tensorFromF64("f32", [3], [1])).toThrow(/1 values for shape \[3\]/);
  });
  it("prints numbers like numpy's str() and parses the ONNX spellings", () => {
    expect(formatReal(Math.fround(0.1), "f32")).toBe("0.1");
    expect(formatReal(Math.fround(0.47892547), "f32")).toBe("0.47892547");
    expect(formatReal(3, "f32")).toBe("3.0");
    expect(formatReal(1234.5, "f64")).toBe("1234.5");
    expect(formatReal(-0.00012, "f64")).toBe("-0.00012");
    expect(formatReal(1e-5, "f64")).toBe("1e-05");
    expect(formatReal(Math.fround(1e20), "f32")).toBe("1e+20");
    expect(formatReal(1.5e300, "f64")).toBe("1.5e+300");
    expect(formatReal(Math.fround(123456789), "f32")).toBe("123456790.0");
    expect(formatReal(0.1, "f64")).toBe("0.1");
    expect([NaN, Infinity, -Infinity, -0].map((x) => formatReal(x, "f32"))).toEqual(["nan", "inf", "-inf", "-0.0"]);
    expect(["1e-5", "1E8", "+INF", "inf", "-Inf", "NaN", " 2.5 "].map(parseNumber)).toEqual([1e-5, 1e8, Infinity, Infinity, -Infinity, NaN, 2.5]);
  });
});
