// Expand and Tile kernels: both repeat input elements, through index maps that read the same
// source index (broadcast) or cycle through the axis (tile).
import type { Tensor } from "../types.js";
import { remapAxes, type AxisMap } from "./copy-remap.js";

/** Broadcasts x to outShape (numpy rules; outShape already holds the broadcast result). */
export function expand(x: Tensor, outShape: readonly number[]): Tensor {
  const r = outShape.length;
  const lead = r - x.shape.length;
  const inShape = [...new Array<number>(lead).fill(1), ...x.shape];
  const maps: AxisMap[] = inShape.map((d, k) => {
    const n = outShape[k]!;
    if (d === n) return null;
    if (d !== 1) throw new Error(`cannot expand a dim of ${d} to ${n}`);
    return new Int32Array(n); // all zeros: every output reads the single input element
  });
  return remapAxes({ dtype: x.dtype, shape: inShape, data: x.data }, outShape, maps);
}

export function tile(x: Tensor, repeats: readonly number[]): Tensor {
  const outShape = x.shape.map((d, k) => d * repeats[k]!);
  const maps: AxisMap[] = x.shape.map((d, k) => {
    if (repeats[k] === 1) return null;
    const m = new Int32Array(outShape[k]!);
    for (let o = 0; o < m.length; o++) m[o] = o % d;
    return m;
  });
  return remapAxes(x, outShape, maps);
}
