// Float transposed convolution: GEMM into columns, then col2im scatters them onto the output.
//
// With w [C, M/group, ...kernel], each group computes cols[(M/group)*KS, inPlane] = w_g^T . x_g
// and every column entry lands at output position i*stride + k*dilation - padBegin. The
// geometry passed here describes the forward conv that this op is the transpose of: `inShape`
// is the OUTPUT of ConvTranspose and `outShape` its input.
import type { NumericArray } from "../dtype.js";
import { prod, type ConvGeometry } from "./conv-geometry.js";
import { col2imAdd } from "./conv-im2col.js";
import { fillBias } from "./conv.js";
import { gemmGeneric, sgemm } from "./gemm.js";

export interface ConvTransposeArgs {
  readonly N: number;
  /** Input channels of ConvTranspose. */
  readonly C: number;
  /** Output channels of ConvTranspose. */
  readonly M: number;
  readonly group: number;
  /** Geometry of the forward conv: inShape = ConvTranspose output dims, outShape = its input dims. */
  readonly geometry: ConvGeometry;
}

/** y [N, M, ...g.inShape] = convTranspose(x [N, C, ...g.outShape], w [C, M/group, ...kernel]) + b. */
export function convTransposeFloat(x: NumericArray, w: NumericArray, b: NumericArray | undefined, y: NumericArray, a: ConvTransposeArgs): void {
  const { N, C, M, group, geometry: g } = a;
  const Cg = C / group, Mg = M / group;
  const xPlane = prod(g.outShape), yPlane = prod(g.inShape), KS = prod(g.kernel);
  const rows = Mg * KS;
  fillBias(y, b, N, M, yPlane);
  const f32 = x instanceof Float32Array && w instanceof Float32Array && y instanceof Float32Array;
  const col = f32 ? new Float32Array(rows * xPlane) : new Float64Array(rows * xPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * xPlane;
      const wOff = gi * Cg * rows;
      if (f32) sgemm(true, false, rows, xPlane, Cg, 1, w as Float32Array, wOff, rows, x as Float32Array, xOff, xPlane, 0, col as Float32Array, 0, xPlane);
      else gemmGeneric(true, false, rows, xPlane, Cg, 1, w, wOff, rows, x, xOff, xPlane, 0, col, 0, xPlane);
      col2imAdd(col, 0, Mg, g, y, (n * M + gi * Mg) * yPlane);
    }
  }
}
