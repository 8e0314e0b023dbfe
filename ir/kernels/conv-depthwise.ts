// Direct depthwise convolution (group == input channels) on Float32Array.
//
// im2col would copy every input value KS times to feed a one-row GEMM; for the long 1-D kernels
// of QuartzNet-style models (k = 33..87) a direct loop is much cheaper. Output positions whose
// whole window lies inside the input run a check-free loop four outputs at a time, sharing each
// weight load; only the few border positions test every tap. While the fast engine is on, its
// kernel (same sums) runs instead (fast-slots.ts).
//
// Numerics: each kernel row's taps are summed per output in float32, in kw order
// (a = fround(a + fround(w * x))), and the row's sum is added to y (float) once: what a float32
// SIMD kernel computes lane by lane across outputs.
import { fastKernels } from "./fast-slots.js";
import { prod, to3d, validRange, type ConvGeometry } from "./conv-geometry.js";

/**
 * y[n, m] = b[m] + sum over taps of w[m, 0, taps] * x[n, floor(m / multiplier), window], for
 * x [N, C, ...inShape], w [C*multiplier, 1, ...kernel], y [N, C*multiplier, ...outShape].
 */
export function depthwiseConvF32(
  x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array,
  N: number, C: number, multiplier: number, g: ConvGeometry,
): void {
  const fast = fastKernels().depthwiseConvF32;
  if (fast && fast(x, w, b, y, N, C, multiplier, g)) return;
  const q = to3d(g);
  const inPlane = q.D * q.H * q.W;
  const outPlane = q.oD * q.oH * q.oW;
  const KS = prod(g.kernel);
  const M = C * multiplier;
  // Output columns where every kernel tap along W is inside the input.
  const [inLo] = validRange(q.oW, q.sW, -q.pW, q.W);
  const [, inHi] = validRange(q.oW, q.sW, (q.kW - 1) * q.dW - q.pW, q.W);
  const innerLo = Math.min(inLo, q.oW);
  const innerHi = Math.max(innerLo, inHi);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const xc = (n * C + Math.floor(m / multiplier)) * inPlane;
      const wm = m * KS;
      const bias = b ? b[m]! : 0;
      let yo = (n * M + m) * outPlane;
      for (let od = 0; od < q.oD; od++) {
        const [kdLo, kdHi] = validRange(q.kD, q.dD, od * q.sD - q.pD, q.D);
        for (let oh = 0; oh < q.oH; oh++, yo += q.oW) {
          const [khLo, khHi] = validRange(q.kH, q.dH, oh * q.sH - q.pH, q.H);
          y.fill(bias, yo, yo + q.oW);
          for (let kd = kdLo; kd < kdHi; kd++) {
            const id = od * q.sD + kd * q.dD - q.pD;
            for (let kh = khLo; kh < khHi; kh++) {
              const ih = oh * q.sH + kh * q.dH - q.pH;
              const xrow = xc + (id * q.H + ih) * q.W - q.pW;
              const wrow = wm + (kd * q.kH + kh) * q.kW;
              rowBorder(x, w, y, xrow, wrow, yo, 0, innerLo, q.kW, q.sW, q.dW, q.pW, q.W);
              rowInner(x, w, y, xrow, wrow, yo, innerLo, innerHi, q.kW, q.sW, q.dW);
              rowBorder(x, w, y, xrow, wrow, yo, innerHi, q.oW, q.kW, q.sW, q.dW, q.pW, q.W);
            }
          }
        }
      }
    }
  }
}

/** One kernel row over output columns [lo, hi) whose windows are entirely inside the input. */
function rowInner(
  x: Float32Array, w: Float32Array, y: Float32Array, xrow: number, wrow: number, yo: number,
  lo: number, hi: number, kW: number, sW: number, dW: number,
): void {
  let ow = lo;
  const f = Math.fround;
  for (; ow + 3 < hi; ow += 4) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let p = xrow + ow * sW;
    for (let kw = 0; kw < kW; kw++, p += dW) {
      const wv = w[wrow + kw]!;
      a0 = f(a0 + f(wv * x[p]!));
      a1 = f(a1 + f(wv * x[p + sW]!));
      a2 = f(a2 + f(wv * x[p + 2 * sW]!));
      a3 = f(a3 + f(wv * x[p + 3 * sW]!));
    }
    const o = yo + ow;
    y[o] += a0; y[o + 1] += a1; y[o + 2] += a2; y[o + 3] += a3;
  }
  for (; ow < hi; ow++) {
    let a = 0;
    let p = xrow + ow * sW;
    for (let kw = 0; kw < kW; kw++, p += dW) a = f(a + f(w[wrow + kw]! * x[p]!));
    y[yo + ow] += a;
  }
}

/** One kernel row over border output columns [lo, hi): each output sums only its in-range taps. */
function rowBorder(
  x: Float32Array, w: Float32Array, y: Float32Array, xrow: number, wrow: number, yo: number,
  lo: number, hi: number, kW: number, sW: number, dW: number, pW: number, W: number,
): void {
  for (let ow = lo; ow < hi; ow++) {
    const start = ow * sW - pW;
    // Taps kw with 0 <= start + kw*dW < W.
    const kLo = start >= 0 ? 0 : Math.ceil(-start / dW);
    const kHi = Math.min(kW, W - start <= 0 ? 0 : Math.floor((W - 1 - start) / dW) + 1);
    let a = 0;
    for (let kw = kLo, p = xrow + pW + start + kLo * dW; kw < kHi; kw++, p += dW) a = Math.fround(a + Math.fround(w[wrow + kw]! * x[p]!));
    y[yo + ow] += a;
  }
}
