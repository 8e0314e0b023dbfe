// The scalar math of the unary ops' C forms (c-math.ts scalarMath: c99, and the tails of the
// NEON loops): vmath.ts's branch-free loop math (sigmoid, tanh) and, here, exp over its whole
// range, erf, log and log1p in the same style, the NEON algorithms of vmath.ts in scalar C.
// math.h's expf, tanhf, erff, logf and log1pf are library calls, which gcc turns into vector
// code only under -ffast-math (glibc's vector versions); these are plain arithmetic with
// selects, which it vectorizes with standard flags. Unlike the recurrent cells' loop math, NaN
// stays NaN: `isnan(x) ? x : r` with r computed first is a select gcc if-converts.
// Accuracy (float-fast-kernels.test.ts sweeps, docs/codegen.md): exp 1 ulp, erf 2, log 2,
// log1p 3 (the stated bounds one more).
import { cFloat } from "../c-util.js";
import type { KernelContext } from "../kernel.js";
import { ERF_PIECES, TAYLOR, useLoopMath } from "./vmath.js";

/** The C source (after loopMathSource, whose NEONC_FMAF and neonc_pow2i_f32 it uses). */
export function unaryLoopMathSource(): string {
  const poly = TAYLOR.slice(1).map((c) => `  p = NEONC_FMAF(p, r, ${cFloat(c)});`).join("\n");
  const pick = (vals: readonly number[]) => `in_a ? ${cFloat(vals[0]!)} : (in_b ? ${cFloat(vals[1]!)} : ${cFloat(vals[2]!)})`;
  const deg = ERF_PIECES[0]!.m.length - 1;
  const erfPoly = [`  float p = ${pick(ERF_PIECES.map((q) => q.m[deg] ?? 0))};`];
  for (let i = deg - 1; i >= 0; i--) erfPoly.push(`  p = NEONC_FMAF(p, s, ${pick(ERF_PIECES.map((q) => q.m[i] ?? 0))});`);
  return `
/* NaN stays NaN (r is computed before the test, so that gcc may compute it for every lane). */
static inline float neonc_keep_nan_lf(float x, float r) { return isnan(x) ? x : r; }

/* e^x; +inf above ln(FLT_MAX), 0 below -104; 2^n in two halves (n from -150 to 128). */
static inline float neonc_exp_lf(float x) {
  const float xc0 = x > -104.0f ? x : -104.0f;
  const float xc = xc0 < 88.72283935546875f ? xc0 : 88.72283935546875f;
  const float t = NEONC_FMAF(xc, 1.44269504f, 0.5f);
  int32_t n = (int32_t)t;
  float fn, r, p, y;
  /* floor(t): the conversion truncates, so negative non-integers come out one too high. */
  n -= (float)n > t ? 1 : 0;
  fn = (float)n;
  r = NEONC_FMAF(fn, -0.693359375f, xc);
  r = NEONC_FMAF(fn, 2.12194440e-4f, r);
  p = ${cFloat(TAYLOR[0]!)};
${poly}
  p = NEONC_FMAF(p, r, 1.0f);
  p = NEONC_FMAF(p, r, 1.0f);
  {
    const int32_t h = n / 2;
    y = p * neonc_pow2i_f32(h) * neonc_pow2i_f32(n - h);
  }
  y = x > 88.72283935546875f ? HUGE_VALF : y;
  return neonc_keep_nan_lf(x, y);
}

/* erf by interval: |x| < 1 as |x| * P(x^2), then two polynomials in |x|, 1 from 4 on. */
static inline float neonc_erf_lf(float x) {
  const float a = fabsf(x);
  const int in_a = a < 1.0f, in_b = a < 2.5f;
  const float v = in_a ? a * a : a;
  const float s = NEONC_FMAF(v, ${pick(ERF_PIECES.map((q) => q.k1))}, ${pick(ERF_PIECES.map((q) => q.k0))});
${erfPoly.join("\n")}
  {
    const float y = in_a ? a * p : p;
    return copysignf(a >= 4.0f ? 1.0f : y, x);
  }
}

/*
 * log x: x = m 2^e with m in [sqrt(1/2), sqrt(2)) (subnormals scaled by 2^23 first), then
 * log m = 2 atanh(s), s = (m - 1) / (m + 1), to s^11, and e ln2 added in two parts. 0 gives
 * -inf, negatives and NaN NaN, +inf +inf. The shifts are on unsigned values (well defined).
 */
static inline float neonc_log_lf(float x) {
  const int tiny = x < 1.17549435e-38f;
  union { float f; uint32_t u; } b;
  int32_t e;
  float m, fe, s, z, p, y;
  b.f = tiny ? x * 8388608.0f : x;
  /* floor((bits - bits(sqrt(1/2))) / 2^23), with 2^30 added to keep the difference non-negative. */
  e = (int32_t)(((b.u - 0x3f3504f3u) + 0x40000000u) >> 23) - 128;
  b.u -= (uint32_t)e << 23;
  m = b.f;
  fe = (float)e - (tiny ? 23.0f : 0.0f);
  s = (m - 1.0f) / (m + 1.0f);
  z = s * s;
  p = ${cFloat(1 / 11)};
${[9, 7, 5, 3, 1].map((d) => `  p = NEONC_FMAF(p, z, ${cFloat(1 / d)});`).join("\n")}
  y = (s + s) * p;
  y = NEONC_FMAF(fe, -2.12194440e-4f, y);
  y = NEONC_FMAF(fe, 0.693359375f, y);
  y = x == HUGE_VALF ? x : y;
  y = x == 0.0f ? -HUGE_VALF : y;
  return x >= 0.0f ? y : NAN;
}

/* log(1 + x) as log(w) * x / (w - 1) with w = 1 + x (the rounding of w cancels), x where w is 1. */
static inline float neonc_log1p_lf(float x) {
  const float w = x + 1.0f, d = w - 1.0f;
  const int exact = d == 0.0f || w == HUGE_VALF;
  const float y = neonc_log_lf(w) * (x / (exact ? 1.0f : d));
  return exact ? (w == HUGE_VALF ? w : x) : y;
}`;
}

/** Adds the loop math and unaryLoopMathSource to the model once. */
export function useUnaryLoopMath(ctx: KernelContext): void {
  useLoopMath(ctx);
  ctx.helper("unary_loop_math_f32", unaryLoopMathSource());
}
