// Gradients of the data-movement ops. Reshapes pass dy through under the input's shape;
// Transpose applies the inverse permutation; Concat and Split swap roles; Pad and Slice, which
// gather through one index map per axis, scatter-add dy back through the same maps (so every
// pad mode, crops and negative steps are covered by one walk).
import { normAxis } from "../../../../ir/shape-util.js";
import { makeTensor, numel, stridesOf, type Tensor } from "../../../../ir/types.js";
import { concat, split } from "../../../../ir/kernels/copy-concat.js";
import type { AxisMap } from "../../../../ir/kernels/copy-remap.js";
import { isPadMode, padAxisMap } from "../../../../ir/kernels/pad.js";
import { resolveSlice } from "../../../../ir/kernels/slice.js";
import { transpose } from "../../../../ir/kernels/transpose.js";
import { fdata, reshaped, sumToShape, zerosLike } from "../grad-util.js";
import type { VjpRule } from "../types.js";

/** For ops whose output holds the input's elements in the same order (Reshape, Flatten, ...). */
export const passThroughVjp: VjpRule = ({ inputs, dy }) => (dy[0] ? [reshaped(dy[0], inputs[0]!.shape)] : []);

export const dropoutVjp: VjpRule = (args) => {
  const training = args.inputs[2] ? Number(args.inputs[2].data[0]) !== 0 : args.attrs.training_mode !== 0;
  if (training) throw new Error("Dropout: gradients in training mode are not supported");
  return passThroughVjp(args);
};

export const expandVjp: VjpRule = ({ inputs, dy }) => (dy[0] ? [sumToShape(dy[0], inputs[0]!.shape)] : []);

export const transposeVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const rank = inputs[0]!.shape.length;
  const perm: number[] = (attrs.perm as number[] | undefined)?.map((p) => (p < 0 ? p + rank : p)) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inv = new Array<number>(rank);
  perm.forEach((p, i) => { inv[p] = i; });
  return [transpose(dy[0], inv)];
};

export const concatVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const axis = normAxis(attrs.axis as number, dy[0].shape.length);
  return split(dy[0], axis, inputs.map((t) => t!.shape[axis]!));
};

export const splitVjp: VjpRule = ({ inputs, outputs, attrs, dy }) => {
  if (!dy.some(Boolean)) return [];
  const axis = normAxis(attrs.axis as number, inputs[0]!.shape.length);
  return [concat(outputs.map((y, k) => dy[k] ?? zerosLike(y)), axis)];
};

/** dx[maps(o)] += dy[o] for every output position o whose maps all point into the input. */
function scatterAdd(dy: Tensor, maps: readonly AxisMap[], inShape: readonly number[]): Tensor {
  const dx = makeTensor(dy.dtype, inShape);
  const G = fdata(dy), D = fdata(dx);
  const out = dy.shape, r = out.length;
  if (r === 0) {
    D[0] = G[0]!;
    return dx;
  }
  if (numel(out) === 0) return dx;
  const str = stridesOf(inShape);
  // Input offset contributed by each output index along each axis (-1: no source element).
  const offs = out.map((n, k) => {
    const a = new Int32Array(n), m = maps[k];
    for (let o = 0; o < n; o++) a[o] = m ? (m[o]! < 0 ? -1 : m[o]! * str[k]!) : o * str[k]!;
    return a;
  });
  const last = offs[r - 1]!, nLast = out[r - 1]!;
  const idx = new Int32Array(Math.max(0, r - 1));
  const rows = numel(out.slice(0, -1));
  for (let row = 0, o = 0; row < rows; row++, o += nLast) {
    let base = 0, valid = true;
    for (let k = 0; k < r - 1; k++) {
      const v = offs[k]![idx[k]!]!;
      if (v < 0) valid = false;
      base += v;
    }
    if (valid) for (let j = 0; j < nLast; j++) if (last[j]! >= 0) D[base + last[j]!] += G[o + j]!;
    for (let k = r - 2; k >= 0; k--) {
      if (++idx[k]! < out[k]!) break;
      idx[k] = 0;
    }
  }
  return dx;
}

export const padVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const x = inputs[0]!;
  const mode = attrs.mode as string, pads = attrs.pads as number[], r = x.shape.length;
  if (!isPadMode(mode)) throw new Error(`pad mode "${mode}" is not supported`);
  return [scatterAdd(dy[0], x.shape.map((d, k) => padAxisMap(d, pads[k]!, pads[k + r]!, mode)), x.shape)];
};

export const sliceVjp: VjpRule = ({ inputs, attrs, dy }) => {
  if (!dy[0]) return [];
  const x = inputs[0]!;
  const slices = resolveSlice(x.shape, attrs.starts as number[], attrs.ends as number[], attrs.axes as number[] | undefined, attrs.steps as number[] | undefined);
  const maps: AxisMap[] = slices.map((s) => {
    if (!s) return null;
    const m = new Int32Array(s.length);
    for (let o = 0; o < s.length; o++) m[o] = s.start + o * s.step;
    return m;
  });
  return [scatterAdd(dy[0], maps, x.shape)];
};
