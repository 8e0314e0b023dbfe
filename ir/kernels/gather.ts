// Gather kernel: takes whole slices of `data` along one axis at the given (possibly negative)
// indices. The data is viewed as [outer, d, inner] and gathered with one index map on the middle.
import { makeTensor, type Tensor } from "../types.js";
import { remapAxes } from "./copy-remap.js";

/** Indices of any integer dtype as an Int32Array, negative ones wrapped; throws when out of range. */
export function normalizeIndices(indices: Tensor, d: number): Int32Array {
  const src = indices.data;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const raw = Number(src[i]);
    const v = raw < 0 ? raw + d : raw;
    if (!(v >= 0 && v < d)) throw new Error(`index ${raw} is out of range for an axis of size ${d}`);
    out[i] = v;
  }
  return out;
}

export function gather(data: Tensor, indices: Tensor, axis: number): Tensor {
  const shape = data.shape;
  const d = shape[axis]!;
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k]!;
  const map = normalizeIndices(indices, d);
  const view: Tensor = { dtype: data.dtype, shape: [outer, d, inner], data: data.data };
  const moved = remapAxes(view, [outer, map.length, inner], [null, map, null]);
  const outShape = [...shape.slice(0, axis), ...indices.shape, ...shape.slice(axis + 1)];
  return makeTensor(data.dtype, outShape, moved.data);
}
