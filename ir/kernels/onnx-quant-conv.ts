// Exact integer convolution with zero points: the core of ConvInteger and QLinearConv.
//
// acc[n, m, o] = bias[m] + sum_{c, k} (x[n, c, o*s + k*d - p] - x_zp) * (w[m, c, k] - w_zp[m])
// Padding contributes nothing (it stands for the zero point, so its centred value is 0). Direct
// loops over a 3-D geometry (1-D and 2-D get unit dims) keep it simple and exact: products are
// summed in doubles (exact far beyond any real kernel size) and stored into an Int32Array, which
// wraps modulo 2^32 like an int32 accumulator.
import { tensorToF64 } from "../float-formats.js";
import { makeTensor, type Tensor } from "../types.js";
import { to3d, validRange, type ConvGeometry } from "./conv-geometry.js";

export interface IntegerConvParams {
  readonly geom: ConvGeometry;
  readonly group: number;
  /** x zero point (per tensor). */
  readonly xZp: number;
  /** w zero points: 1 value or one per output channel. */
  readonly wZp: Float64Array;
  /** Optional int32 bias, one per output channel. */
  readonly bias?: Float64Array;
}

export function integerConv(x: Tensor, w: Tensor, p: IntegerConvParams): Tensor {
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  const M = w.shape[0]!;
  const Cg = w.shape[1]!;
  const Mg = M / p.group;
  const g = to3d(p.geom);
  const inSize = g.D * g.H * g.W;
  const kSize = g.kD * g.kH * g.kW;
  const outSize = g.oD * g.oH * g.oW;

  const xv = tensorToF64(x);
  const xc = new Float64Array(xv.length);
  for (let i = 0; i < xv.length; i++) xc[i] = xv[i]! - p.xZp;
  const wv = tensorToF64(w);
  const wc = new Float64Array(wv.length);
  const perW = Cg * kSize;
  for (let i = 0; i < wv.length; i++) wc[i] = wv[i]! - p.wZp[p.wZp.length === 1 ? 0 : Math.floor(i / perW)]!;

  const out = makeTensor("i32", [N, M, ...p.geom.outShape]);
  const od = out.data as Int32Array;
  const acc = new Float64Array(outSize);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      acc.fill(p.bias ? p.bias[m]! : 0);
      const c0 = Math.floor(m / Mg) * Cg;
      for (let c = 0; c < Cg; c++) {
        const xBase = (n * C + c0 + c) * inSize;
        const wBase = (m * Cg + c) * kSize;
        // One kernel tap at a time over every output position it reaches inside the input.
        for (let kd = 0; kd < g.kD; kd++) {
          const offD = kd * g.dD - g.pD;
          const [d0, d1] = validRange(g.oD, g.sD, offD, g.D);
          for (let kh = 0; kh < g.kH; kh++) {
            const offH = kh * g.dH - g.pH;
            const [h0, h1] = validRange(g.oH, g.sH, offH, g.H);
            for (let kw = 0; kw < g.kW; kw++) {
              const wt = wc[wBase + (kd * g.kH + kh) * g.kW + kw]!;
              if (wt === 0) continue;
              const offW = kw * g.dW - g.pW;
              const [w0, w1] = validRange(g.oW, g.sW, offW, g.W);
              for (let a = d0; a < d1; a++) {
                const id = a * g.sD + offD;
                for (let b = h0; b < h1; b++) {
                  const rowIn = xBase + (id * g.H + b * g.sH + offH) * g.W + offW;
                  const rowOut = (a * g.oH + b) * g.oW;
                  for (let o = w0; o < w1; o++) acc[rowOut + o] += wt * xc[rowIn + o * g.sW]!;
                }
              }
            }
          }
        }
      }
      od.set(acc, (n * M + m) * outSize);
    }
  }
  return out;
}
