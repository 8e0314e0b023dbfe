// Float convolution for the interpreter, one function per algorithm of the lower stage
// (passes/lower names them in the IR; the C emitters run the same ones):
//
// - convDepthwise: one filter per channel (group == input channels), the direct loop of
//   conv-depthwise.ts;
// - convGemm: one GEMM per image and group over the K = C/group * taps rows of X — the input
//   itself for a pointwise conv (every kernel dim 1, stride 1, no padding), else im2col's copy.
//   ConvPointwise, ConvGemmRows and ConvIm2col all sum in this order; they differ in C only in
//   how the rows of X are reached.
// convFloat, the kernel of a Conv not lowered yet, takes the same choice as the lower rules
// for the portable target.
// Bias is written into the output first and the GEMM accumulates onto it (beta = 1).
import type { NumericArray } from "../dtype.js";
import { prod, type ConvGeometry } from "./conv-geometry.js";
import { depthwiseConvF32 } from "./conv-depthwise.js";
import { im2col } from "./conv-im2col.js";
import { gemmGeneric, sgemm } from "./gemm.js";

export interface ConvArgs {
  readonly N: number;
  /** Input channels. */
  readonly C: number;
  /** Output channels. */
  readonly M: number;
  readonly group: number;
  readonly geometry: ConvGeometry;
}

let colScratch = new Float32Array(0);

/** Float32 scratch for im2col, reused across calls (it only grows). */
function scratchF32(n: number): Float32Array {
  if (colScratch.length < n) colScratch = new Float32Array(n);
  return colScratch;
}

/** True when the conv reads exactly one input position per output position (a 1x1 conv). */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kernel.every((k) => k === 1) && g.strides.every((s) => s === 1) &&
    g.padBegin.every((p) => p === 0) && g.padEnd.every((p) => p === 0);
}

/**
 * y [N, M, ...outShape] = conv(x [N, C, ...inShape], w [M, C/group, ...kernel]) + b [M].
 * x, w, b and y share one float array type (Float32Array takes the fast paths).
 */
export function convFloat(x: NumericArray, w: NumericArray, b: NumericArray | undefined, y: NumericArray, a: ConvArgs): void {
  if (isDepthwise(a) && x instanceof Float32Array) convDepthwise(x, w, b, y, a);
  else convGemm(x, w, b, y, a);
}

/** One input channel per group and every channel its own group (output channels may be a multiple). */
export function isDepthwise(a: ConvArgs): boolean {
  return a.group === a.C && a.geometry.inShape.length <= 3;
}

/** The direct depthwise loop (float32; other float types take convGemm, which sums alike per output). */
export function convDepthwise(x: NumericArray, w: NumericArray, b: NumericArray | undefined, y: NumericArray, a: ConvArgs): void {
  if (!(x instanceof Float32Array && w instanceof Float32Array && y instanceof Float32Array && (b === undefined || b instanceof Float32Array)) || !isDepthwise(a)) {
    convGemm(x, w, b, y, a);
    return;
  }
  depthwiseConvF32(x, w, b, y, a.N, a.C, a.M / a.group, a.geometry);
}

/** GEMM per image and group: on the input when the conv is pointwise, else on im2col's rows. */
export function convGemm(x: NumericArray, w: NumericArray, b: NumericArray | undefined, y: NumericArray, a: ConvArgs): void {
  const { N, C, M, group, geometry: g } = a;
  const Cg = C / group, Mg = M / group;
  const inPlane = prod(g.inShape), outPlane = prod(g.outShape), KS = prod(g.kernel);
  const beta = fillBias(y, b, N, M, outPlane);
  const pointwise = isPointwise(g);
  const f32 = x instanceof Float32Array && w instanceof Float32Array && y instanceof Float32Array;
  const K = Cg * KS;
  const col: NumericArray = pointwise ? x : f32 ? scratchF32(K * outPlane) : new Float64Array(K * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inPlane;
      const yOff = (n * M + gi * Mg) * outPlane;
      const wOff = gi * Mg * K;
      if (!pointwise) im2col(x, xOff, Cg, g, col, 0, 0);
      const bMat = pointwise ? x : col;
      const bOff = pointwise ? xOff : 0;
      if (f32) {
        sgemm(false, false, Mg, outPlane, K, 1, w as Float32Array, wOff, K, bMat as Float32Array, bOff, outPlane, beta, y as Float32Array, yOff, outPlane);
      } else {
        gemmGeneric(false, false, Mg, outPlane, K, 1, w, wOff, K, bMat, bOff, outPlane, beta, y, yOff, outPlane);
      }
    }
  }
}

/** Writes the bias (or nothing) into every output plane; returns the GEMM beta to use. */
export function fillBias(y: NumericArray, b: NumericArray | undefined, N: number, M: number, plane: number): number {
  if (!b) return 0;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const o = (n * M + m) * plane;
      y.fill(b[m]!, o, o + plane);
    }
  }
  return 1;
}
