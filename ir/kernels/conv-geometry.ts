// The concrete geometry of a sliding-window op (Conv, ConvTranspose, pooling) on one run.
//
// The op definitions resolve attributes (defaults, auto_pad, ceil_mode) into this plain record;
// the kernels only ever see numbers. Kernels work on up to three spatial dims: `to3d` pads a
// 1-D or 2-D geometry with unit dims in front so that one loop nest serves all ranks.

export interface ConvGeometry {
  /** Spatial input dims (for ConvTranspose: the input of the transposed op, i.e. the small side). */
  readonly inShape: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  /** Spatial output dims. */
  readonly outShape: readonly number[];
}

/** The same geometry with exactly three spatial dims (leading unit dims added). */
export interface Geometry3 {
  readonly D: number; readonly H: number; readonly W: number;
  readonly kD: number; readonly kH: number; readonly kW: number;
  readonly sD: number; readonly sH: number; readonly sW: number;
  readonly dD: number; readonly dH: number; readonly dW: number;
  readonly pD: number; readonly pH: number; readonly pW: number;
  readonly oD: number; readonly oH: number; readonly oW: number;
}

export function to3d(g: ConvGeometry): Geometry3 {
  const r = g.inShape.length;
  if (r < 1 || r > 3) throw new Error(`only 1 to 3 spatial dims are supported, got ${r}`);
  const at = (a: readonly number[], i: number, def: number) => (i - (3 - r) >= 0 ? a[i - (3 - r)]! : def);
  return {
    D: at(g.inShape, 0, 1), H: at(g.inShape, 1, 1), W: at(g.inShape, 2, 1),
    kD: at(g.kernel, 0, 1), kH: at(g.kernel, 1, 1), kW: at(g.kernel, 2, 1),
    sD: at(g.strides, 0, 1), sH: at(g.strides, 1, 1), sW: at(g.strides, 2, 1),
    dD: at(g.dilations, 0, 1), dH: at(g.dilations, 1, 1), dW: at(g.dilations, 2, 1),
    pD: at(g.padBegin, 0, 0), pH: at(g.padBegin, 1, 0), pW: at(g.padBegin, 2, 0),
    oD: at(g.outShape, 0, 1), oH: at(g.outShape, 1, 1), oW: at(g.outShape, 2, 1),
  };
}

export function prod(a: readonly number[]): number {
  let n = 1;
  for (const v of a) n *= v;
  return n;
}

/**
 * The range [lo, hi) of output positions o for which o*stride + offset lies in [0, size):
 * the positions of one kernel tap that read real input rather than padding.
 */
export function validRange(outLen: number, stride: number, offset: number, size: number): [number, number] {
  const lo = offset >= 0 ? 0 : Math.ceil(-offset / stride);
  const hi = size - 1 - offset < 0 ? 0 : Math.floor((size - 1 - offset) / stride) + 1;
  const a = Math.min(lo, outLen);
  return [a, Math.max(a, Math.min(hi, outLen))];
}
