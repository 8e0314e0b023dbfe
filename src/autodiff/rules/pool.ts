// Gradients of pooling: AveragePool spreads dy evenly over the taps its window averaged (with
// the forward op's divisor), MaxPool routes dy to the first maximum of each window (the tap the
// forward kernel picks on ties), and the global pools do the same over whole planes.
import { windowGeometry, windowParams } from "../../../ir/ops/nn/spatial.js";
import { makeTensor, numel, type Tensor } from "../../../ir/types.js";
import { to3d, validRange, type ConvGeometry, type Geometry3 } from "../../runtime/kernels/conv-geometry.js";
import { fdata } from "../grad-util.js";
import type { FloatArray, VjpRule } from "../types.js";

interface Axis { lo: number; hi: number; start: number; padded: number }

/** Taps [lo, hi) of output position o inside the input, the first input index, and the taps inside input + pads. */
function axisTaps(o: number, k: number, s: number, d: number, p: number, size: number, padEnd: number): Axis {
  const [lo, hi] = validRange(k, d, o * s - p, size);
  const [pa, pb] = validRange(k, d, o * s, size + p + padEnd);
  return { lo, hi, start: o * s - p, padded: pb - pa };
}

function geometryOf(x: Tensor, attrs: Readonly<Record<string, any>>): { g: ConvGeometry; q: Geometry3; ends: number[] } {
  const g = windowGeometry(x.shape.slice(2), windowParams(attrs.kernel_shape as number[], attrs as never), attrs.ceil_mode !== 0);
  const r = g.inShape.length;
  const ends = [0, 1, 2].map((i) => (i - (3 - r) >= 0 ? g.padEnd[i - (3 - r)]! : 0));
  return { g, q: to3d(g), ends };
}

/** Visits every window: cb(output index, input plane offset, taps along d, h, w). */
function eachWindow(N: number, C: number, q: Geometry3, ends: number[], cb: (yo: number, xc: number, td: Axis, th: Axis, tw: Axis) => void): void {
  const inPlane = q.D * q.H * q.W;
  let yo = 0;
  for (let nc = 0; nc < N * C; nc++) {
    for (let od = 0; od < q.oD; od++) {
      const td = axisTaps(od, q.kD, q.sD, q.dD, q.pD, q.D, ends[0]!);
      for (let oh = 0; oh < q.oH; oh++) {
        const th = axisTaps(oh, q.kH, q.sH, q.dH, q.pH, q.H, ends[1]!);
        for (let ow = 0; ow < q.oW; ow++, yo++) cb(yo, nc * inPlane, td, th, axisTaps(ow, q.kW, q.sW, q.dW, q.pW, q.W, ends[2]!));
      }
    }
  }
}

export const averagePoolVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const x = inputs[0]!;
  const { q, ends } = geometryOf(x, attrs);
  const dx = makeTensor(x.dtype, x.shape);
  const D = fdata(dx), G = fdata(dy[0]);
  const include = attrs.count_include_pad !== 0;
  eachWindow(x.shape[0]!, x.shape[1]!, q, ends, (yo, xc, td, th, tw) => {
    const count = include ? td.padded * th.padded * tw.padded : (td.hi - td.lo) * (th.hi - th.lo) * (tw.hi - tw.lo);
    const v = G[yo]! / count;
    for (let kd = td.lo; kd < td.hi; kd++) {
      for (let kh = th.lo; kh < th.hi; kh++) {
        const row = xc + ((td.start + kd * q.dD) * q.H + th.start + kh * q.dH) * q.W + tw.start;
        for (let kw = tw.lo; kw < tw.hi; kw++) D[row + kw * q.dW] += v;
      }
    }
  });
  return [dx];
};

export const maxPoolVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const x = inputs[0]!;
  const { q, ends } = geometryOf(x, attrs);
  const dx = makeTensor(x.dtype, x.shape);
  const D = fdata(dx), G = fdata(dy[0]), X = fdata(x);
  eachWindow(x.shape[0]!, x.shape[1]!, q, ends, (yo, xc, td, th, tw) => {
    let m = -Infinity, arg = -1;
    for (let kd = td.lo; kd < td.hi; kd++) {
      for (let kh = th.lo; kh < th.hi; kh++) {
        const row = xc + ((td.start + kd * q.dD) * q.H + th.start + kh * q.dH) * q.W + tw.start;
        for (let kw = tw.lo; kw < tw.hi; kw++) {
          const v = X[row + kw * q.dW]!;
          if (v > m || arg < 0) {
            m = v;
            arg = row + kw * q.dW;
          }
        }
      }
    }
    if (arg >= 0) D[arg] += G[yo]!;
  });
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
        const v = G[p]! / plane;
        D.fill(v, o, o + plane);
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
