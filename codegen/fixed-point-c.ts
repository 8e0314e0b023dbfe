// C versions of ir/fixed-point.ts: requantization of int32 accumulators by a fixed-point
// multiplier and shift, one helper per rounding, scalar (C99, int32/int64 only) and NEON
// (4 lanes, each lane with its own multiplier and shift). The interpreter defines the result;
// these must reproduce it bit for bit, which test/codegen/qint-fixed-point.test.ts checks on
// every target. No float anywhere: integer-only kernels are built from these.
//
// Assumes two's complement int32/int64 with arithmetic right shifts of negative values, as
// gcc, clang and every ARM compiler provide.
//
// How each NEON sequence matches its reference:
// - gemmlowp: vqrdmulhq_s32 is exactly SaturatingRoundingDoublingHighMul (floor((a*b + 2^30) /
//   2^31), saturating only for INT32_MIN^2). RoundingDivideByPOT rounds ties away from zero, a
//   bare vrshlq_s32 rounds them up, so negative lanes first take 1 off (saturating), and only
//   when the exponent is non-zero: ANDing with the negative shift vector keeps the sign bit
//   exactly then.
// - tflite, half-even: the 64-bit product (vmull_s32) and a 64-bit shift; vrshlq_s64 rounds
//   ties up in unbounded precision; half-even adds 2^(k-1) - 1 + (bit k of the product) before a
//   truncating shift, which sends ties to the even neighbour. vqmovn_s64 saturates to int32.
// - rndnu: the definition is the NEON sequence itself (vqshlq, vqdmulhq, vrshlq).
import type { Rounding } from "../ir/fixed-point.js";
import type { KernelContext } from "./kernel.js";

/** C name suffix of a rounding. */
export function roundingSuffix(r: Rounding): string {
  return r === "half-even" ? "half_even" : r;
}

/** Scalar helpers: neonc_fp_<rounding>_s32(int32_t x, int32_t m, int shift) for every rounding. */
export const FIXED_POINT_SCALAR_C = `
static inline int32_t neonc_sat_s32(int64_t v) {
  return v < INT32_MIN ? INT32_MIN : (v > INT32_MAX ? INT32_MAX : (int32_t)v);
}
/* Saturating left shift by 0..31 (a multiplication: shifting negative values left is undefined). */
static inline int32_t neonc_qshl_s32(int32_t x, int s) {
  return neonc_sat_s32((int64_t)x * ((int64_t)1 << s));
}
static inline int32_t neonc_fp_gemmlowp_s32(int32_t x, int32_t m, int shift) {
  int right = shift > 0 ? 0 : -shift;
  int32_t a = shift > 0 ? neonc_qshl_s32(x, shift) : x;
  int32_t high, mask, rem, thr;
  if (a == INT32_MIN && m == INT32_MIN) high = INT32_MAX;
  else high = (int32_t)(((int64_t)a * m + ((int64_t)1 << 30)) >> 31);
  if (right == 0) return high;
  mask = (int32_t)(((int64_t)1 << right) - 1);
  rem = high & mask;
  thr = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + (rem > thr ? 1 : 0);
}
static inline int32_t neonc_fp_tflite_s32(int32_t x, int32_t m, int shift) {
  int k = 31 - shift;
  return neonc_sat_s32(((int64_t)x * m + ((int64_t)1 << (k - 1))) >> k);
}
static inline int32_t neonc_fp_rndnu_s32(int32_t x, int32_t m, int shift) {
  int post = shift >= 0 ? 1 : -shift;
  int32_t a = neonc_qshl_s32(x, shift >= 0 ? shift + 1 : 0);
  int64_t high = (a == INT32_MIN && m == INT32_MIN) ? INT32_MAX : (((int64_t)a * m) >> 31);
  return (int32_t)((high + ((int64_t)1 << (post - 1))) >> post);
}
static inline int32_t neonc_fp_half_even_s32(int32_t x, int32_t m, int shift) {
  int k = 31 - shift;
  int64_t p = (int64_t)x * m;
  int64_t adj = ((int64_t)1 << (k - 1)) - 1 + ((p >> k) & 1);
  return neonc_sat_s32((p + adj) >> k);
}
`;

/** NEON helpers: neonc_fp_<rounding>_s32x4(int32x4_t x, int32x4_t m, int32x4_t shift), per-lane parameters. */
export const FIXED_POINT_NEON_C = `
/* Rounding shift right by -nb (nb in [-31, 0]). On ARM this is vrshlq_s32, exact in wide
   precision. SIMDe's portable vrshlq_s32 adds the rounding constant in 32 bits and wraps near
   INT32_MAX, so the x86 build adds the last bit shifted out instead: floor((x + 2^(r-1)) / 2^r)
   is (x >> r) + bit r-1 of x, with no overflow (the bit is masked off when r is 0). */
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#define neonc_rshr_s32x4(x, nb) vrshlq_s32((x), (nb))
#else
static inline int32x4_t neonc_rshr_s32x4(int32x4_t x, int32x4_t nb) {
  int32x4_t zero = vdupq_n_s32(0), one = vdupq_n_s32(1);
  int32x4_t bit = vandq_s32(vshlq_s32(x, vminq_s32(vaddq_s32(nb, one), zero)), vandq_s32(vreinterpretq_s32_u32(vcltq_s32(nb, zero)), one));
  return vaddq_s32(vshlq_s32(x, nb), bit);
}
#endif
static inline int32x4_t neonc_fp_gemmlowp_s32x4(int32x4_t x, int32x4_t m, int32x4_t shift) {
  int32x4_t zero = vdupq_n_s32(0);
  int32x4_t rneg = vminq_s32(shift, zero);
  int32x4_t high = vqrdmulhq_s32(vqshlq_s32(x, vmaxq_s32(shift, zero)), m);
  int32x4_t fix = vshrq_n_s32(vandq_s32(high, rneg), 31);
  return neonc_rshr_s32x4(vqaddq_s32(high, fix), rneg);
}
static inline int32x4_t neonc_fp_rndnu_s32x4(int32x4_t x, int32x4_t m, int32x4_t shift) {
  int32x4_t pre = vmaxq_s32(vaddq_s32(shift, vdupq_n_s32(1)), vdupq_n_s32(0));
  int32x4_t post = vminq_s32(shift, vdupq_n_s32(-1));
  return neonc_rshr_s32x4(vqdmulhq_s32(vqshlq_s32(x, pre), m), post);
}
static inline int32x4_t neonc_fp_tflite_s32x4(int32x4_t x, int32x4_t m, int32x4_t shift) {
  int32x4_t nk = vsubq_s32(shift, vdupq_n_s32(31));
  int64x2_t lo = vrshlq_s64(vmull_s32(vget_low_s32(x), vget_low_s32(m)), vmovl_s32(vget_low_s32(nk)));
  int64x2_t hi = vrshlq_s64(vmull_s32(vget_high_s32(x), vget_high_s32(m)), vmovl_s32(vget_high_s32(nk)));
  return vcombine_s32(vqmovn_s64(lo), vqmovn_s64(hi));
}
static inline int64x2_t neonc_fp_half_even_s64x2(int64x2_t p, int64x2_t nk, int64x2_t km1) {
  int64x2_t one = vdupq_n_s64(1);
  int64x2_t half = vshlq_s64(one, km1);
  int64x2_t odd = vandq_s64(vshlq_s64(p, nk), one);
  return vshlq_s64(vaddq_s64(p, vaddq_s64(vsubq_s64(half, one), odd)), nk);
}
static inline int32x4_t neonc_fp_half_even_s32x4(int32x4_t x, int32x4_t m, int32x4_t shift) {
  int32x4_t nk = vsubq_s32(shift, vdupq_n_s32(31));
  int32x4_t km1 = vsubq_s32(vdupq_n_s32(30), shift);
  int64x2_t lo = neonc_fp_half_even_s64x2(vmull_s32(vget_low_s32(x), vget_low_s32(m)), vmovl_s32(vget_low_s32(nk)), vmovl_s32(vget_low_s32(km1)));
  int64x2_t hi = neonc_fp_half_even_s64x2(vmull_s32(vget_high_s32(x), vget_high_s32(m)), vmovl_s32(vget_high_s32(nk)), vmovl_s32(vget_high_s32(km1)));
  return vcombine_s32(vqmovn_s64(lo), vqmovn_s64(hi));
}
`;

/**
 * Adds the fixed-point helpers to a model (the NEON ones on NEON targets) and returns the
 * scalar and vector function names for a rounding.
 */
export function useFixedPoint(ctx: KernelContext, r: Rounding): { scalar: string; vector: string | undefined } {
  ctx.helper("fp_scalar", FIXED_POINT_SCALAR_C);
  if (ctx.target.neon) ctx.helper("fp_neon", FIXED_POINT_NEON_C);
  const s = roundingSuffix(r);
  return { scalar: `neonc_fp_${s}_s32`, vector: ctx.target.neon ? `neonc_fp_${s}_s32x4` : undefined };
}
