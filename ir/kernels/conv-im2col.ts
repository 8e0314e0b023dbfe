// im2col and col2im: the data movement that turns a convolution into one matrix multiply.
//
// im2col writes, for every input channel and kernel tap, the row of input values that tap sees
// at each output position, so Conv = W[M, C*KS] x col[C*KS, OS]. col2im is the adjoint used by
// ConvTranspose: it scatters-adds such rows back onto the image. Both work for any numeric
// typed array (float Conv, and the quantized convs that reuse im2col with a zero-point pad).
import type { NumericArray } from "../dtype.js";
import { prod, to3d, validRange, type ConvGeometry } from "./conv-geometry.js";

/** Rows and columns of the im2col matrix for `channels` channels: [channels*prod(kernel), prod(outShape)]. */
export function im2colSize(channels: number, g: ConvGeometry): { rows: number; cols: number } {
  return { rows: channels * prod(g.kernel), cols: prod(g.outShape) };
}

/**
 * Unfolds `channels` channels of one image, laid out [channels, ...g.inShape] from x[xOff], into
 * col[colOff + row * cols + o], row = c * prod(kernel) + (row-major kernel tap index), o = the
 * row-major output position. Taps that fall into the padding read `padValue` (0 for float Conv,
 * the input zero point for quantized Conv).
 */
export function im2col(
  x: NumericArray, xOff: number, channels: number, g: ConvGeometry,
  col: NumericArray, colOff = 0, padValue = 0,
): void {
  moveColumns(x, xOff, channels, g, col, colOff, padValue, false);
}

/**
 * The adjoint of im2col: adds col[colOff + row * cols + o] onto the image y (layout
 * [channels, ...g.inShape] from yOff) at the position tap `row` of output position o reads.
 * Used by ConvTranspose, where the "image" is the (large) output and `outShape` the input dims.
 */
export function col2imAdd(
  col: NumericArray, colOff: number, channels: number, g: ConvGeometry,
  y: NumericArray, yOff: number,
): void {
  moveColumns(y, yOff, channels, g, col, colOff, 0, true);
}

/**
 * The one walk behind both directions, so that they pair taps with pixels identically:
 * image -> col (padding taps get padValue), or with `toImage` col added back onto the image
 * (padding taps are dropped). The direction is tested once per row of oW positions.
 */
function moveColumns(
  img: NumericArray, imgOff: number, channels: number, g: ConvGeometry,
  col: NumericArray, colOff: number, padValue: number, toImage: boolean,
): void {
  const q = to3d(g);
  const inPlane = q.D * q.H * q.W;
  const outCols = q.oD * q.oH * q.oW;
  let row = colOff;
  for (let c = 0; c < channels; c++) {
    const ic = imgOff + c * inPlane;
    for (let kd = 0; kd < q.kD; kd++) {
      const offD = kd * q.dD - q.pD;
      for (let kh = 0; kh < q.kH; kh++) {
        const offH = kh * q.dH - q.pH;
        for (let kw = 0; kw < q.kW; kw++, row += outCols) {
          const offW = kw * q.dW - q.pW;
          const [wLo, wHi] = validRange(q.oW, q.sW, offW, q.W);
          let o = row;
          for (let od = 0; od < q.oD; od++) {
            const id = od * q.sD + offD;
            const dIn = id >= 0 && id < q.D;
            for (let oh = 0; oh < q.oH; oh++, o += q.oW) {
              const ih = oh * q.sH + offH;
              if (!dIn || ih < 0 || ih >= q.H) {
                if (!toImage) col.fill(padValue, o, o + q.oW);
                continue;
              }
              const px = ic + (id * q.H + ih) * q.W + offW;
              if (toImage) {
                for (let ow = wLo, s = px + wLo * q.sW; ow < wHi; ow++, s += q.sW) img[s] += col[o + ow]!;
                continue;
              }
              if (wLo > 0) col.fill(padValue, o, o + wLo);
              if (q.sW === 1) {
                col.set(img.subarray(px + wLo, px + wHi), o + wLo);
              } else {
                for (let ow = wLo, s = px + wLo * q.sW; ow < wHi; ow++, s += q.sW) col[o + ow] = img[s]!;
              }
              if (wHi < q.oW) col.fill(padValue, o + wHi, o + q.oW);
            }
          }
        }
      }
    }
  }
}
