// Integer convolution of QConv: int8 (or uint8) activations with a zero point, int8 symmetric
// weights, int32 bias and int32 accumulators.
//
// The input is centred once (x - zp, an Int16Array), so padding contributes the value 0 exactly
// as a padded zero point would; then pointwise convs are a GEMM on the input, depthwise convs a
// direct loop, and the rest im2col + GEMM. Products fit 16 bits and sums stay far below 2^31
// for any real layer; the Int32Array accumulator wraps like int32 hardware would beyond that.
import type { NumericArray } from "../../../ir/dtype.js";
import { prod, to3d, validRange, type ConvGeometry } from "./conv-geometry.js";
import { isPointwise } from "./conv.js";
import { im2col } from "./conv-im2col.js";

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
  const col = pointwise ? xc : new Int16Array(K * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      if (!pointwise) im2col(xc, xOff, Cg, g, col, 0, 0);
      igemm(w, gi * Mg * K, col, pointwise ? xOff : 0, acc, (n * M + gi * Mg) * outPlane, Mg, K, outPlane);
    }
  }
  return acc;
}

/** acc[m, p] += sum_k w[m, k] * col[k, p] for an [Mg, K] weight block and a [K, P] column block. */
function igemm(w: Int8Array, wOff: number, col: Int16Array, cOff: number, acc: Int32Array, aOff: number, Mg: number, K: number, P: number): void {
  for (let m = 0; m < Mg; m++) {
    const ar = aOff + m * P;
    const wr = wOff + m * K;
    for (let k = 0; k < K; k++) {
      const wv = w[wr + k]!;
      if (wv === 0) continue;
      const cr = cOff + k * P;
      for (let p = 0; p < P; p++) acc[ar + p] += wv * col[cr + p]!;
    }
  }
}

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
