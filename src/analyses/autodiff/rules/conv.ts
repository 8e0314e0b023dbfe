// Gradient of Conv: the input gradient is the transposed convolution of dy (W^T dy per group,
// scattered back with col2im), the weight gradient dy col(x)^T, the bias gradient dy summed.
//
// The same im2col walk as the forward kernel pairs every tap with its pixel, so the two can
// never disagree on padding, stride or dilation. Depthwise convs (one input channel per group)
// take a direct loop instead: a one-row GEMM per channel would cost more than it computes.
// While the fast engine is on, the GEMMs and the depthwise loop run its kernels (same sums;
// ir/kernels/fast-slots.ts).
import { fastKernels } from "../../../../ir/kernels/fast-slots.js";
import { makeTensor, type Tensor } from "../../../../ir/types.js";
import { windowGeometry, windowParams, type WindowAttrs } from "../../../../ir/ops/nn/spatial.js";
import { prod, to3d, validRange, type ConvGeometry } from "../../../../ir/kernels/conv-geometry.js";
import { col2imAdd, im2col } from "../../../../ir/kernels/conv-im2col.js";
import { isPointwise } from "../../../../ir/kernels/conv.js";
import { gemmGeneric, sgemm } from "../../../../ir/kernels/gemm.js";
import { fdata, throughFusedActivation } from "../grad-util.js";
import type { FloatArray, VjpArgs } from "../types.js";

/** C = alpha op(A) op(B) + beta C on either float width (sgemm for f32). */
export function gemmF(
  tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number,
  A: FloatArray, aOff: number, lda: number, B: FloatArray, bOff: number, ldb: number,
  beta: number, C: FloatArray, cOff: number, ldc: number,
): void {
  if (A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) {
    sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  } else {
    gemmGeneric(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  }
}

let scratch32 = new Float32Array(0);
function colBuffer(like: FloatArray, n: number): FloatArray {
  if (!(like instanceof Float32Array)) return new Float64Array(n);
  if (scratch32.length < n) scratch32 = new Float32Array(n);
  return scratch32;
}

export function convVjp({ inputs, outputs, attrs, dy, wants }: VjpArgs): (Tensor | undefined)[] {
  const x = inputs[0]!, w = inputs[1]!;
  const g0 = dy[0];
  if (!g0) return [];
  const gy = throughFusedActivation("Conv", { inputs, outputs, attrs }, g0);
  const kernel: readonly number[] = attrs.kernel_shape ?? w.shape.slice(2);
  const geo = windowGeometry(x.shape.slice(2), windowParams(kernel, attrs as WindowAttrs));
  const [N, C] = x.shape as [number, number];
  const M = w.shape[0]!, group = attrs.group as number;
  const dims = { N, C, M, group, geo };
  const X = fdata(x), W = fdata(w), DY = fdata(gy);
  let dx: Tensor | undefined, dw: Tensor | undefined, db: Tensor | undefined;
  if (wants[0]) {
    dx = makeTensor(x.dtype, x.shape);
    if (group === C && w.shape[1] === 1 && geo.inShape.length <= 3) depthwiseInputGrad(DY, W, fdata(dx), dims);
    else inputGrad(DY, W, fdata(dx), dims);
  }
  if (wants[1]) {
    dw = makeTensor(w.dtype, w.shape);
    weightGrad(DY, X, fdata(dw), dims);
  }
  if (wants[2] && inputs[2]) {
    db = makeTensor(inputs[2].dtype, inputs[2].shape);
    const B = fdata(db), plane = prod(geo.outShape);
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (let i = (n * M + m) * plane, end = i + plane; i < end; i++) s += DY[i]!;
        B[m] += s;
      }
    }
  }
  return [dx, dw, db];
}

interface ConvDims { N: number; C: number; M: number; group: number; geo: ConvGeometry }

/** dx = sum over groups of col2im(W_g^T dy_g). */
function inputGrad(DY: FloatArray, W: FloatArray, DX: FloatArray, { N, C, M, group, geo }: ConvDims): void {
  const Cg = C / group, Mg = M / group;
  const inPlane = prod(geo.inShape), outPlane = prod(geo.outShape), K = Cg * prod(geo.kernel);
  const pointwise = isPointwise(geo);
  const col = pointwise ? DX : colBuffer(DX, K * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane, yOff = (n * M + gi * Mg) * outPlane;
      // A 1x1 conv with unit stride maps taps to pixels one to one: write straight into dx.
      gemmF(true, false, K, outPlane, Mg, 1, W, gi * Mg * K, K, DY, yOff, outPlane, 0, col, pointwise ? xOff : 0, outPlane);
      if (!pointwise) col2imAdd(col, 0, Cg, geo, DX, xOff);
    }
  }
}

/** dw_g += dy_g col(x_g)^T, summed over the batch. */
function weightGrad(DY: FloatArray, X: FloatArray, DW: FloatArray, { N, C, M, group, geo }: ConvDims): void {
  const Cg = C / group, Mg = M / group;
  const inPlane = prod(geo.inShape), outPlane = prod(geo.outShape), K = Cg * prod(geo.kernel);
  const col = colBuffer(DW, K * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane, yOff = (n * M + gi * Mg) * outPlane;
      im2col(X, xOff, Cg, geo, col, 0, 0);
      gemmF(false, true, Mg, K, outPlane, 1, DY, yOff, outPlane, col, 0, outPlane, 1, DW, gi * Mg * K, K);
    }
  }
}

/** Depthwise: every output channel m adds w[m, tap] * dy[m, o] onto the pixel tap reads for o. */
function depthwiseInputGrad(DY: FloatArray, W: FloatArray, DX: FloatArray, { N, C, M, geo }: ConvDims): void {
  const fast = fastKernels().depthwiseInputGradF32;
  if (fast && DY instanceof Float32Array && W instanceof Float32Array && DX instanceof Float32Array &&
    fast(DY, W, DX, N, C, M / C, geo)) return;
  const q = to3d(geo);
  const mult = M / C;
  const inPlane = q.D * q.H * q.W, outPlane = q.oD * q.oH * q.oW, KS = prod(geo.kernel);
  const f32 = DX instanceof Float32Array;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const xc = (n * C + Math.floor(m / mult)) * inPlane;
      const wm = m * KS;
      let yo = (n * M + m) * outPlane;
      for (let od = 0; od < q.oD; od++) {
        const [kdLo, kdHi] = validRange(q.kD, q.dD, od * q.sD - q.pD, q.D);
        for (let oh = 0; oh < q.oH; oh++, yo += q.oW) {
          const [khLo, khHi] = validRange(q.kH, q.dH, oh * q.sH - q.pH, q.H);
          for (let kd = kdLo; kd < kdHi; kd++) {
            const id = od * q.sD + kd * q.dD - q.pD;
            for (let kh = khLo; kh < khHi; kh++) {
              const ih = oh * q.sH + kh * q.dH - q.pH;
              const xrow = xc + (id * q.H + ih) * q.W;
              const wrow = wm + (kd * q.kH + kh) * q.kW;
              for (let kw = 0; kw < q.kW; kw++) {
                const off = kw * q.dW - q.pW;
                const [lo, hi] = validRange(q.oW, q.sW, off, q.W);
                const wv = W[wrow + kw]!;
                // float32 data: the product is rounded to float before the (float) addition, as
                // the fast engine's f32x4 kernel computes it; float64 data stays in double.
                if (f32) for (let ow = lo, p = xrow + lo * q.sW + off; ow < hi; ow++, p += q.sW) DX[p] += Math.fround(wv * DY[yo + ow]!);
                else for (let ow = lo, p = xrow + lo * q.sW + off; ow < hi; ow++, p += q.sW) DX[p] += wv * DY[yo + ow]!;
              }
            }
          }
        }
      }
    }
  }
}
