// The fast engine's depthwise convolution (group == input channels), forward and input
// gradient, shared by the WebAssembly build (depthwise.c: VLEN 4, SIMD128) and the native one
// (native.c: VLEN as wide as the machine's vectors), written with GCC vector extensions. It
// computes exactly what the interpreter's kernels compute:
// - forward as ir/kernels/conv-depthwise.ts: y starts at the bias; each kernel row adds, per
//   output, the float32 sum of its in-range taps in kw order (a = a + w*x, both rounded to
//   float), onto y once;
// - input gradient as depthwiseInputGrad in src/analyses/autodiff/rules/conv.ts: every tap adds
//   (float)(w * dy) onto the input position it read, a float addition, in the same loop order
//   (channel, row, tap, output position).
// VLEN output positions share one vector (lanes across independent outputs, never across a sum).
// The includer defines VLEN; loads and stores go through __builtin_memcpy (inlined, unaligned).

typedef float dwvec __attribute__((vector_size(VLEN * 4), aligned(4)));

static inline dwvec dwLoad(const float *p) { dwvec v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void dwStore(float *p, dwvec v) { __builtin_memcpy(p, &v, sizeof v); }

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

/* One output: y = y + the float sum of its in-range taps, in kw order. */
static void one(const float *x, const float *w, float *y, int ow, int kW, int sW, int dW, int pW, int W) {
  int start = ow * sW - pW;
  int kLo = start >= 0 ? 0 : (-start + dW - 1) / dW;
  int kHi = W - start <= 0 ? 0 : (W - 1 - start) / dW + 1;
  if (kHi > kW) kHi = kW;
  float a = 0;
  for (int kw = kLo; kw < kHi; kw++) a += w[kw] * x[start + kw * dW];
  y[ow] += a;
}

/* One kernel row over outputs [0, oW). Outputs whose window lies inside the input take every
   tap; with unit stride 4*VLEN of them run at once (four vector sums), then VLEN at a time. */
static void row(const float *x, const float *w, float *y, int oW, int kW, int sW, int dW, int pW, int W) {
  /* Inner outputs: ow*sW - pW >= 0 and ow*sW - pW + (kW-1)*dW <= W-1. */
  int lo = (pW + sW - 1) / sW;
  int hiEnd = W - 1 - (kW - 1) * dW + pW; /* ow*sW <= hiEnd */
  int hi = hiEnd < 0 ? 0 : hiEnd / sW + 1;
  if (lo > oW) lo = oW;
  if (hi > oW) hi = oW;
  if (hi < lo) hi = lo;
  int ow = 0;
  for (; ow < lo; ow++) one(x, w, y, ow, kW, sW, dW, pW, W);
  if (sW == 1) {
    for (; ow + 4 * VLEN - 1 < hi; ow += 4 * VLEN) {
      dwvec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
      const float *p = x + ow - pW;
      for (int kw = 0; kw < kW; kw++, p += dW) {
        const float wv = w[kw];
        a0 += wv * dwLoad(p);
        a1 += wv * dwLoad(p + VLEN);
        a2 += wv * dwLoad(p + 2 * VLEN);
        a3 += wv * dwLoad(p + 3 * VLEN);
      }
      float *o = y + ow;
      dwStore(o, dwLoad(o) + a0);
      dwStore(o + VLEN, dwLoad(o + VLEN) + a1);
      dwStore(o + 2 * VLEN, dwLoad(o + 2 * VLEN) + a2);
      dwStore(o + 3 * VLEN, dwLoad(o + 3 * VLEN) + a3);
    }
    for (; ow + VLEN - 1 < hi; ow += VLEN) {
      dwvec a = {0};
      const float *p = x + ow - pW;
      for (int kw = 0; kw < kW; kw++, p += dW) a += w[kw] * dwLoad(p);
      dwStore(y + ow, dwLoad(y + ow) + a);
    }
  }
  for (; ow < oW; ow++) one(x, w, y, ow, kW, sW, dW, pW, W);
}

/* The input gradient of one kernel row: every tap adds (float)(w * dy) onto the input position it
   read, tap by tap, output position by output position (the reference's order). */
static void gradRow(float *xrow, const float *wrow, const float *yo, int oW, int kW, int sW, int dW, int pW, int W) {
  for (int kw = 0; kw < kW; kw++) {
    int lo, hi;
    int off = kw * dW - pW;
    validRange(oW, sW, off, W, &lo, &hi);
    float wv = wrow[kw];
    float *p = xrow + lo * sW + off;
    int ow = lo;
    if (sW == 1) {
      for (; ow + VLEN - 1 < hi; ow += VLEN, p += VLEN) dwStore(p, dwLoad(p) + wv * dwLoad(yo + ow));
    }
    for (; ow < hi; ow++, p += sW) *p += wv * yo[ow];
  }
}

/* Both directions walk the same rows: for each batch item, output channel m (input channel
   m / mult), output row (od, oh) and in-range kernel row (kd, kh), the input row it reads and
   the weight row. forward: y = bias, then y += row(x); else dx += gradRow(dy). The direction is
   a constant at each call, so the compiler keeps one loop nest per direction. */
static inline void walk(int forward, float *in, const float *w, const float *b, float *out, int N, int C, int mult, const int *g) {
  int inPlane = g[gD] * g[gH] * g[gW], outPlane = g[goD] * g[goH] * g[goW];
  int KS = g[gkD] * g[gkH] * g[gkW], M = C * mult;
  for (int n = 0; n < N; n++) {
    for (int m = 0; m < M; m++) {
      float *xc = in + (long)(n * C + m / mult) * inPlane;
      const float *wm = w + (long)m * KS;
      float *yo = out + (long)(n * M + m) * outPlane;
      for (int od = 0; od < g[goD]; od++) {
        int kdLo, kdHi;
        validRange(g[gkD], g[gdD], od * g[gsD] - g[gpD], g[gD], &kdLo, &kdHi);
        for (int oh = 0; oh < g[goH]; oh++, yo += g[goW]) {
          int khLo, khHi;
          validRange(g[gkH], g[gdH], oh * g[gsH] - g[gpH], g[gH], &khLo, &khHi);
          if (forward) for (int ow = 0; ow < g[goW]; ow++) yo[ow] = b ? b[m] : 0;
          for (int kd = kdLo; kd < kdHi; kd++) {
            int id = od * g[gsD] + kd * g[gdD] - g[gpD];
            for (int kh = khLo; kh < khHi; kh++) {
              int ih = oh * g[gsH] + kh * g[gdH] - g[gpH];
              float *xrow = xc + (long)(id * g[gH] + ih) * g[gW];
              const float *wrow = wm + (kd * g[gkH] + kh) * g[gkW];
              if (forward) row(xrow, wrow, yo, g[goW], g[gkW], g[gsW], g[gdW], g[gpW], g[gW]);
              else gradRow(xrow, wrow, yo, g[goW], g[gkW], g[gsW], g[gdW], g[gpW], g[gW]);
            }
          }
        }
      }
    }
  }
}

/* y [N, C*mult, out...] = the depthwise conv of x [N, C, in...] with w [C*mult, 1, kernel...] and b. */
static void depthwiseConvImpl(const float *x, const float *w, const float *b, float *y, int N, int C, int mult, const int *g) {
  walk(1, (float *)x, w, b, y, N, C, mult, g);
}

/* dx [N, C, in...] += the input gradient of the depthwise conv for dy [N, C*mult, out...]. */
static void depthwiseInputGradImpl(const float *dy, const float *w, float *dx, int N, int C, int mult, const int *g) {
  walk(0, dx, w, 0, (float *)dy, N, C, mult, g);
}
