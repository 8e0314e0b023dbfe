// C helpers of the convolution kernel: 1-D and 2-D im2col (feeding the packed GEMM) and the
// direct depthwise 1-D convolution, scalar and NEON.
import type { KernelContext } from "../kernel.js";
import { useFloatKernelHelpers } from "./gemm.js";

/** `neonc_im2col1d_f32(x, C, Tin, K, s, d, pl, Tout, col)`: col[(c*K + j)][t] = x[c][t*s + j*d - pl] or 0. */
export function useIm2col1d(ctx: KernelContext): void {
  ctx.helper("im2col1d_f32", `
static void neonc_im2col1d_f32(const float *x, int C, int Tin, int K, int s, int d, int pl, int Tout, float *col) {
  int c, j, t;
  for (c = 0; c < C; c++) {
    const float *xc = x + (size_t)c * Tin;
    for (j = 0; j < K; j++) {
      float *row = col + ((size_t)c * K + j) * Tout;
      const int off = j * d - pl;
      int lo = off >= 0 ? 0 : (-off + s - 1) / s;
      int hi = Tin - 1 - off < 0 ? 0 : (Tin - 1 - off) / s + 1;
      if (hi > Tout) hi = Tout;
      if (lo > hi) lo = hi;
      for (t = 0; t < lo; t++) row[t] = 0.0f;
      if (s == 1) memcpy(row + lo, xc + lo + off, (size_t)(hi - lo) * sizeof(float));
      else for (t = lo; t < hi; t++) row[t] = xc[t * s + off];
      for (t = hi; t < Tout; t++) row[t] = 0.0f;
    }
  }
}`);
}

/** `neonc_im2col2d_f32(x, C, H, W, KH, KW, sh, sw, dh, dw, ph, pw, OH, OW, col)`. */
export function useIm2col2d(ctx: KernelContext): void {
  ctx.helper("im2col2d_f32", `
static void neonc_im2col2d_f32(const float *x, int C, int H, int W, int KH, int KW, int sh, int sw,
                               int dh, int dw, int ph, int pw, int OH, int OW, float *col) {
  int c, i, j, oh, ow;
  for (c = 0; c < C; c++)
    for (i = 0; i < KH; i++)
      for (j = 0; j < KW; j++) {
        float *row = col + (((size_t)c * KH + i) * KW + j) * OH * OW;
        for (oh = 0; oh < OH; oh++) {
          const int ih = oh * sh + i * dh - ph;
          float *r = row + (size_t)oh * OW;
          if (ih < 0 || ih >= H) {
            for (ow = 0; ow < OW; ow++) r[ow] = 0.0f;
            continue;
          }
          for (ow = 0; ow < OW; ow++) {
            const int iw = ow * sw + j * dw - pw;
            r[ow] = iw >= 0 && iw < W ? x[((size_t)c * H + ih) * W + iw] : 0.0f;
          }
        }
      }
}`);
}

/**
 * `neonc_dwconv1d_f32(C, Tin, Tout, K, s, d, pl, x, w, bias, y, act, p0, p1, row)`: one filter of K
 * taps per channel. Each channel's input is first copied into `row` (scratch of at least
 * Tin + pads + 4 floats) with the zero padding materialized, so every output takes the same
 * branch-free path: blocks of outputs in accumulators, taps outside, outputs innermost. Adding
 * the padding's zero products leaves every sum as it was (same order, +0 terms).
 */
export function useDepthwise1d(ctx: KernelContext): void {
  const neon = ctx.target.neon;
  const f = useFloatKernelHelpers(ctx);
  const blocks = neon
    ? `
    if (s == 1) {
      for (; t + 16 <= Tout; t += 16) {
        const float *xp = xr + t;
        float32x4_t a0 = vdupq_n_f32(b), a1 = a0, a2 = a0, a3 = a0;
        for (j = 0; j < K; j++) {
          const float wj = wc[j];
          const float *xj = xp + (size_t)j * d;
          a0 = ${f("a0", "vld1q_f32(xj)", "wj")};
          a1 = ${f("a1", "vld1q_f32(xj + 4)", "wj")};
          a2 = ${f("a2", "vld1q_f32(xj + 8)", "wj")};
          a3 = ${f("a3", "vld1q_f32(xj + 12)", "wj")};
        }
        vst1q_f32(yc + t, neonc_act_f32x4(a0, act, p0, p1));
        vst1q_f32(yc + t + 4, neonc_act_f32x4(a1, act, p0, p1));
        vst1q_f32(yc + t + 8, neonc_act_f32x4(a2, act, p0, p1));
        vst1q_f32(yc + t + 12, neonc_act_f32x4(a3, act, p0, p1));
      }
      for (; t + 4 <= Tout; t += 4) {
        float32x4_t a0 = vdupq_n_f32(b);
        for (j = 0; j < K; j++) a0 = ${f("a0", "vld1q_f32(xr + t + (size_t)j * d)", "wc[j]")};
        vst1q_f32(yc + t, neonc_act_f32x4(a0, act, p0, p1));
      }
    } else if (s == 2) {
      /* vld2q reads one float past the last tap of the 4th output: row has room for it. */
      for (; t + 8 <= Tout; t += 8) {
        const float *xp = xr + 2 * (size_t)t;
        float32x4_t a0 = vdupq_n_f32(b), a1 = a0;
        for (j = 0; j < K; j++) {
          const float wj = wc[j];
          a0 = ${f("a0", "vld2q_f32(xp + (size_t)j * d).val[0]", "wj")};
          a1 = ${f("a1", "vld2q_f32(xp + (size_t)j * d + 8).val[0]", "wj")};
        }
        vst1q_f32(yc + t, neonc_act_f32x4(a0, act, p0, p1));
        vst1q_f32(yc + t + 4, neonc_act_f32x4(a1, act, p0, p1));
      }
    }`
    : `
    if (s == 1) {
      for (; t + 24 <= Tout; t += 24) NEONC_DW_BLOCK(24, 1)
      for (; t + 8 <= Tout; t += 8) NEONC_DW_BLOCK(8, 1)
    } else if (s == 2) {
      for (; t + 8 <= Tout; t += 8) NEONC_DW_BLOCK(8, 2)
    }`;
  /* The compiler vectorizes the tt loops and keeps acc[] in registers (NB = 16 is avoided: gcc 12
     vectorizes it badly on x86). */
  const blockMacro = neon
    ? ""
    : `
#define NEONC_DW_BLOCK(NB, S) \\
  { \\
    const float *restrict xp = xr + (size_t)t * S; \\
    float acc[NB]; \\
    int tt; \\
    for (tt = 0; tt < NB; tt++) acc[tt] = b; \\
    for (j = 0; j < K; j++) { \\
      const float wj = wc[j]; \\
      const float *restrict xj = xp + (size_t)j * d; \\
      for (tt = 0; tt < NB; tt++) acc[tt] = NEONC_MADD(acc[tt], wj, xj[tt * S]); \\
    } \\
    for (tt = 0; tt < NB; tt++) yc[t + tt] = neonc_act_f32(acc[tt], act, p0, p1); \\
  }
`;
  ctx.helper("dwconv1d_f32", `${blockMacro}
static void neonc_dwconv1d_f32(int C, int Tin, int Tout, int K, int s, int d, int pl, const float *restrict x,
                               const float *restrict w, const float *restrict bias, float *restrict y, int act, float p0, float p1,
                               float *restrict row) {
  int c, t, j, i;
  /* Input positions (after padding) that the outputs read. */
  const int L = (Tout - 1) * s + (K - 1) * d + 1;
  for (c = 0; c < C; c++) {
    const float *xc = x + (size_t)c * Tin;
    const float *wc = w + (size_t)c * K;
    float *yc = y + (size_t)c * Tout;
    const float b = bias ? bias[c] : 0.0f;
    const float *xr = row;
    if (pl == 0 && L < Tin) xr = xc;
    else
      for (i = 0; i < L + 1; i++) {
        const int src = i - pl;
        row[i] = src >= 0 && src < Tin ? xc[src] : 0.0f;
      }
    t = 0;${blocks}
    for (; t < Tout; t++) {
      const float *xp = xr + (size_t)t * s;
      float acc = b;
      for (j = 0; j < K; j++) acc += wc[j] * xp[(size_t)j * d];
      yc[t] = neonc_act_f32(acc, act, p0, p1);
    }
  }
}${neon ? "" : "\n#undef NEONC_DW_BLOCK"}`);
}
