// C helpers of the convolution kernel: the phase-split padded input of a 1-D convolution and
// the 2-D im2col (both feeding the packed GEMM), and the direct depthwise 1-D convolution,
// scalar and NEON.
import type { KernelContext } from "../kernel.js";
import { useFloatKernelHelpers } from "./gemm.js";

/**
 * `neonc_conv1d_rows_f32(x, C, Cg, Tin, K, s, d, pl, L, buf, xoff)`: the X of a 1-D convolution for
 * neonc_gemm_rows_f32 without an im2col matrix. buf[p][c][u] = x[c][u*s + p - pl] (0 in the
 * padding) for the s phases p and u < L; xoff[c*K + j] (c < Cg) points row (c, j) at phase
 * (j*d) % s, offset (j*d) / s, so that its column t is x[c][t*s + j*d - pl]. Group g reads from
 * buf + g*Cg*L with the same table.
 */
export function useConv1dRows(ctx: KernelContext): void {
  ctx.helper("conv1d_rows_f32", `
static void neonc_conv1d_rows_f32(const float *x, int C, int Cg, int Tin, int K, int s, int d, int pl, int L,
                                  float *buf, int32_t *xoff) {
  int p, c, j, u;
  for (p = 0; p < s; p++) {
    /* u in [lo, hi) reads inside x: 0 <= u*s + p - pl < Tin. */
    const int first = pl - p;
    int lo = first <= 0 ? 0 : (first + s - 1) / s;
    int hi = Tin + first <= 0 ? 0 : (Tin + first + s - 1) / s;
    if (hi > L) hi = L;
    if (lo > hi) lo = hi;
    for (c = 0; c < C; c++) {
      const float *xc = x + (size_t)c * Tin;
      float *row = buf + ((size_t)p * C + c) * L;
      for (u = 0; u < lo; u++) row[u] = 0.0f;
      if (s == 1) memcpy(row + lo, xc + lo - first, (size_t)(hi - lo) * sizeof(float));
      else for (u = lo; u < hi; u++) row[u] = xc[u * s - first];
      for (u = hi; u < L; u++) row[u] = 0.0f;
    }
  }
  for (c = 0; c < Cg; c++)
    for (j = 0; j < K; j++) xoff[c * K + j] = (int32_t)((((size_t)(j * d % s) * C + c) * L) + (size_t)(j * d / s));
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
