// Fixed-point arithmetic of integer-only inference: the one definition of requantization.
//
// A real multiplier r > 0 is stored as an int32 `multiplier` in [2^30, 2^31) and a `shift` with
//   r ~= multiplier * 2^(shift - 31)        (TFLite's convention: shift > 0 shifts left)
// and an int32 accumulator is scaled by it with one of four explicit rounding rules:
//
// - "gemmlowp"  (default) TFLite's reference MultiplyByQuantizedMultiplier: saturating left
//               shift by max(shift, 0), SaturatingRoundingDoublingHighMul (its nudge of
//               2^30, or 1 - 2^30 below zero, then truncation send ties towards +infinity),
//               then RoundingDivideByPOT by max(-shift, 0) (ties away from zero).
//               Two roundings, so a result can differ by one step from the exact product.
// - "tflite"    TFLite's TFLITE_SINGLE_ROUNDING: (acc * multiplier + 2^(k-1)) >> k with
//               k = 31 - shift in 64 bits, i.e. one rounding, ties towards +infinity.
// - "rndnu"     what NEON gives with vqshlq_s32 (saturating pre-shift), vqdmulhq_s32
//               (truncating doubling high half) and vrshlq_s32 (rounding post-shift, ties up),
//               with pre = shift + 1, post = 1 when shift >= 0 and pre = 0, post = -shift
//               otherwise. Mathematically single rounding with ties up; it differs from
//               "tflite" only where the saturating pre-shift clips (shift >= 0 and |acc| large).
// - "half-even" the exact product acc * multiplier * 2^(shift-31) rounded to nearest with ties to
//               even, as ONNX's float requantization rounds (with the multiplier exact).
//
// Every result saturates to int32. The arithmetic is exact: 64-bit products are taken as two
// 32-bit limbs held in doubles (every partial sum stays below 2^53), so the kernels need neither
// BigInt nor float rounding; the tests compare against a BigInt reference.

export const ROUNDINGS = ["gemmlowp", "tflite", "rndnu", "half-even"] as const;
export type Rounding = (typeof ROUNDINGS)[number];

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO16 = 65536;
const TWO31 = 2147483648;
const TWO32 = 4294967296;

export function isRounding(s: string): s is Rounding {
  return (ROUNDINGS as readonly string[]).includes(s);
}

export interface QuantizedMultiplier {
  /** In [2^30, 2^31), or 0 for a zero multiplier. */
  readonly multiplier: number;
  /** Power-of-two exponent: real = multiplier * 2^(shift - 31). */
  readonly shift: number;
}

/**
 * Quantizes a real multiplier (>= 0) into an int32 mantissa in [2^30, 2^31) and a shift,
 * rounding the mantissa to nearest (ties away from zero, as frexp-based tools do). Shifts are
 * kept within [-31, 30] so every rounding mode has a defined result; smaller multipliers
 * become 0.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (!Number.isFinite(real) || real < 0) throw new Error(`cannot quantize the multiplier ${real}: it must be finite and non-negative`);
  if (real === 0) return { multiplier: 0, shift: 0 };
  let exp = Math.floor(Math.log2(real)) + 1;
  // log2 can be off by one near powers of two: fix so that real / 2^exp lies in [0.5, 1).
  while (real / 2 ** exp >= 1) exp++;
  while (real / 2 ** exp < 0.5) exp--;
  let m = Math.round((real / 2 ** exp) * TWO31);
  if (m === TWO31) {
    m = TWO31 / 2;
    exp++;
  }
  if (exp > 30) throw new Error(`the multiplier ${real} is too large for a fixed-point multiplier (at most 2^30)`);
  if (exp < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: m, shift: exp };
}

/** The real value a quantized multiplier stands for. */
export function multiplierValue(q: QuantizedMultiplier): number {
  return q.multiplier * 2 ** (q.shift - 31);
}

// ---- exact 64-bit products in two limbs -------------------------------------------------------
// prodHi/prodLo hold the last product: value = prodHi * 2^32 + prodLo, prodLo in [0, 2^32).
let prodHi = 0;
let prodLo = 0;

/** Exact a * b for int32 a, b into (prodHi, prodLo). */
function mul64(a: number, b: number): void {
  const bl = b & 0xffff;               // [0, 2^16)
  const bh = (b - bl) / TWO16;         // signed, |bh| <= 2^15
  const x = a * bh;                    // |x| <= 2^46, exact
  const xl = x - Math.floor(x / TWO16) * TWO16;
  const xh = (x - xl) / TWO16;
  const y = xl * TWO16 + a * bl;       // |y| < 2^48, exact
  const yl = y - Math.floor(y / TWO32) * TWO32;
  prodHi = xh + (y - yl) / TWO32;
  prodLo = yl;
}

function sat32(v: number): number {
  return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

/**
 * floor((prodHi*2^32 + prodLo + (roundUp ? 2^(k-1) : 0)) / 2^k) for 1 <= k <= 62, saturated to
 * unsaturated. Callers saturate to int32, so quotients too large to be exact in a double do no
 * harm.
 */
function floorShift(roundUp: boolean, k: number): number {
  let hi = prodHi;
  let lo = prodLo;
  if (roundUp) {
    if (k - 1 >= 32) hi += 2 ** (k - 33);
    else {
      lo += 2 ** (k - 1);
      if (lo >= TWO32) {
        lo -= TWO32;
        hi += 1;
      }
    }
  }
  if (k <= 32) return hi * 2 ** (32 - k) + Math.floor(lo / 2 ** k);
  return Math.floor(hi / 2 ** (k - 32));
}

/**
 * The remainder class of the last product modulo 2^k, compared with 2^(k-1): -1 below,
 * 0 an exact tie, 1 above. For 1 <= k <= 62.
 */
function compareRemainderToHalf(k: number): number {
  if (k <= 32) {
    const r = prodLo % 2 ** k; // prodLo >= 0
    const half = 2 ** (k - 1);
    return r < half ? -1 : r > half ? 1 : 0;
  }
  const m = 2 ** (k - 32);
  const rh = prodHi - Math.floor(prodHi / m) * m; // [0, m)
  const halfHi = m / 2;
  if (rh < halfHi) return -1;
  if (rh > halfHi) return 1;
  return prodLo > 0 ? 1 : 0;
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul: round(a * b / 2^31), ties towards +infinity
 * (the negative nudge 1 - 2^30 stops short of a tie, and truncation then goes up); the one
 * overflowing case a = b = INT32_MIN gives INT32_MAX.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  mul64(a, b);
  // gemmlowp adds a nudge of 2^30 (or 1 - 2^30 for negative products) and truncates towards zero.
  const negative = prodHi < 0;
  const nudge = negative ? 1 - 2 ** 30 : 2 ** 30;
  // value + nudge, then truncate towards zero: floor for non-negative, ceil for negative.
  let hi = prodHi;
  let lo = prodLo + nudge;
  if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
  } else if (lo < 0) {
    lo += TWO32;
    hi -= 1;
  }
  const fl = hi * 2 + Math.floor(lo / TWO31);
  const exact = lo % TWO31 === 0;
  return hi < 0 && !exact ? fl + 1 : fl;
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero (0 <= exponent <= 31). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const p = 2 ** exponent;
  const q = Math.floor(x / p);
  const r = x - q * p; // [0, p)
  const half = p / 2;
  // Ties go away from zero: up for x >= 0, down (stay at floor) for x < 0.
  return r > half || (r === half && x >= 0) ? q + 1 : q;
}

/** Left shift by s (>= 0) saturated to int32, as vqshlq_s32 and TFLite's reference do in effect. */
export function saturatingLeftShift(x: number, s: number): number {
  return sat32(x * 2 ** s);
}

/**
 * Below this magnitude an operand times a multiplier (< 2^31) is below 2^52, so the product and
 * a rounding term of at most 2^51 are exact in a double: the fast paths use plain arithmetic.
 */
const SMALL = 2097152; // 2^21

/** Scales an int32 accumulator by a quantized multiplier with the given rounding; int32 result. */
export function multiplyByQuantizedMultiplier(acc: number, multiplier: number, shift: number, rounding: Rounding): number {
  if (multiplier === 0) return 0;
  switch (rounding) {
    case "gemmlowp": {
      const left = shift > 0 ? shift : 0;
      const right = shift > 0 ? 0 : -shift;
      const a = left === 0 ? acc : saturatingLeftShift(acc, left);
      let high: number;
      if (a < SMALL && a > -SMALL) {
        const p = a * multiplier;
        high = ((p >= 0 ? p + 1073741824 : p - 1073741823) / TWO31) | 0; // truncation, never -0
      } else {
        high = saturatingRoundingDoublingHighMul(a, multiplier);
      }
      return roundingDivideByPOT(high, right);
    }
    case "tflite": {
      const k = 31 - shift;
      if (acc < SMALL && acc > -SMALL && k <= 52) return sat32(Math.floor((acc * multiplier + 2 ** (k - 1)) / 2 ** k));
      mul64(acc, multiplier);
      return sat32(floorShift(true, k));
    }
    case "rndnu": {
      // The post-shift is at least 1 so the truncating vqdmulh is always followed by a rounding
      // shift: for shift >= 0 the pre-shift takes one extra bit and the post-shift is 1.
      const left = shift >= 0 ? shift + 1 : 0;
      const post = shift >= 0 ? 1 : -shift;
      const a = saturatingLeftShift(acc, left);
      if (a < SMALL && a > -SMALL) {
        const high = Math.floor((a * multiplier) / TWO31);
        return Math.floor((high + 2 ** (post - 1)) / 2 ** post);
      }
      mul64(a, multiplier);
      // vqdmulh: floor(2*a*b / 2^32); vrshl by -post rounds half up, exactly in wider precision.
      const high = sat32(floorShift(false, 31));
      return Math.floor((high + 2 ** (post - 1)) / 2 ** post);
    }
    case "half-even": {
      const k = 31 - shift;
      if (acc < SMALL && acc > -SMALL) {
        const v = (acc * multiplier) / 2 ** k; // exact: a power-of-two scaling of an exact product
        const fl = Math.floor(v);
        const d = v - fl;
        return sat32(d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1);
      }
      mul64(acc, multiplier);
      const cmp = compareRemainderToHalf(k);
      const fl = floorShift(false, k);
      if (cmp < 0) return sat32(fl);
      if (cmp > 0) return sat32(fl + 1);
      // An exact tie: go to the even neighbour.
      return sat32(fl % 2 === 0 ? fl : fl + 1);
    }
  }
}

/**
 * The whole requantization of one accumulator: scale, add the output zero point, clamp to
 * [qmin, qmax] (the output type's range narrowed by a fused Relu/Clip).
 */
export function requantizeValue(acc: number, multiplier: number, shift: number, rounding: Rounding, zeroPoint: number, qmin: number, qmax: number): number {
  const v = multiplyByQuantizedMultiplier(acc, multiplier, shift, rounding) + zeroPoint;
  return v < qmin ? qmin : v > qmax ? qmax : v;
}

const INV31 = 2 ** -31;
const LIMIT = 2 ** 52;

/**
 * requantizeValue over a row: out[outOff + i] = clamp(zp + M(acc[accOff + i])) for i < n with one
 * multiplier. The same results as the scalar function (the tests check it), faster: the rounding
 * mode is chosen once per row, powers of two are precomputed, and products below 2^52 (exact in
 * a double, as are the rounding terms added to them) take plain double arithmetic; larger ones go
 * through the exact two-limb path.
 */
export function requantizeRow(
  acc: ArrayLike<number>, accOff: number, out: { [i: number]: number }, outOff: number, n: number,
  multiplier: number, shift: number, rounding: Rounding, zp: number, qmin: number, qmax: number,
): void {
  const m = multiplier;
  if (m === 0) {
    const v = zp < qmin ? qmin : zp > qmax ? qmax : zp;
    for (let i = 0; i < n; i++) out[outOff + i] = v;
    return;
  }
  switch (rounding) {
    case "gemmlowp": {
      const left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
      const lmul = 2 ** left, pow = 2 ** right, inv = 2 ** -right, half = pow / 2;
      for (let i = 0; i < n; i++) {
        const x = acc[accOff + i]!;
        const a = x * lmul;
        const pr = a * m;
        let v: number;
        if (pr < LIMIT && pr > -LIMIT && a <= INT32_MAX && a >= INT32_MIN) {
          const high = ((pr >= 0 ? pr + 1073741824 : pr - 1073741823) * INV31) | 0;
          const q = Math.floor(high * inv);
          const r = high - q * pow;
          v = r > half || (r === half && high >= 0) ? q + 1 : q;
        } else {
          v = multiplyByQuantizedMultiplier(x, m, shift, rounding);
        }
        v += zp;
        out[outOff + i] = v < qmin ? qmin : v > qmax ? qmax : v;
      }
      return;
    }
    case "tflite": {
      const k = 31 - shift;
      const inv = 2 ** -k, add = 2 ** (k - 1);
      const fast = k <= 52;
      for (let i = 0; i < n; i++) {
        const x = acc[accOff + i]!;
        const pr = x * m;
        let v = fast && pr < LIMIT && pr > -LIMIT ? sat32(Math.floor((pr + add) * inv)) : multiplyByQuantizedMultiplier(x, m, shift, rounding);
        v += zp;
        out[outOff + i] = v < qmin ? qmin : v > qmax ? qmax : v;
      }
      return;
    }
    case "rndnu": {
      const left = shift >= 0 ? shift + 1 : 0, post = shift >= 0 ? 1 : -shift;
      const lmul = 2 ** left, add = 2 ** (post - 1), inv = 2 ** -post;
      for (let i = 0; i < n; i++) {
        const x = acc[accOff + i]!;
        const a = x * lmul;
        const pr = a * m;
        let v = pr < LIMIT && pr > -LIMIT && a <= INT32_MAX && a >= INT32_MIN
          ? Math.floor((Math.floor(pr * INV31) + add) * inv)
          : multiplyByQuantizedMultiplier(x, m, shift, rounding);
        v += zp;
        out[outOff + i] = v < qmin ? qmin : v > qmax ? qmax : v;
      }
      return;
    }
    case "half-even": {
      const inv = 2 ** -(31 - shift);
      for (let i = 0; i < n; i++) {
        const x = acc[accOff + i]!;
        const pr = x * m;
        let v: number;
        if (pr < LIMIT && pr > -LIMIT) {
          const y = pr * inv;
          const fl = Math.floor(y);
          const d = y - fl;
          v = sat32(d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1);
        } else {
          v = multiplyByQuantizedMultiplier(x, m, shift, rounding);
        }
        v += zp;
        out[outOff + i] = v < qmin ? qmin : v > qmax ? qmax : v;
      }
      return;
    }
  }
}

// ---- wide accumulators (16x8 mode) ----------------------------------------------------------
// int16 activations times int8 weights overflow int32 (products reach 2^22, sums 2^33 and more),
// so 16x8 layers accumulate exactly in doubles (|acc| < 2^53) and requantize with the same four
// roundings applied to the exact 64-bit-and-wider product, with no pre-shift saturation:
//   gemmlowp: round(acc*m / 2^31) ties up, then RoundingDivideByPOT(max(-shift, 0)) (shift <= 0;
//             a positive shift multiplies acc by 2^shift first);
//   tflite, rndnu: floor((acc*m*2^shift + 2^30) / 2^31) (single rounding, ties up);
//   half-even: the exact product rounded to nearest, ties to even.
// For accumulators within int32 and shift <= 0 these equal the 32-bit definitions above.
// Products below 2^52 take plain doubles; larger ones are computed exactly with BigInt.

const B31 = 31n;

/** The wide requantization of one accumulator (an integer with |acc| < 2^53); int32-saturated. */
export function multiplyWide(acc: number, multiplier: number, shift: number, rounding: Rounding): number {
  if (multiplier === 0) return 0;
  const pr = acc * multiplier;
  if (pr < LIMIT && pr > -LIMIT && shift <= 0) {
    if (acc <= INT32_MAX && acc >= INT32_MIN) return multiplyByQuantizedMultiplier(acc, multiplier, shift, rounding === "rndnu" ? "tflite" : rounding);
  }
  const p = BigInt(acc) * BigInt(multiplier) * (shift > 0 ? 1n << BigInt(shift) : 1n);
  const right = BigInt(shift > 0 ? 0 : -shift);
  let q: bigint;
  switch (rounding) {
    case "gemmlowp": {
      // SRDHM over the wide product: ties towards +infinity, then RDBP: ties away from zero.
      const high = (p + (1n << 30n)) >> B31;
      if (right === 0n) q = high;
      else {
        const mask = (1n << right) - 1n;
        const rem = high & mask;
        const threshold = (mask >> 1n) + (high < 0n ? 1n : 0n);
        q = (high >> right) + (rem > threshold ? 1n : 0n);
      }
      break;
    }
    case "tflite":
    case "rndnu": {
      const k = B31 + right;
      q = (p + (1n << (k - 1n))) >> k;
      break;
    }
    case "half-even": {
      const k = B31 + right;
      const fl = p >> k;
      const rem = p - (fl << k);
      const half = 1n << (k - 1n);
      q = rem < half ? fl : rem > half ? fl + 1n : (fl & 1n) === 0n ? fl : fl + 1n;
      break;
    }
  }
  return q > 2147483647n ? INT32_MAX : q < -2147483648n ? INT32_MIN : Number(q);
}
