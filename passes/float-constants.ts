// Reading and writing float constants for passes that recompute weights (BatchNorm folding,
// weight reshapes): values are computed in f64 and stored back in the weight's own dtype.
import { makeTensor, type Tensor } from "../ir/types.js";

/** True for the float dtypes passes compute on. */
export function isComputeFloat(dtype: string): dtype is "f32" | "f64" {
  return dtype === "f32" || dtype === "f64";
}

/** The elements of an f32/f64 tensor as f64 (a copy). */
export function f64Values(t: Tensor): Float64Array {
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) throw new Error(`expected an f32 or f64 tensor, got ${t.dtype}`);
  return Float64Array.from(t.data);
}

/** A tensor of `dtype` (f32 or f64) holding `values` (rounded to f32 when needed). */
export function floatTensor(dtype: "f32" | "f64", shape: readonly number[], values: ArrayLike<number>): Tensor {
  const t = makeTensor(dtype, shape);
  (t.data as Float32Array | Float64Array).set(values);
  return t;
}

/** The same data under another shape (no copy: tensors are immutable). */
export function reshapeTensor(t: Tensor, shape: readonly number[]): Tensor {
  return makeTensor(t.dtype, shape, t.data);
}
