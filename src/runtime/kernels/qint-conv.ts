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
  const col = pointwise ? new Int16Array(0) : new Int16Array(K * outPlane);
  const colT = new Int16Array(K * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      if (!pointwise) im2col(xc, xOff, Cg, g, col, 0, 0);
      transpose(pointwise ? xc : col, pointwise ? xOff : 0, K, outPlane, colT);
      igemmT(w, gi * Mg * K, colT, acc, (n * M + gi * Mg) * outPlane, Mg, K, outPlane);
    }
  }
  return acc;
}

/** dst[p, k] = src[off + k * P + p]. */
function transpose(src: Int16Array, off: number, K: number, P: number, dst: Int16Array): void {
  for (let k = 0; k < K; k++) {
    const r = off + k * P;
    for (let p = 0; p < P; p++) dst[p * K + k] = src[r + p]!;
  }
}

/**
 * acc[m, p] += sum_k w[m, k] * colT[p, k]: dot products over contiguous k, blocked 4 rows by
 * 2 columns so each loaded weight and column value serves several products. Sums stay exact in
 * doubles (far below 2^53) and wrap to int32 on the store.
 */
function igemmT(w: Int8Array, wOff: number, colT: Int16Array, acc: Int32Array, aOff: number, Mg: number, K: number, P: number): void {
  let m = 0;
  for (; m + 4 <= Mg; m += 4) {
    const w0 = wOff + m * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K;
    const a0 = aOff + m * P, a1 = a0 + P, a2 = a1 + P, a3 = a2 + P;
    let p = 0;
    for (; p + 2 <= P; p += 2) {
      const c0 = p * K, c1 = c0 + K;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = colT[c0 + k]!, x1 = colT[c1 + k]!;
        const v0 = w[w0 + k]!, v1 = w[w1 + k]!, v2 = w[w2 + k]!, v3 = w[w3 + k]!;
        s00 += v0 * x0; s01 += v0 * x1;
        s10 += v1 * x0; s11 += v1 * x1;
        s20 += v2 * x0; s21 += v2 * x1;
        s30 += v3 * x0; s31 += v3 * x1;
      }
      acc[a0 + p] += s00; acc[a0 + p + 1] += s01;
      acc[a1 + p] += s10; acc[a1 + p + 1] += s11;
      acc[a2 + p] += s20; acc[a2 + p + 1] += s21;
      acc[a3 + p] += s30; acc[a3 + p + 1] += s31;
    }
    for (; p < P; p++) {
      const c0 = p * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = colT[c0 + k]!;
        s0 += w[w0 + k]! * x0; s1 += w[w1 + k]! * x0; s2 += w[w2 + k]! * x0; s3 += w[w3 + k]! * x0;
      }
      acc[a0 + p] += s0; acc[a1 + p] += s1; acc[a2 + p] += s2; acc[a3 + p] += s3;
    }
  }
  for (; m < Mg; m++) {
    const w0 = wOff + m * K, a0 = aOff + m * P;
    for (let p = 0; p < P; p++) {
      const c0 = p * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += w[w0 + k]! * colT[c0 + k]!;
      acc[a0 + p] += s;
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
