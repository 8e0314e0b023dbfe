// Gradients of pooling: AveragePool spreads dy evenly over the taps its window averaged (with
// the forward op's divisor), MaxPool routes dy to the first maximum of each window (the tap the
// forward kernel picks on ties), and the global pools do the same over whole planes.
import { windowGeometry, windowParams, type WindowAttrs } from "../../../../ir/ops/nn/spatial.js";
import { makeTensor, numel, type Tensor } from "../../../../ir/types.js";
import { to3d, validRange, type Geometry3 } from "../../../../ir/kernels/conv-geometry.js";
import { fdata } from "../grad-util.js";
import type { FloatArray, VjpRule } from "../types.js";

/** Per output position of one axis: taps [lo, hi) inside the input, and the taps inside input + pads. */
interface AxisTaps { readonly lo: Int32Array; readonly hi: Int32Array; readonly padded: Int32Array }

function axisTaps(out: number, k: number, s: number, d: number, p: number, size: number, padEnd: number): AxisTaps {
  const lo = new Int32Array(out), hi = new Int32Array(out), padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    [lo[o], hi[o]] = validRange(k, d, o * s - p, size);
    const [pa, pb] = validRange(k, d, o * s, size + p + padEnd);
    padded[o] = pb - pa;
  }
  return { lo, hi, padded };
}

interface Windows { readonly q: Geometry3; readonly td: AxisTaps; readonly th: AxisTaps; readonly tw: AxisTaps }

function windowsOf(x: Tensor, attrs: Readonly<Record<string, any>>): Windows {
  const g = windowGeometry(x.shape.slice(2), windowParams(attrs.kernel_shape as number[], attrs as WindowAttrs), attrs.ceil_mode !== 0);
  const r = g.inShape.length;
  const end = (i: number) => (i - (3 - r) >= 0 ? g.padEnd[i - (3 - r)]! : 0);
  const q = to3d(g);
  return {
    q,
    td: axisTaps(q.oD, q.kD, q.sD, q.dD, q.pD, q.D, end(0)),
    th: axisTaps(q.oH, q.kH, q.sH, q.dH, q.pH, q.H, end(1)),
    tw: axisTaps(q.oW, q.kW, q.sW, q.dW, q.pW, q.W, end(2)),
  };
}

export const averagePoolVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const x = inputs[0]!;
  const { q, td, th, tw } = windowsOf(x, attrs);
  const dx = makeTensor(x.dtype, x.shape);
  const D = fdata(dx), G = fdata(dy[0]);
  const include = attrs.count_include_pad !== 0;
  const inPlane = q.D * q.H * q.W, planes = x.shape[0]! * x.shape[1]!;
  let yo = 0;
  for (let nc = 0; nc < planes; nc++) {
    const xc = nc * inPlane;
    for (let od = 0; od < q.oD; od++) {
      const d0 = od * q.sD - q.pD;
      for (let oh = 0; oh < q.oH; oh++) {
        const h0 = oh * q.sH - q.pH;
        for (let ow = 0; ow < q.oW; ow++, yo++) {
          const w0 = ow * q.sW - q.pW;
          const count = include
            ? td.padded[od]! * th.padded[oh]! * tw.padded[ow]!
            : (td.hi[od]! - td.lo[od]!) * (th.hi[oh]! - th.lo[oh]!) * (tw.hi[ow]! - tw.lo[ow]!);
          const v = G[yo]! / count;
          for (let kd = td.lo[od]!; kd < td.hi[od]!; kd++) {
            for (let kh = th.lo[oh]!; kh < th.hi[oh]!; kh++) {
              const row = xc + ((d0 + kd * q.dD) * q.H + h0 + kh * q.dH) * q.W + w0;
              for (let kw = tw.lo[ow]!; kw < tw.hi[ow]!; kw++) D[row + kw * q.dW] += v;
            }
          }
        }
      }
    }
  }
  return [dx];
};

export const maxPoolVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const x = inputs[0]!;
  const { q, td, th, tw } = windowsOf(x, attrs);
  const dx = makeTensor(x.dtype, x.shape);
  const D = fdata(dx), G = fdata(dy[0]), X = fdata(x);
  const inPlane = q.D * q.H * q.W, planes = x.shape[0]! * x.shape[1]!;
  let yo = 0;
  for (let nc = 0; nc < planes; nc++) {
    const xc = nc * inPlane;
    for (let od = 0; od < q.oD; od++) {
      const d0 = od * q.sD - q.pD;
      for (let oh = 0; oh < q.oH; oh++) {
        const h0 = oh * q.sH - q.pH;
        for (let ow = 0; ow < q.oW; ow++, yo++) {
          const w0 = ow * q.sW - q.pW;
          let m = -Infinity, arg = -1;
          for (let kd = td.lo[od]!; kd < td.hi[od]!; kd++) {
            for (let kh = th.lo[oh]!; kh < th.hi[oh]!; kh++) {
              const row = xc + ((d0 + kd * q.dD) * q.H + h0 + kh * q.dH) * q.W + w0;
              for (let kw = tw.lo[ow]!; kw < tw.hi[ow]!; kw++) {
                const v = X[row + kw * q.dW]!;
                if (v > m || arg < 0) {
                  m = v;
                  arg = row + kw * q.dW;
                }
              }
            }
          }
          if (arg >= 0) D[arg] += G[yo]!;
        }
      }
    }
  }
  return [dx];
};

function globalRule(max: boolean): VjpRule {
  return ({ inputs, dy }) => {
    if (!dy[0]) return [];
    const x = inputs[0]!;
    const planes = x.shape[0]! * x.shape[1]!, plane = numel(x.shape.slice(2));
    const dx = makeTensor(x.dtype, x.shape);
    const D = fdata(dx), G = fdata(dy[0]), X: FloatArray = fdata(x);
    for (let p = 0; p < planes; p++) {
      const o = p * plane;
      if (!max) {
        D.fill(G[p]! / plane, o, o + plane);
        continue;
      }
      let arg = o;
      for (let i = o + 1; i < o + plane; i++) if (X[i]! > X[arg]!) arg = i;
      D[arg] = G[p]!;
    }
    return [dx];
  };
}

export const globalAveragePoolVjp = globalRule(false);
export const globalMaxPoolVjp = globalRule(true);
