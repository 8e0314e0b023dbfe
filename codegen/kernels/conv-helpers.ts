// C helpers of the convolution kernel: 1-D and 2-D im2col (feeding the packed GEMM) and the
// direct depthwise 1-D convolution, scalar and NEON.
import type { KernelContext } from "../kernel.js";
import { fmaN, useScalarAct, useVectorAct } from "./common.js";

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
 * `neonc_dwconv1d_f32(C, Tin, Tout, K, s, d, pl, x, w, bias, y, act, p0, p1)`: one filter of K
 * taps per channel. Edges (taps outside the input) are scalar; the interior is vectorized over
 * time on NEON (stride 1 directly, stride 2 by de-interleaving loads).
 */
export function useDepthwise1d(ctx: KernelContext): void {
  const neon = ctx.target.neon;
  if (neon) useVectorAct(ctx);
  else useScalarAct(ctx);
  const f = (acc: string, v: string, s: string) => fmaN(ctx, acc, v, s);
  const vectorInterior = neon
    ? `
    if (s == 1) {
      for (; t + 8 <= hi; t += 8) {
        const float *xp = xc + t - pl;
        float32x4_t a0 = vdupq_n_f32(b), a1 = a0;
        for (j = 0; j < K; j++) {
          const float wj = wc[j];
          a0 = ${f("a0", "vld1q_f32(xp + j * d)", "wj")};
          a1 = ${f("a1", "vld1q_f32(xp + j * d + 4)", "wj")};
        }
        vst1q_f32(yc + t, neonc_act_f32x4(a0, act, p0, p1));
        vst1q_f32(yc + t + 4, neonc_act_f32x4(a1, act, p0, p1));
      }
      for (; t + 4 <= hi; t += 4) {
        const float *xp = xc + t - pl;
        float32x4_t a0 = vdupq_n_f32(b);
        for (j = 0; j < K; j++) a0 = ${f("a0", "vld1q_f32(xp + j * d)", "wc[j]")};
        vst1q_f32(yc + t, neonc_act_f32x4(a0, act, p0, p1));
      }
    } else if (s == 2) {
      /* vld2q reads one float past the last tap of the 4th output: keep it inside the row. */
      for (; t + 4 <= hi && 2 * (t + 3) + span + 1 <= Tin - 1; t += 4) {
        const float *xp = xc + 2 * t - pl;
        float32x4_t a0 = vdupq_n_f32(b);
        for (j = 0; j < K; j++) a0 = ${f("a0", "vld2q_f32(xp + j * d).val[0]", "wc[j]")};
        vst1q_f32(yc + t, neonc_act_f32x4(a0, act, p0, p1));
      }
    }`
    : "";
  ctx.helper("dwconv1d_f32", `
static void neonc_dwconv1d_f32(int C, int Tin, int Tout, int K, int s, int d, int pl, const float *x,
                               const float *w, const float *bias, float *y, int act, float p0, float p1) {
  int c, t, j;
  const int span = (K - 1) * d - pl;
  int lo = (pl + s - 1) / s;
  int hi = Tin - 1 - span < 0 ? 0 : (Tin - 1 - span) / s + 1;
  if (hi > Tout) hi = Tout;
  if (lo > hi) lo = hi;
  for (c = 0; c < C; c++) {
    const float *xc = x + (size_t)c * Tin;
    const float *wc = w + (size_t)c * K;
    float *yc = y + (size_t)c * Tout;
    const float b = bias ? bias[c] : 0.0f;
    for (t = 0; t < lo; t++) {
      float acc = b;
      for (j = 0; j < K; j++) {
        const int i = t * s + j * d - pl;
        if (i >= 0 && i < Tin) acc += wc[j] * xc[i];
      }
      yc[t] = neonc_act_f32(acc, act, p0, p1);
    }
    t = lo;${vectorInterior}
    for (; t < hi; t++) {
      const float *xp = xc + t * s - pl;
      float acc = b;
      for (j = 0; j < K; j++) acc += wc[j] * xp[j * d];
      yc[t] = neonc_act_f32(acc, act, p0, p1);
    }
    for (t = hi > lo ? hi : lo; t < Tout; t++) {
      float acc = b;
      for (j = 0; j < K; j++) {
        const int i = t * s + j * d - pl;
        if (i >= 0 && i < Tin) acc += wc[j] * xc[i];
      }
      yc[t] = neonc_act_f32(acc, act, p0, p1);
    }
  }
}`);
}
