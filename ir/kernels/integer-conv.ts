// Integer convolution of QConv: int8 (or uint8) activations with a zero point, int8 symmetric
// weights, int32 bias and int32 accumulators.
//
// The input is centred once (x - zp), so padding contributes the value 0 exactly as a padded
// zero point would; then depthwise convs are a direct integer loop, pointwise convs a GEMM on the
// input and the rest im2col + GEMM. The GEMM runs in float32 on chunks of rows small enough that
// every partial sum is an exactly represented integer (see EXACT_ROWS), so the result is the exact
// integer accumulator; the Int32Array accumulator wraps like int32 hardware would beyond 2^31.
import type { NumericArray } from "../dtype.js";
import { prod, to3d, validRange, type ConvGeometry } from "./conv-geometry.js";
import { convFloat, isPointwise } from "./conv.js";
import { im2col } from "./conv-im2col.js";
import { sgemm } from "./gemm.js";

export interface QConvArgs {
  readonly N: number;
  readonly C: number;
  readonly M: number;
  readonly group: number;
  readonly geometry: ConvGeometry;
  readonly xZeroPoint: number;
}

/** Accumulators [N, M, ...outShape] of conv(x - zp, w) + bias. */
export function qconvAccumulate(x: NumericArray, w: Int8Array, bias: Int32Array | undefined, a: QConvArgs): Int32Array {
  const { N, C, M, group, geometry: g } = a;
  const Cg = C / group, Mg = M / group;
  const inPlane = prod(g.inShape), outPlane = prod(g.outShape), KS = prod(g.kernel);
  const xc = new Int16Array(x.length);
  const zp = a.xZeroPoint;
  for (let i = 0; i < x.length; i++) xc[i] = x[i]! - zp;
  const acc = new Int32Array(N * M * outPlane);
  if (bias) for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) acc.fill(bias[m]!, (n * M + m) * outPlane, (n * M + m + 1) * outPlane);

  if (Cg === 1 && g.inShape.length <= 3) {
    depthwise(xc, w, acc, N, C, Mg, g);
    return acc;
  }
  const K = Cg * KS;
  const pointwise = isPointwise(g);
  // Float32 GEMM, exactly: products are below 2^15 in magnitude, so any partial sum over at most
  // EXACT_ROWS products is an integer below 2^24, which float32 holds exactly whatever the
  // summation order (or FMA). Each chunk of rows is summed in float32, then added in int32.
  const xf = new Float32Array(xc.length);
  for (let i = 0; i < xc.length; i++) xf[i] = xc[i]!;
  const wf = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) wf[i] = w[i]!;
  const col = pointwise ? xf : new Float32Array(K * outPlane);
  const part = new Float32Array(Mg * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      if (!pointwise) im2col(xf, xOff, Cg, g, col, 0, 0);
      const cOff = pointwise ? xOff : 0;
      const aOff = (n * M + gi * Mg) * outPlane;
      for (let k0 = 0; k0 < K; k0 += EXACT_ROWS) {
        const kc = Math.min(EXACT_ROWS, K - k0);
        sgemm(false, false, Mg, outPlane, kc, 1, wf, gi * Mg * K + k0, K, col, cOff + k0 * outPlane, outPlane, 0, part, 0, outPlane);
        for (let i = 0; i < part.length; i++) acc[aOff + i] += part[i]!;
      }
    }
  }
  return acc;
}

/**
 * Wide accumulators of a 16x8 conv (int16 x, int8 w) or a 16x16 one (int16 w): products reach
 * 2^22 (2^30) and sums overflow int32, so the conv runs on Float64Arrays of the centred integers through the float kernel. Every
 * value is an integer and every partial sum stays below 2^53, so the result is exact whatever the
 * kernel's summation order.
 */
export function qconvAccumulateWide(x: NumericArray, w: Int8Array | Int16Array, bias: Int32Array | undefined, a: QConvArgs): Float64Array {
  const { N, M, geometry: g } = a;
  const xc = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) xc[i] = x[i]! - a.xZeroPoint;
  const acc = new Float64Array(N * M * prod(g.outShape));
  convFloat(xc, Float64Array.from(w), bias ? Float64Array.from(bias) : undefined, acc, { N, C: a.C, M, group: a.group, geometry: g });
  return acc;
}

/** Rows of products per float32 partial sum: 512 * 255 * 128 < 2^24. */
const EXACT_ROWS = 512;

/** One input channel per group: every output channel m reads channel floor(m / Mg). */
function depthwise(xc: Int16Array, w: Int8Array, acc: Int32Array, N: number, C: number, Mg: number, geom: ConvGeometry): void {
  const g = to3d(geom);
  const inPlane = g.D * g.H * g.W, outPlane = g.oD * g.oH * g.oW, KS = g.kD * g.kH * g.kW;
  const M = C * Mg;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const xBase = (n * C + Math.floor(m / Mg)) * inPlane;
      const aBase = (n * M + m) * outPlane;
      for (let kd = 0; kd < g.kD; kd++) {
        const offD = kd * g.dD - g.pD;
        const [d0, d1] = validRange(g.oD, g.sD, offD, g.D);
        for (let kh = 0; kh < g.kH; kh++) {
          const offH = kh * g.dH - g.pH;
          const [h0, h1] = validRange(g.oH, g.sH, offH, g.H);
          for (let kw = 0; kw < g.kW; kw++) {
            const wv = w[m * KS + (kd * g.kH + kh) * g.kW + kw]!;
            if (wv === 0) continue;
            const offW = kw * g.dW - g.pW;
            const [w0, w1] = validRange(g.oW, g.sW, offW, g.W);
            for (let od = d0; od < d1; od++) {
              const id = od * g.sD + offD;
              for (let oh = h0; oh < h1; oh++) {
                const rowIn = xBase + (id * g.H + oh * g.sH + offH) * g.W + offW;
                const rowOut = aBase + (od * g.oH + oh) * g.oW;
                for (let o = w0; o < w1; o++) acc[rowOut + o] += wv * xc[rowIn + o * g.sW]!;
              }
            }
          }
        }
      }
    }
  }
}
