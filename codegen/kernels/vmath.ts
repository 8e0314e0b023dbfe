// Accurate float math for the generated C: exp, expm1 (x <= 0), tanh, sigmoid, erf, log, log1p
// and sqrt on float32x4_t for the NEON targets (the unary kernels' vector forms, through
// codegen/kernels/c-math.ts), and their scalar counterparts (math.h) for the scalar recurrent
// cells. Kernels call `useVMath(ctx)` and then the `neonc_*` functions. The unary kernels'
// scalar forms (c99, tails) use the branch-free loop math instead (loopMathSource below and
// loop-math-unary.ts), which gcc vectorizes without -ffast-math.
//
// The NEON code uses only intrinsics that exist on both aarch64 and armv7: division is vdivq_f32
// on aarch64 only; armv7 gets a reciprocal estimate refined by two Newton steps and one residual
// correction. FMA is used on aarch64 and on armv7 when the compiler says it has it.
//
// exp: x = n ln2 + r with |r| <= ln2/2 (ln2 split in a 9-bit head, so n*head is exact), e^r by
// its degree-7 Taylor polynomial (truncation < 0.1 ulp), times 2^n built in two halves so that
// every n from -150 to 128 stays a normal float. expm1 uses the same reduction with the
// polynomial of e^r - 1, so it keeps relative accuracy near 0 (tanh needs that). erf is a
// degree-10 polynomial on three intervals (|x| < 1 in x^2, [1, 2.5) and [2.5, 4) in |x|), the
// coefficients chosen per lane; they are Chebyshev interpolants of erf, turned into monomials
// in the interval's normalised variable (test/codegen/kernels-extra.test.ts re-derives them).
// log splits x = m 2^e with m in [sqrt(1/2), sqrt(2)) and sums the series of 2 atanh(s),
// s = (m-1)/(m+1), to s^11 (truncation below 3e-10 relative); log1p is log(1+x) corrected by
// x/((1+x)-1), which cancels the rounding of 1+x; sqrt without vsqrtq_f32 (armv7, SIMDe) is
// the reciprocal square root estimate refined by Newton steps and a residual step.
// Measured errors are in docs/codegen.md. loopMathSource() is the same exp / expm1 / sigmoid /
// tanh in plain scalar C, branch-free so that compilers vectorize the loops that call it.
import { cFloat } from "../c-util.js";
import type { KernelContext } from "../kernel.js";
import type { Target } from "../../ir/target.js";

/** One erf interval: s = v*k1 + k0 maps it to [-1, 1]; m are the monomial coefficients in s. */
export interface ErfPiece {
  readonly lo: number;
  readonly hi: number;
  /** The polynomial is in x^2 (and the result multiplied by |x|) rather than in |x|. */
  readonly squared: boolean;
  readonly k1: number;
  readonly k0: number;
  readonly m: readonly number[];
}

export const ERF_PIECES: readonly ErfPiece[] = [
  {
    lo: 0, hi: 1, squared: true, k1: 2, k0: -1,
    m: [0.9654687643051147, -0.1405360847711563, 0.019852496683597565, -0.0022854856215417385, 0.0002175171539420262,
      -0.000017537169696879573, 0.0000012233825827934197, -7.511467714493847e-8, 4.11596756677568e-9,
      -2.0455370730587674e-10, 9.119816013480886e-12],
  },
  {
    lo: 1, hi: 2.5, squared: false, k1: 1.3333333730697632, k0: -2.3333332538604736,
    m: [0.9866716861724854, 0.03958123177289963, -0.05195032060146332, 0.03803536668419838, -0.015220627188682556,
      0.0015705942641943693, 0.0015986155485734344, -0.0008058082894422114, 0.00006646626570727676,
      0.00006474366091424599, -0.00001888623410195578],
  },
  {
    lo: 2.5, hi: 4, squared: false, k1: 1.3333333730697632, k0: -4.333333492279053,
    m: [0.9999957084655762, 0.000021890111383982003, -0.00005335911555448547, 0.00008264013013103977,
      -0.00009069652878679335, 0.00007428345998050645, -0.000046798922994639724, 0.00002309870978933759,
      -0.000008374260687560309, 0.000001556045049255772, 4.788979524050774e-8],
  },
];

/** Taylor coefficients of e^r from 1/7! down to 1/2! (the Horner order of the exp algorithms). */
export const TAYLOR = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2];

function scalarSource(): string {
  return `
/* Scalar math (math.h); the NEON versions below match these to a few ulp. */
static inline float neonc_exp_f32(float x) { return expf(x); }
static inline float neonc_expm1_f32(float x) { return expm1f(x); }
static inline float neonc_tanh_f32(float x) { return tanhf(x); }
static inline float neonc_erf_f32(float x) { return erff(x); }
static inline float neonc_log_f32(float x) { return logf(x); }
static inline float neonc_log1p_f32(float x) { return log1pf(x); }
static inline float neonc_sqrt_f32(float x) { return sqrtf(x); }
/* Two forms so that exp never overflows and small results keep their relative accuracy. */
static inline float neonc_sigmoid_f32(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  { const float e = expf(x); return e / (1.0f + e); }
}`;
}

function vectorSource(target: Target): string {
  const a64 = target.arch === "aarch64";
  const fma = a64
    ? `static inline float32x4_t neonc_fma_f32x4(float32x4_t a, float32x4_t b, float32x4_t c) { return vfmaq_f32(a, b, c); }`
    : [
        `#if defined(__ARM_FEATURE_FMA)`,
        `static inline float32x4_t neonc_fma_f32x4(float32x4_t a, float32x4_t b, float32x4_t c) { return vfmaq_f32(a, b, c); }`,
        `#else`,
        `static inline float32x4_t neonc_fma_f32x4(float32x4_t a, float32x4_t b, float32x4_t c) { return vmlaq_f32(a, b, c); }`,
        `#endif`,
      ].join("\n");
  // vdivq_f32 exists on aarch64 only (and SIMDe does not emulate it).
  const div = `/* n / d without vdivq_f32 (not on armv7): estimate, two Newton steps, one residual step. */
${a64 ? "#if defined(__aarch64__)\nstatic inline float32x4_t neonc_div_f32x4(float32x4_t n, float32x4_t d) { return vdivq_f32(n, d); }\n#else\n" : ""}static inline float32x4_t neonc_div_f32x4(float32x4_t n, float32x4_t d) {
  float32x4_t r = vrecpeq_f32(d), q;
  r = vmulq_f32(r, vrecpsq_f32(d, r));
  r = vmulq_f32(r, vrecpsq_f32(d, r));
  q = vmulq_f32(n, r);
  return neonc_fma_f32x4(q, r, vmlsq_f32(n, d, q));
}${a64 ? "\n#endif" : ""}`;
  const horner = (v: string, first: string) =>
    [`  p = vdupq_n_f32(${cFloat(TAYLOR[0]!)});`, ...TAYLOR.slice(1).map((c) => `  p = neonc_fma_f32x4(vdupq_n_f32(${cFloat(c)}), p, ${v});`), first].join("\n");
  const reduce = `  t = neonc_fma_f32x4(vdupq_n_f32(0.5f), xc, vdupq_n_f32(1.44269504f));
  n = vcvtq_s32_f32(t);
  /* floor(t): the conversion truncates, so negative non-integers come out one too high. */
  n = vaddq_s32(n, vreinterpretq_s32_u32(vcgtq_f32(vcvtq_f32_s32(n), t)));
  fn = vcvtq_f32_s32(n);
  r = vmlsq_f32(xc, fn, vdupq_n_f32(0.693359375f));
  r = vmlsq_f32(r, fn, vdupq_n_f32(-2.12194440e-4f));`;
  const sel = (i: number) => {
    const [a, b, c] = ERF_PIECES.map((p) => cFloat(p.m[i] ?? 0));
    return `vbslq_f32(in_a, vdupq_n_f32(${a}), vbslq_f32(in_b, vdupq_n_f32(${b}), vdupq_n_f32(${c})))`;
  };
  const selK = (k: "k0" | "k1") => {
    const [a, b, c] = ERF_PIECES.map((p) => cFloat(p[k]));
    return `vbslq_f32(in_a, vdupq_n_f32(${a}), vbslq_f32(in_b, vdupq_n_f32(${b}), vdupq_n_f32(${c})))`;
  };
  const deg = ERF_PIECES[0]!.m.length - 1;
  const erfPoly = [`  p = ${sel(deg)};`];
  for (let i = deg - 1; i >= 0; i--) erfPoly.push(`  p = neonc_fma_f32x4(${sel(i)}, p, s);`);
  return `
${fma}
${div}

/* e^x; +inf above ln(FLT_MAX), 0 below -104. */
static inline float32x4_t neonc_exp_f32x4(float32x4_t x) {
  const float32x4_t hi = vdupq_n_f32(88.72283935546875f);
  const uint32x4_t over = vcgtq_f32(x, hi);
  const float32x4_t xc = vmaxq_f32(vminq_f32(x, hi), vdupq_n_f32(-104.0f));
  float32x4_t t, fn, r, p, s1, s2;
  int32x4_t n, h;
${reduce}
${horner("r", "  p = neonc_fma_f32x4(vdupq_n_f32(1.0f), p, r);\n  p = neonc_fma_f32x4(vdupq_n_f32(1.0f), p, r);")}
  h = vshrq_n_s32(n, 1);
  s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(h, vdupq_n_s32(127)), 23));
  s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vsubq_s32(n, h), vdupq_n_s32(127)), 23));
  return vbslq_f32(over, vdupq_n_f32(HUGE_VALF), vmulq_f32(vmulq_f32(p, s1), s2));
}

/* e^x - 1 for x <= 0 (positive x are treated as 0), accurate relative to the result near 0. */
static inline float32x4_t neonc_expm1neg_f32x4(float32x4_t x) {
  const float32x4_t xc = vmaxq_f32(vminq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_f32(-20.0f));
  float32x4_t t, fn, r, p, q, sc;
  int32x4_t n;
${reduce}
${horner("r", "  q = neonc_fma_f32x4(r, vmulq_f32(r, r), p);")}
  sc = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n, vdupq_n_s32(127)), 23));
  return neonc_fma_f32x4(vsubq_f32(sc, vdupq_n_f32(1.0f)), sc, q);
}

static inline float32x4_t neonc_copysign_f32x4(float32x4_t mag, float32x4_t sign) {
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(mag), vandq_u32(vreinterpretq_u32_f32(sign), vdupq_n_u32(0x80000000u))));
}

/* tanh|x| = -u / (u + 2) with u = e^(-2|x|) - 1: no cancellation near 0, exactly 1 far out. */
static inline float32x4_t neonc_tanh_f32x4(float32x4_t x) {
  const float32x4_t u = neonc_expm1neg_f32x4(vmulq_f32(vabsq_f32(x), vdupq_n_f32(-2.0f)));
  return neonc_copysign_f32x4(neonc_div_f32x4(vnegq_f32(u), vaddq_f32(u, vdupq_n_f32(2.0f))), x);
}

/* 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below: e^-|x| never overflows. */
static inline float32x4_t neonc_sigmoid_f32x4(float32x4_t x) {
  const float32x4_t e = neonc_exp_f32x4(vnegq_f32(vabsq_f32(x)));
  const float32x4_t one = vdupq_n_f32(1.0f);
  return neonc_div_f32x4(vbslq_f32(vcgeq_f32(x, vdupq_n_f32(0.0f)), one, e), vaddq_f32(one, e));
}

/*
 * log x: x = m 2^e with m in [sqrt(1/2), sqrt(2)) (subnormals scaled by 2^23 first), then
 * log m = 2 atanh(s) = 2s (1 + s^2/3 + s^4/5 + ...) with s = (m - 1) / (m + 1), |s| <= 0.1716
 * (m - 1 is exact), and e ln2 added in two parts. 0 gives -inf, negatives NaN, +inf +inf.
 */
static inline float32x4_t neonc_log_f32x4(float32x4_t x) {
  const uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(1.17549435e-38f));
  const float32x4_t xs = vbslq_f32(tiny, vmulq_f32(x, vdupq_n_f32(8388608.0f)), x);
  const int32x4_t xi = vreinterpretq_s32_f32(xs);
  const int32x4_t e = vshrq_n_s32(vsubq_s32(xi, vdupq_n_s32(0x3f3504f3)), 23);
  const float32x4_t m = vreinterpretq_f32_s32(vsubq_s32(xi, vshlq_n_s32(e, 23)));
  const float32x4_t fe = vsubq_f32(vcvtq_f32_s32(e), vbslq_f32(tiny, vdupq_n_f32(23.0f), vdupq_n_f32(0.0f)));
  const float32x4_t s = neonc_div_f32x4(vsubq_f32(m, vdupq_n_f32(1.0f)), vaddq_f32(m, vdupq_n_f32(1.0f)));
  const float32x4_t z = vmulq_f32(s, s);
  float32x4_t p = vdupq_n_f32(${cFloat(1 / 11)}), y;
${[9, 7, 5, 3, 1].map((d) => `  p = neonc_fma_f32x4(vdupq_n_f32(${cFloat(1 / d)}), p, z);`).join("\n")}
  y = vmulq_f32(vaddq_f32(s, s), p);
  y = neonc_fma_f32x4(y, fe, vdupq_n_f32(-2.12194440e-4f));
  y = neonc_fma_f32x4(y, fe, vdupq_n_f32(0.693359375f));
  y = vbslq_f32(vceqq_f32(x, vdupq_n_f32(HUGE_VALF)), x, y);
  y = vbslq_f32(vceqq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_f32(-HUGE_VALF), y);
  /* Negatives and NaN: NaN. */
  return vbslq_f32(vcgeq_f32(x, vdupq_n_f32(0.0f)), y, vdupq_n_f32(NAN));
}

/* log(1 + x) as log(w) * x / (w - 1) with w = 1 + x (the rounding of w cancels), x where w is 1. */
static inline float32x4_t neonc_log1p_f32x4(float32x4_t x) {
  const float32x4_t w = vaddq_f32(x, vdupq_n_f32(1.0f));
  const float32x4_t d = vsubq_f32(w, vdupq_n_f32(1.0f));
  const uint32x4_t exact = vorrq_u32(vceqq_f32(d, vdupq_n_f32(0.0f)), vceqq_f32(w, vdupq_n_f32(HUGE_VALF)));
  const float32x4_t y = vmulq_f32(neonc_log_f32x4(w), neonc_div_f32x4(x, vbslq_f32(exact, vdupq_n_f32(1.0f), d)));
  return vbslq_f32(exact, vbslq_f32(vceqq_f32(w, vdupq_n_f32(HUGE_VALF)), w, x), y);
}

/* sqrt: vsqrtq_f32 on aarch64; elsewhere (armv7, SIMDe) a reciprocal square root estimate, two Newton steps and one residual step. */
${a64 ? "#if defined(__aarch64__)\nstatic inline float32x4_t neonc_sqrt_f32x4(float32x4_t x) { return vsqrtq_f32(x); }\n#else\n" : ""}static inline float32x4_t neonc_sqrt_f32x4(float32x4_t x) {
  /* Subnormals are scaled by 2^24 first (the estimate does not take them), the root by 2^-12 after. */
  const uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(1.17549435e-38f));
  const float32x4_t xs = vbslq_f32(tiny, vmulq_f32(x, vdupq_n_f32(16777216.0f)), x);
  float32x4_t r = vrsqrteq_f32(xs), s;
  r = vmulq_f32(r, vrsqrtsq_f32(vmulq_f32(xs, r), r));
  r = vmulq_f32(r, vrsqrtsq_f32(vmulq_f32(xs, r), r));
  s = vmulq_f32(xs, r);
  s = neonc_fma_f32x4(s, vmulq_f32(vdupq_n_f32(0.5f), r), vmlsq_f32(xs, s, s));
  s = vbslq_f32(tiny, vmulq_f32(s, vdupq_n_f32(2.44140625e-4f)), s);
  /* 0 and +inf come out of the estimate as NaN: they are their own square roots. */
  return vbslq_f32(vorrq_u32(vceqq_f32(x, vdupq_n_f32(0.0f)), vceqq_f32(x, vdupq_n_f32(HUGE_VALF))), x, s);
}${a64 ? "\n#endif" : ""}

/* erf by interval: |x| < 1 as |x| * P(x^2), then two polynomials in |x|, 1 from 4 on. */
static inline float32x4_t neonc_erf_f32x4(float32x4_t x) {
  const float32x4_t a = vabsq_f32(x);
  const uint32x4_t in_a = vcltq_f32(a, vdupq_n_f32(1.0f)), in_b = vcltq_f32(a, vdupq_n_f32(2.5f));
  const float32x4_t v = vbslq_f32(in_a, vmulq_f32(a, a), a);
  const float32x4_t s = neonc_fma_f32x4(${selK("k0")}, v, ${selK("k1")});
  float32x4_t p, y;
${erfPoly.join("\n")}
  y = vbslq_f32(in_a, vmulq_f32(a, p), p);
  y = vbslq_f32(vcgeq_f32(a, vdupq_n_f32(4.0f)), vdupq_n_f32(1.0f), y);
  return neonc_copysign_f32x4(y, x);
}`;
}

/**
 * Branch-free scalar exp (of x <= 0), expm1 (x <= 0), sigmoid and tanh for loops that the
 * compiler vectorizes (the c99 recurrent cells): the NEON algorithms above in scalar operations,
 * 2^n assembled in the exponent bits through a union. Clamps are written so that NaN selects a
 * bound (no undefined float-to-int conversion), so a NaN input gives a number, not NaN: testing
 * for it (x == x ? y : x) makes gcc branch around the math and stop vectorizing.
 */
export function loopMathSource(): string {
  const poly = TAYLOR.slice(1).map((c) => `  p = NEONC_FMAF(p, r, ${cFloat(c)});`).join("\n");
  const reduce = (lo: string) => `  const float xc0 = x > ${lo} ? x : ${lo};
  const float xc = xc0 < 0.0f ? xc0 : 0.0f;
  const float t = NEONC_FMAF(xc, 1.44269504f, 0.5f);
  int32_t n = (int32_t)t;
  float fn, r, p;
  /* floor(t): the conversion truncates, so negative non-integers come out one too high. */
  n -= (float)n > t ? 1 : 0;
  fn = (float)n;
  r = NEONC_FMAF(fn, -0.693359375f, xc);
  r = NEONC_FMAF(fn, 2.12194440e-4f, r);
  p = ${cFloat(TAYLOR[0]!)};
${poly}`;
  return `
#if defined(FP_FAST_FMAF)
#define NEONC_FMAF(a, b, c) fmaf((a), (b), (c))
#else
#define NEONC_FMAF(a, b, c) ((a) * (b) + (c))
#endif

/* 2^n for -126 <= n <= 127. */
static inline float neonc_pow2i_f32(int32_t n) {
  union { int32_t i; float f; } u;
  u.i = (n + 127) * 8388608;
  return u.f;
}

/* e^x for x <= 0 (positive x are treated as 0), 0 below -104; 2^n in two halves (n >= -150). */
static inline float neonc_expneg_lf(float x) {
${reduce("-104.0f")}
  p = NEONC_FMAF(p, r, 1.0f);
  p = NEONC_FMAF(p, r, 1.0f);
  {
    const int32_t h = n / 2;
    return p * neonc_pow2i_f32(h) * neonc_pow2i_f32(n - h);
  }
}

/* e^x - 1 for x <= 0 (positive x are treated as 0), accurate relative to the result near 0. */
static inline float neonc_expm1neg_lf(float x) {
${reduce("-20.0f")}
  {
    const float q = NEONC_FMAF(r * r, p, r), sc = neonc_pow2i_f32(n);
    return NEONC_FMAF(sc, q, sc - 1.0f);
  }
}

static inline float neonc_sigmoid_lf(float x) {
  const float e = neonc_expneg_lf(x < 0.0f ? x : -x);
  const float y = (x >= 0.0f ? 1.0f : e) / (1.0f + e);
  return x == x ? y : x;
}

/* tanh|x| = -u / (u + 2) with u = e^(-2|x|) - 1: no cancellation near 0, exactly 1 far out. */
static inline float neonc_tanh_lf(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float u = neonc_expm1neg_lf(-2.0f * ax);
  const float t = -u / (u + 2.0f);
  return x < 0.0f ? -t : t;
}`;
}

/** Adds the loop-friendly scalar math (loopMathSource) to the model once. */
export function useLoopMath(ctx: KernelContext): void {
  ctx.helper("loop_math_f32", loopMathSource());
}

/** The C source of the math helpers for a target (scalar always, vector on NEON targets). */
export function vmathSource(target: Target): string {
  return target.neon ? scalarSource() + "\n" + vectorSource(target) : scalarSource();
}

/** Adds the math helpers to the model once. */
export function useVMath(ctx: KernelContext): void {
  ctx.helper("vmath_f32", vmathSource(ctx.target));
}
