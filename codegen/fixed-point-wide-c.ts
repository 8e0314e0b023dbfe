// C versions of ir/fixed-point.ts's multiplyWide: requantization of the wide (int64)
// accumulators of the 16x8 mode (int16 activations x int8 weights), one scalar helper per
// rounding, neonc_fpw_<rounding>_s64(int64_t acc, int32_t m, int shift) -> int32_t (saturated).
//
// The product acc * m needs up to 94 bits, more than int64 and, on armv7, more than any C
// integer type, so it is formed exactly as two limbs hi * 2^32 + lo (lo unsigned 32-bit, hi an
// int64): acc = ah * 2^32 + al splits the multiplication into ah * m (below 2^62 in magnitude)
// and al * m (below 2^63 unsigned). With k = 31 - shift (in [1, 62]) the roundings are, as in
// multiplyWide's BigInt definition:
//   tflite, rndnu, and gemmlowp with shift > 0:  floor((P + 2^(k-1)) / 2^k);
//   gemmlowp with shift <= 0:  high = floor((P + 2^30) / 2^31) kept in 64 bits, then gemmlowp's
//                              RoundingDivideByPOT by -shift (ties away from zero);
//   half-even:                 floor((P + 2^(k-1) - 1 + bit k of P) / 2^k), ties to even.
// Each saturates to int32 only at the end. The limb shift clamps hi before scaling it up so
// the saturating result is unchanged and nothing overflows. Integer-only; assumes two's
// complement and arithmetic right shifts, as codegen/fixed-point-c.ts does. Requantization is
// once per output, so scalar code serves the NEON targets too.
import type { Rounding } from "../ir/fixed-point.js";
import { roundingSuffix } from "./fixed-point-c.js";
import type { KernelContext } from "./kernel.js";

/** Scalar helpers neonc_fpw_<rounding>_s64 for every rounding (accumulators with |acc| < 2^62). */
export const FIXED_POINT_WIDE_C = `
/* acc * m exactly as *hi * 2^32 + *lo, for m in [0, 2^31). */
static inline void neonc_mulw(int64_t acc, int32_t m, int64_t *hi, uint32_t *lo) {
  int64_t ah = acc >> 32;
  uint64_t pl = ((uint64_t)acc & 0xFFFFFFFFu) * (uint64_t)(uint32_t)m;
  *hi = ah * m + (int64_t)(pl >> 32);
  *lo = (uint32_t)pl;
}
/* floor((hi * 2^32 + lo + r) / 2^k) saturated to int32, for 1 <= k <= 62 and 0 <= r < 2^62. */
static inline int32_t neonc_shrw(int64_t hi, uint32_t lo, int k, int64_t r) {
  uint64_t l = (uint64_t)lo + ((uint64_t)r & 0xFFFFFFFFu);
  int64_t h = hi + (r >> 32) + (int64_t)(l >> 32), q;
  l &= 0xFFFFFFFFu;
  if (k >= 32) q = h >> (k - 32);
  else {
    /* |h| beyond 2^31 saturates whatever the low limb adds: clamp so the scaling cannot overflow. */
    h = h > 2147483648LL ? 2147483648LL : (h < -2147483649LL ? -2147483649LL : h);
    q = h * ((int64_t)1 << (32 - k)) + (int64_t)(l >> k);
  }
  return q < INT32_MIN ? INT32_MIN : (q > INT32_MAX ? INT32_MAX : (int32_t)q);
}
static inline int32_t neonc_fpw_tflite_s64(int64_t acc, int32_t m, int shift) {
  int64_t hi;
  uint32_t lo;
  int k = 31 - shift;
  neonc_mulw(acc, m, &hi, &lo);
  return neonc_shrw(hi, lo, k, (int64_t)1 << (k - 1));
}
static inline int32_t neonc_fpw_rndnu_s64(int64_t acc, int32_t m, int shift) {
  /* Without the 32-bit pre-shift saturation, rndnu is tflite's single rounding. */
  return neonc_fpw_tflite_s64(acc, m, shift);
}
static inline int32_t neonc_fpw_gemmlowp_s64(int64_t acc, int32_t m, int shift) {
  int64_t hi, high, mask, rem, thr, q;
  uint32_t lo;
  int right = -shift;
  if (shift > 0) return neonc_fpw_tflite_s64(acc, m, shift);
  neonc_mulw(acc, m, &hi, &lo);
  /* The doubling high half with its round-half-up nudge, exact in 64 bits. */
  high = hi * 2 + (int64_t)(((uint64_t)lo + ((uint64_t)1 << 30)) >> 31);
  if (right == 0) q = high;
  else {
    mask = ((int64_t)1 << right) - 1;
    rem = high & mask;
    thr = (mask >> 1) + (high < 0 ? 1 : 0);
    q = (high >> right) + (rem > thr ? 1 : 0);
  }
  return q < INT32_MIN ? INT32_MIN : (q > INT32_MAX ? INT32_MAX : (int32_t)q);
}
static inline int32_t neonc_fpw_half_even_s64(int64_t acc, int32_t m, int shift) {
  int64_t hi;
  uint32_t lo;
  int k = 31 - shift;
  int64_t odd;
  neonc_mulw(acc, m, &hi, &lo);
  odd = k < 32 ? (int64_t)((lo >> k) & 1u) : ((hi >> (k - 32)) & 1);
  return neonc_shrw(hi, lo, k, ((int64_t)1 << (k - 1)) - 1 + odd);
}
`;

/** Adds the wide helpers to a model and returns the scalar function name for a rounding. */
export function useFixedPointWide(ctx: KernelContext, r: Rounding): string {
  ctx.helper("fp_wide", FIXED_POINT_WIDE_C);
  return `neonc_fpw_${roundingSuffix(r)}_s64`;
}
