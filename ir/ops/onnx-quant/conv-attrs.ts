// Attributes, output shape and concrete geometry of the integer convolutions (ConvInteger,
// QLinearConv), which take the same window attributes as Conv.
//
// Output dims may be symbolic (a time axis T): explicit pads give floor((D + pads - ek) / s) + 1
// with ek = dilation*(k-1)+1, SAME_UPPER/SAME_LOWER give ceil(D / s), VALID gives
// floor((D - ek) / s) + 1. The concrete geometry resolves auto_pad into begin/end pads, with
// the odd pad at the end for SAME_UPPER and at the beginning for SAME_LOWER.
import { addDim, ceilDivDim, dimEquals, dimToString, floorDivDim, type Dim } from "../../dim.js";
import { int, ints, str } from "../../op.js";
import type { TensorType } from "../../types.js";
import { dimProduct } from "./dim-product.js";
import type { ConvGeometry } from "../../kernels/conv-geometry.js";

export const convAttrs = {
  auto_pad: str("NOTSET"),
  dilations: ints(),
  group: int(1),
  kernel_shape: ints(),
  pads: ints(),
  strides: ints(),
};

export interface ConvAttrValues {
  readonly auto_pad: string;
  readonly dilations: readonly number[] | undefined;
  readonly group: number;
  readonly kernel_shape: readonly number[] | undefined;
  readonly pads: readonly number[] | undefined;
  readonly strides: readonly number[] | undefined;
}

interface Window {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly pads: number[];
}

function windowOf(op: string, x: readonly Dim[], w: readonly Dim[], a: ConvAttrValues): Window {
  const r = x.length - 2;
  if (r < 1) throw new Error(`${op} input x must have rank >= 3, got [${x.map(dimToString).join(",")}]`);
  if (w.length !== x.length) throw new Error(`${op} weight w has rank ${w.length}, x has rank ${x.length}`);
  const kernel = w.slice(2).map((d) => {
    if (typeof d !== "number") throw new Error(`${op} kernel dims must be constants, got ${dimToString(d)}`);
    return d;
  });
  if (a.kernel_shape && (a.kernel_shape.length !== r || a.kernel_shape.some((k, i) => k !== kernel[i]))) {
    throw new Error(`${op} kernel_shape [${a.kernel_shape.join(",")}] does not match the weight's spatial dims [${kernel.join(",")}]`);
  }
  const strides = a.strides ? [...a.strides] : new Array<number>(r).fill(1);
  const dilations = a.dilations ? [...a.dilations] : new Array<number>(r).fill(1);
  const pads = a.pads ? [...a.pads] : new Array<number>(2 * r).fill(0);
  if (strides.length !== r || dilations.length !== r || pads.length !== 2 * r) {
    throw new Error(`${op} needs ${r} strides and dilations and ${2 * r} pads for ${r} spatial dims`);
  }
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1) || pads.some((p) => p < 0)) {
    throw new Error(`${op} strides and dilations must be >= 1 and pads >= 0`);
  }
  const ap = a.auto_pad;
  if (ap !== "NOTSET" && ap !== "SAME_UPPER" && ap !== "SAME_LOWER" && ap !== "VALID") {
    throw new Error(`${op} auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, not "${ap}"`);
  }
  return { kernel, strides, dilations, pads };
}

/** Output shape [N, M, ...spatial] (checks channels and groups too). */
export function convOutShape(op: string, x: TensorType, w: TensorType, a: ConvAttrValues): Dim[] {
  const win = windowOf(op, x.shape, w.shape, a);
  const r = win.kernel.length;
  const C = x.shape[1]!;
  const M = w.shape[0]!;
  const g = a.group;
  if (!(g >= 1)) throw new Error(`${op} group must be >= 1, got ${g}`);
  if (typeof w.shape[1] === "number" && !dimEquals(C, w.shape[1] * g)) {
    throw new Error(`${op}: x has ${dimToString(C)} channels, w expects ${w.shape[1]} per group x ${g} groups`);
  }
  if (typeof M === "number" && M % g !== 0) throw new Error(`${op}: ${M} output channels do not split into ${g} groups`);
  const out: Dim[] = [x.shape[0]!, M];
  for (let i = 0; i < r; i++) {
    const D = x.shape[2 + i]!;
    const s = win.strides[i]!;
    const ek = win.dilations[i]! * (win.kernel[i]! - 1) + 1;
    let o: Dim;
    if (a.auto_pad === "SAME_UPPER" || a.auto_pad === "SAME_LOWER") o = ceilDivDim(D, s);
    else if (a.auto_pad === "VALID") o = addDim(floorDivDim(addDim(D, -ek), s), 1);
    else o = addDim(floorDivDim(addDim(D, win.pads[i]! + win.pads[i + r]! - ek), s), 1);
    if (typeof o === "number" && o < 1) throw new Error(`${op}: spatial dim ${i} of the output would be ${o} (input too small for the kernel)`);
    out.push(o);
  }
  return out;
}

/** Concrete geometry of one run. */
export function convGeometry(op: string, xShape: readonly number[], wShape: readonly number[], a: ConvAttrValues): ConvGeometry {
  const win = windowOf(op, xShape, wShape, a);
  const r = win.kernel.length;
  const inShape = xShape.slice(2);
  const padBegin: number[] = [];
  const padEnd: number[] = [];
  const outShape: number[] = [];
  for (let i = 0; i < r; i++) {
    const D = inShape[i]!;
    const s = win.strides[i]!;
    const ek = win.dilations[i]! * (win.kernel[i]! - 1) + 1;
    if (a.auto_pad === "SAME_UPPER" || a.auto_pad === "SAME_LOWER") {
      const o = Math.ceil(D / s);
      const total = Math.max(0, (o - 1) * s + ek - D);
      const small = Math.floor(total / 2);
      padBegin.push(a.auto_pad === "SAME_UPPER" ? small : total - small);
      padEnd.push(a.auto_pad === "SAME_UPPER" ? total - small : small);
      outShape.push(o);
    } else {
      const pb = a.auto_pad === "VALID" ? 0 : win.pads[i]!;
      const pe = a.auto_pad === "VALID" ? 0 : win.pads[i + r]!;
      padBegin.push(pb);
      padEnd.push(pe);
      outShape.push(Math.floor((D + pb + pe - ek) / s) + 1);
    }
  }
  if (outShape.some((o) => o < 1)) throw new Error(`${op}: input [${xShape.join(",")}] is too small for kernel [${win.kernel.join(",")}]`);
  return { inShape, kernel: win.kernel, strides: win.strides, dilations: win.dilations, padBegin, padEnd, outShape };
}

/** MACs of a convolution: every output element takes (C/group) * prod(kernel) products. */
export function convMacs(y: TensorType, w: TensorType): Dim {
  return dimProduct([...y.shape, ...w.shape.slice(1)]);
}
