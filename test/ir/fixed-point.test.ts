// Property tests of ir/fixed-point.ts against a BigInt reference written straight from the
// definitions (gemmlowp / TFLite reference code semantics), on random accumulators including
// INT32_MIN/MAX and exact ties.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  INT32_MAX, INT32_MIN, multiplierValue, multiplyByQuantizedMultiplier, quantizeMultiplier, requantizeValue,
  multiplyWide, requantizeRow, roundingDivideByPOT, saturatingRoundingDoublingHighMul, type Rounding,
} from "../../ir/fixed-point.js";

const MIN = -(2n ** 31n), MAX = 2n ** 31n - 1n;
const sat = (v: bigint) => (v < MIN ? MIN : v > MAX ? MAX : v);
/** floor(a / 2^k) for bigint (>> is an arithmetic shift on BigInt). */
const floorDiv = (a: bigint, k: bigint) => a >> k;

function refSrdhm(a: bigint, b: bigint): bigint {
  if (a === MIN && b === MIN) return MAX;
  const ab = a * b;
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return (ab + nudge) / (1n << 31n); // BigInt division truncates, as C does
}
function refRdbp(x: bigint, e: bigint): bigint {
  const mask = (1n << e) - 1n;
  const rem = x & mask;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> e) + (rem > threshold ? 1n : 0n);
}
function refMul(acc: bigint, m: bigint, shift: bigint, r: Rounding): bigint {
  switch (r) {
    case "gemmlowp": {
      const left = shift > 0n ? shift : 0n, right = shift > 0n ? 0n : -shift;
      return refRdbp(refSrdhm(sat(acc << left), m), right);
    }
    case "tflite": {
      const k = 31n - shift;
      return sat(floorDiv(acc * m + (1n << (k - 1n)), k));
    }
    case "rndnu": {
      const left = shift >= 0n ? shift + 1n : 0n, post = shift >= 0n ? 1n : -shift;
      const high = floorDiv(sat(acc << left) * m * 2n, 32n);
      return floorDiv(high + (1n << (post - 1n)), post);
    }
    case "half-even": {
      const k = 31n - shift;
      const p = acc * m;
      const fl = floorDiv(p, k);
      const rem = p - (fl << k);
      const half = 1n << (k - 1n);
      const q = rem < half ? fl : rem > half ? fl + 1n : fl % 2n === 0n ? fl : fl + 1n;
      return sat(q);
    }
  }
}

const int32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX),
  fc.integer({ min: -70000, max: 70000 }),
);
const mult = fc.oneof(fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }), fc.constantFrom(2 ** 30, 2 ** 31 - 1));
const shift = fc.integer({ min: -31, max: 30 });
const rounding = fc.constantFrom<Rounding>("gemmlowp", "tflite", "rndnu", "half-even");

describe("fixed point", () => {
  it("SaturatingRoundingDoublingHighMul matches the reference", () => {
    fc.assert(fc.property(int32, int32, (a, b) => {
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(Number(refSrdhm(BigInt(a), BigInt(b))));
    }), { numRuns: 3000 });
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
  });

  it("RoundingDivideByPOT matches the reference, ties away from zero", () => {
    fc.assert(fc.property(int32, fc.integer({ min: 0, max: 31 }), (x, e) => {
      expect(roundingDivideByPOT(x, e)).toBe(Number(refRdbp(BigInt(x), BigInt(e))));
    }), { numRuns: 3000 });
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2); // -1.5 -> -2
  });

  it("every rounding mode matches its BigInt reference", () => {
    fc.assert(fc.property(int32, mult, shift, rounding, (acc, m, s, r) => {
      const got = multiplyByQuantizedMultiplier(acc, m, s, r);
      expect(got, `${r} acc=${acc} m=${m} shift=${s}`).toBe(Number(refMul(BigInt(acc), BigInt(m), BigInt(s), r)));
    }), { numRuns: 20000 });
  });

  it("exact ties: accumulators whose product lands half way", () => {
    // multiplier 2^30 with shift 0 is 0.5: odd accumulators are exact ties.
    const m = 2 ** 30;
    fc.assert(fc.property(fc.integer({ min: -(2 ** 30), max: 2 ** 30 - 1 }), shift.filter((s) => s <= 0), rounding, (k, s, r) => {
      const acc = 2 * k + 1;
      expect(multiplyByQuantizedMultiplier(acc, m, s, r)).toBe(Number(refMul(BigInt(acc), BigInt(m), BigInt(s), r)));
    }), { numRuns: 5000 });
    // 2.5, -2.5 and 3.5 under each rule.
    const table: Record<Rounding, number[]> = { "gemmlowp": [3, -2, 4], "tflite": [3, -2, 4], "rndnu": [3, -2, 4], "half-even": [2, -2, 4] };
    for (const [r, want] of Object.entries(table)) {
      expect([5, -5, 7].map((a) => multiplyByQuantizedMultiplier(a, m, 0, r as Rounding)), r).toEqual(want);
    }
  });

  it("the modes differ where they should: gemmlowp double rounding", () => {
    // 2 * 0.75 / 4 = 0.375: gemmlowp first rounds 2 * 0.75 = 1.5 to 2, then 2/4 = 0.5 to 1.
    const m = 3 * 2 ** 29; // 0.75
    expect(multiplyByQuantizedMultiplier(2, m, -2, "gemmlowp")).toBe(1);
    expect(multiplyByQuantizedMultiplier(2, m, -2, "tflite")).toBe(0);
    expect(multiplyByQuantizedMultiplier(2, m, -2, "half-even")).toBe(0);
  });

  it("quantizeMultiplier keeps the mantissa in [2^30, 2^31) and the value close", () => {
    fc.assert(fc.property(fc.double({ min: 1e-9, max: 1e6, noNaN: true }), (r) => {
      const q = quantizeMultiplier(r);
      if (q.multiplier === 0) return;
      expect(q.multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(q.multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs(multiplierValue(q) - r)).toBeLessThanOrEqual(r * 2 ** -30);
    }));
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(() => quantizeMultiplier(-1)).toThrow(/non-negative/);
  });

  it("requantizeValue adds the zero point and clamps", () => {
    expect(requantizeValue(1000, 2 ** 30, 0, "gemmlowp", -128, -128, 127)).toBe(127);
    expect(requantizeValue(-1000, 2 ** 30, 0, "gemmlowp", 10, 10, 127)).toBe(10);
    expect(requantizeValue(11, 2 ** 30, 0, "half-even", 3, -128, 127)).toBe(9); // 5.5 -> 6 + 3
  });
});

describe("requantizeRow", () => {
  it("gives exactly the scalar results, fast path and exact path alike", () => {
    const accs = fc.array(fc.oneof(int32, fc.integer({ min: -(2 ** 22), max: 2 ** 22 }), fc.integer({ min: -300, max: 300 })), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(accs, mult, shift, rounding, fc.integer({ min: -128, max: 127 }), (xs, m, s, r, zp) => {
      const acc = Int32Array.from(xs);
      const out = new Int32Array(xs.length);
      requantizeRow(acc, 0, out, 0, xs.length, m, s, r, zp, -128, 127);
      xs.forEach((x, i) => expect(out[i], `${r} acc=${x} m=${m} shift=${s}`).toBe(requantizeValue(x, m, s, r, zp, -128, 127)));
    }), { numRuns: 3000 });
  });
});

describe("multiplyWide (16x8 accumulators)", () => {
  function refWide(acc: bigint, m: bigint, s: bigint, r: Rounding): bigint {
    const p = acc * m * (s > 0n ? 1n << s : 1n);
    const right = s > 0n ? 0n : -s;
    switch (r) {
      case "gemmlowp": return sat(refRdbp(floorDiv(p + (1n << 30n), 31n), right));
      case "tflite": case "rndnu": return sat(floorDiv(p + (1n << (30n + right)), 31n + right));
      case "half-even": {
        const k = 31n + right, fl = floorDiv(p, k), rem = p - (fl << k), half = 1n << (k - 1n);
        return sat(rem < half ? fl : rem > half ? fl + 1n : fl % 2n === 0n ? fl : fl + 1n);
      }
    }
  }
  const wide = fc.oneof(int32, fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), fc.integer({ min: -(2 ** 34), max: 2 ** 34 }));

  it("matches the exact wide reference, and the 32-bit definitions inside int32", () => {
    fc.assert(fc.property(wide, mult, fc.integer({ min: -31, max: 4 }), rounding, (acc, m, s, r) => {
      expect(multiplyWide(acc, m, s, r), `${r} acc=${acc} m=${m} shift=${s}`).toBe(Number(refWide(BigInt(acc), BigInt(m), BigInt(s), r)));
      if (acc >= INT32_MIN && acc <= INT32_MAX && s <= 0 && r !== "rndnu") expect(multiplyWide(acc, m, s, r)).toBe(multiplyByQuantizedMultiplier(acc, m, s, r));
    }), { numRuns: 10000 });
  });
});
