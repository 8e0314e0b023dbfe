// The fast engine's depthwise convolution (group == input channels), forward and input
// gradient, computing exactly what the interpreter's kernels compute:
// - forward as ir/kernels/conv-depthwise.ts: y starts at the bias; each kernel row adds, per
//   output, the double-precision sum of its in-range taps in kw order, rounded to float once;
// - input gradient as depthwiseInputGrad in src/analyses/autodiff/rules/conv.ts: every tap adds
//   w * dy onto the input position it read, rounding to float at each addition, in the same loop
//   order (channel, row, tap, output position).
// Two output positions share one f64x2 (lanes across independent outputs, never across a sum).
#include <wasm_simd128.h>

/* Geometry as 18 ints: D H W, kD kH kW, sD sH sW, dD dH dW, pD pH pW, oD oH oW (to3d's order). */
enum { gD, gH, gW, gkD, gkH, gkW, gsD, gsH, gsW, gdD, gdH, gdW, gpD, gpH, gpW, goD, goH, goW };

/* [lo, hi): output positions o with o*stride + offset in [0, size) (conv-geometry.ts validRange). */
static void validRange(int outLen, int stride, int offset, int size, int *lo, int *hi) {
  int l = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int h = size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1;
  int a = l < outLen ? l : outLen;
  int b = h < outLen ? h : outLen;
  *lo = a;
  *hi = b > a ? b : a;
}

/* One kernel row over outputs [0, oW): y[ow] = (float)(y[ow] + sum of in-range taps). */
static void row(const float *x, const float *w, float *y, int oW, int kW, int sW, int dW, int pW, int W) {
  int ow = 0;
  for (; ow + 1 < oW; ow += 2) {
    int s0 = ow * sW - pW, s1 = s0 + sW;
    if (s0 >= 0 && s1 + (kW - 1) * dW < W) {
      /* Both windows inside the input: every tap, both outputs at once. */
      v128_t acc = wasm_f64x2_splat(0);
      const float *p = x + s0;
      for (int kw = 0; kw < kW; kw++, p += dW) {
        v128_t xv = wasm_f64x2_make((double)p[0], (double)p[sW]);
        acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wasm_f64x2_splat((double)w[kw]), xv));
      }
      y[ow] = (float)((double)y[ow] + wasm_f64x2_extract_lane(acc, 0));
      y[ow + 1] = (float)((double)y[ow + 1] + wasm_f64x2_extract_lane(acc, 1));
      continue;
    }
    for (int o = ow; o < ow + 2; o++) {
      int start = o * sW - pW;
      int kLo = start >= 0 ? 0 : (-start + dW - 1) / dW;
      int kHi = W - start <= 0 ? 0 : (W - 1 - start) / dW + 1;
      if (kHi > kW) kHi = kW;
      double a = 0;
      for (int kw = kLo; kw < kHi; kw++) a += (double)w[kw] * (double)x[start + kw * dW];
      y[o] = (float)((double)y[o] + a);
    }
  }
  for (; ow < oW; ow++) {
    int start = ow * sW - pW;
    int kLo = start >= 0 ? 0 : (-start + dW - 1) / dW;
    int kHi = W - start <= 0 ? 0 : (W - 1 - start) / dW + 1;
    if (kHi > kW) kHi = kW;
    double a = 0;
    for (int kw = kLo; kw < kHi; kw++) a += (double)w[kw] * (double)x[start + kw * dW];
    y[ow] = (float)((double)y[ow] + a);
  }
}

__attribute__((export_name("depthwiseConv")))
void depthwiseConv(const float *x, const float *w, const float *b, float *y, int N, int C, int mult, const int *g) {
  int inPlane = g[gD] * g[gH] * g[gW], outPlane = g[goD] * g[goH] * g[goW];
  int KS = g[gkD] * g[gkH] * g[gkW], M = C * mult;
  for (int n = 0; n < N; n++) {
    for (int m = 0; m < M; m++) {
      const float *xc = x + (long)(n * C + m / mult) * inPlane;
      const float *wm = w + (long)m * KS;
      float bias = b ? b[m] : 0;
      float *yo = y + (long)(n * M + m) * outPlane;
      for (int od = 0; od < g[goD]; od++) {
        int kdLo, kdHi;
        validRange(g[gkD], g[gdD], od * g[gsD] - g[gpD], g[gD], &kdLo, &kdHi);
        for (int oh = 0; oh < g[goH]; oh++, yo += g[goW]) {
          int khLo, khHi;
          validRange(g[gkH], g[gdH], oh * g[gsH] - g[gpH], g[gH], &khLo, &khHi);
          for (int ow = 0; ow < g[goW]; ow++) yo[ow] = bias;
          for (int kd = kdLo; kd < kdHi; kd++) {
            int id = od * g[gsD] + kd * g[gdD] - g[gpD];
            for (int kh = khLo; kh < khHi; kh++) {
              int ih = oh * g[gsH] + kh * g[gdH] - g[gpH];
              row(xc + (long)(id * g[gH] + ih) * g[gW], wm + (kd * g[gkH] + kh) * g[gkW], yo,
                  g[goW], g[gkW], g[gsW], g[gdW], g[gpW], g[gW]);
            }
          }
        }
      }
    }
  }
}

__attribute__((export_name("depthwiseInputGrad")))
void depthwiseInputGrad(const float *dy, const float *w, float *dx, int N, int C, int mult, const int *g) {
  int inPlane = g[gD] * g[gH] * g[gW], outPlane = g[goD] * g[goH] * g[goW];
  int KS = g[gkD] * g[gkH] * g[gkW], M = C * mult;
  int sW = g[gsW];
  for (int n = 0; n < N; n++) {
    for (int m = 0; m < M; m++) {
      float *xc = dx + (long)(n * C + m / mult) * inPlane;
      const float *wm = w + (long)m * KS;
      const float *yo = dy + (long)(n * M + m) * outPlane;
      for (int od = 0; od < g[goD]; od++) {
        int kdLo, kdHi;
        validRange(g[gkD], g[gdD], od * g[gsD] - g[gpD], g[gD], &kdLo, &kdHi);
        for (int oh = 0; oh < g[goH]; oh++, yo += g[goW]) {
          int khLo, khHi;
          validRange(g[gkH], g[gdH], oh * g[gsH] - g[gpH], g[gH], &khLo, &khHi);
          for (int kd = kdLo; kd < kdHi; kd++) {
            int id = od * g[gsD] + kd * g[gdD] - g[gpD];
            for (int kh = khLo; kh < khHi; kh++) {
              int ih = oh * g[gsH] + kh * g[gdH] - g[gpH];
              float *xrow = xc + (long)(id * g[gH] + ih) * g[gW];
              const float *wrow = wm + (kd * g[gkH] + kh) * g[gkW];
              for (int kw = 0; kw < g[gkW]; kw++) {
                int off = kw * g[gdW] - g[gpW];
                int lo, hi;
                validRange(g[goW], sW, off, g[gW], &lo, &hi);
                double wv = (double)wrow[kw];
                v128_t wv2 = wasm_f64x2_splat(wv);
                float *p = xrow + lo * sW + off;
                int ow = lo;
                if (sW == 1) {
                  for (; ow + 1 < hi; ow += 2, p += 2) {
                    v128_t d = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p));
                    v128_t gy = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(yo + ow));
                    d = wasm_f64x2_add(d, wasm_f64x2_mul(wv2, gy));
                    wasm_v128_store64_lane(p, wasm_f32x4_demote_f64x2_zero(d), 0);
                  }
                }
                for (; ow < hi; ow++, p += sW) *p = (float)((double)*p + wv * (double)yo[ow]);
              }
            }
          }
        }
      }
    }
  }
}
