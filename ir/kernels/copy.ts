// Element moves shared by the data-movement kernels (transpose, slice, gather, pad, concat...).
//
// Every dtype is moved as its stored element: numbers for typed arrays (f16/bf16/float8 keep their
// raw bits), bigints for i64/u64 and strings for string tensors. Nothing is converted on the way,
// so one generic loop serves all dtypes and packed formats pass through bit for bit.
import { allocData, type DType, type TensorData } from "../dtype.js";
import { storeReals } from "../float-formats.js";

/** One stored element of any dtype. */
export type Elem = number | bigint | string;

/** Indexable view of any storage; source and destination of a move always share a dtype. */
export type Cells = { [i: number]: Elem; readonly length: number };

/** Copies n elements; typed arrays use the native block copy when it pays off. */
export function copyBlock(src: TensorData, srcOff: number, dst: TensorData, dstOff: number, n: number): void {
  if (n <= 0) return;
  if (n >= 16 && !Array.isArray(src)) {
    (dst as Float64Array).set((src as Float64Array).subarray(srcOff, srcOff + n), dstOff);
    return;
  }
  const s = src as Cells;
  const d = dst as Cells;
  for (let i = 0; i < n; i++) d[dstOff + i] = s[srcOff + i]!;
}

/** Sets n elements to one stored value. */
export function fillBlock(dst: TensorData, off: number, n: number, v: Elem): void {
  if (n <= 0) return;
  if (Array.isArray(dst)) {
    for (let i = 0; i < n; i++) dst[off + i] = v as string;
  } else {
    (dst as Float64Array).fill(v as number, off, off + n);
  }
}

/**
 * The stored element that represents the number v in dtype dt (for fill values such as Pad's):
 * rounded to nearest even for floats (packed formats as their bits), truncated for integers.
 * A string tensor fills with "" for 0, since ONNX's default pad value of a string is empty.
 */
export function storedValue(dt: DType, v: number): Elem {
  if (dt === "string" && v === 0) return "";
  const one = allocData(dt, 1);
  storeReals(dt, [v], one);
  return one[0]!;
}
