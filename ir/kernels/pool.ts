// AveragePool and MaxPool over 1 to 3 spatial dims (padded to 3-D), with dilations and pads.
//
// For each spatial dim and output position the taps that read real input are a contiguous
// range [lo, hi) of kernel indices (dilation only spaces them out), precomputed once per dim,
// so the window loops never test bounds. For count_include_pad the divisor counts the taps
// inside input + explicit pads; taps beyond that (ceil_mode overhang) never count.
import type { NumericArray } from "../dtype.js";
import { to3d, validRange, type ConvGeometry } from "./conv-geometry.js";

interface DimTaps {
  /** Input index of each output position's window origin (tap 0; may lie in the padding). */
  readonly start: Int32Array;
  /** First and one-past-last kernel tap inside the input, per output position. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Taps inside input + pads, per output position. */
  readonly padded: Int32Array;
}

function dimTaps(out: number, k: number, s: number, d: number, p: number, size: number, padEnd: number): DimTaps {
  const start = new Int32Array(out), lo = new Int32Array(out), hi = new Int32Array(out), padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    start[o] = o * s - p;
    const [a, b] = validRange(k, d, start[o]!, size);
    lo[o] = a;
    hi[o] = b;
    const [pa, pb] = validRange(k, d, o * s, size + p + padEnd);
    padded[o] = pb - pa;
  }
  return { start, lo, hi, padded };
}

function taps3(g: ConvGeometry) {
  const q = to3d(g);
  const r = g.inShape.length;
  const end = (i: number) => (i - (3 - r) >= 0 ? g.padEnd[i - (3 - r)]! : 0);
  return {
    q,
    td: dimTaps(q.oD, q.kD, q.sD, q.dD, q.pD, q.D, end(0)),
    th: dimTaps(q.oH, q.kH, q.sH, q.dH, q.pH, q.H, end(1)),
    tw: dimTaps(q.oW, q.kW, q.sW, q.dW, q.pW, q.W, end(2)),
  };
}

// averagePool and maxPool walk the windows alike but keep separate loop nests: their per-tap
// bodies differ (a sum vs. a first-maximum with its storage-order index), and a shared walker
// would need a call or a branch per window.

/** y [N, C, ...outShape] = average of each window of x [N, C, ...inShape]. */
export function averagePool(x: NumericArray, y: NumericArray, N: number, C: number, g: ConvGeometry, countIncludePad: boolean): void {
  const { q, td, th, tw } = taps3(g);
  const inPlane = q.D * q.H * q.W;
  let yo = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const xc = nc * inPlane;
    for (let od = 0; od < q.oD; od++) {
      const d0 = td.start[od]!;
      for (let oh = 0; oh < q.oH; oh++) {
        const h0 = th.start[oh]!;
        for (let ow = 0; ow < q.oW; ow++, yo++) {
          const w0 = tw.start[ow]!;
          let s = 0;
          for (let kd = td.lo[od]!; kd < td.hi[od]!; kd++) {
            const rowD = xc + (d0 + kd * q.dD) * q.H * q.W;
            for (let kh = th.lo[oh]!; kh < th.hi[oh]!; kh++) {
              const row = rowD + (h0 + kh * q.dH) * q.W + w0;
              for (let kw = tw.lo[ow]!; kw < tw.hi[ow]!; kw++) s += x[row + kw * q.dW]!;
            }
          }
          const count = countIncludePad
            ? td.padded[od]! * th.padded[oh]! * tw.padded[ow]!
            : (td.hi[od]! - td.lo[od]!) * (th.hi[oh]! - th.lo[oh]!) * (tw.hi[ow]! - tw.lo[ow]!);
          y[yo] = s / count;
        }
      }
    }
  }
}

/**
 * y = max of each window; `indices` (optional) receives the flat input index of the first
 * maximum, counting n and c in row-major order and the spatial position in row-major order
 * (storageOrder 0) or column-major order (storageOrder 1, first spatial dim fastest).
 */
export function maxPool(
  x: NumericArray, y: NumericArray, N: number, C: number, g: ConvGeometry,
  indices: BigInt64Array | undefined, storageOrder: number,
): void {
  const { q, td, th, tw } = taps3(g);
  const inPlane = q.D * q.H * q.W;
  // Strides of (d, h, w) in the index numbering; unit dims added in front do not matter.
  const r = g.inShape.length;
  let sd = q.H * q.W, sh = q.W, sw = 1;
  if (storageOrder === 1) {
    // Column-major over the real spatial dims: the first one is fastest.
    const dimsReal = g.inShape;
    const colStr = [1, dimsReal[0]!, dimsReal[0]! * (dimsReal[1] ?? 1)];
    const s3 = [0, 0, 0];
    for (let i = 0; i < r; i++) s3[3 - r + i] = colStr[i]!;
    [sd, sh, sw] = s3 as [number, number, number];
  }
  let yo = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const xc = nc * inPlane;
    for (let od = 0; od < q.oD; od++) {
      const d0 = td.start[od]!;
      for (let oh = 0; oh < q.oH; oh++) {
        const h0 = th.start[oh]!;
        for (let ow = 0; ow < q.oW; ow++, yo++) {
          const w0 = tw.start[ow]!;
          let m = -Infinity, arg = -1;
          for (let kd = td.lo[od]!; kd < td.hi[od]!; kd++) {
            const id = d0 + kd * q.dD;
            for (let kh = th.lo[oh]!; kh < th.hi[oh]!; kh++) {
              const ih = h0 + kh * q.dH;
              const row = xc + (id * q.H + ih) * q.W;
              for (let kw = tw.lo[ow]!; kw < tw.hi[ow]!; kw++) {
                const iw = w0 + kw * q.dW;
                const v = x[row + iw]!;
                if (v > m || arg < 0) {
                  m = v;
                  arg = id * sd + ih * sh + iw * sw;
                }
              }
            }
          }
          y[yo] = m;
          if (indices) indices[yo] = BigInt(nc * inPlane + (arg < 0 ? 0 : arg));
        }
      }
    }
  }
}
