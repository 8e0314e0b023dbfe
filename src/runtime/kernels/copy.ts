// Element moves shared by the data-movement kernels (transpose, slice, gather, pad, concat...).
//
// Every dtype is moved as its stored element: numbers for typed arrays (f16/bf16/float8 keep their
// raw bits), bigints for i64/u64 and strings for string tensors. Nothing is converted on the way,
// so one generic loop serves all dtypes and packed formats pass through bit for bit.
import type { DType, TensorData } from "../../../ir/dtype.js";

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

/** The stored element that represents the number v in dtype dt (for fill values such as Pad's). */
export function storedValue(dt: DType, v: number): Elem {
  switch (dt) {
    case "f32": return Math.fround(v);
    case "f64": return v;
    case "i64": case "u64": return BigInt(Math.trunc(v));
    case "bool": return v !== 0 ? 1 : 0;
    case "string": return v === 0 ? "" : String(v);
    case "f16": case "bf16": case "f8e4m3fn": case "f8e4m3fnuz": case "f8e5m2": case "f8e5m2fnuz":
      if (v === 0 && !Object.is(v, -0)) return 0; // +0 is all-zero bits in every packed format
      throw new Error(`a fill value of ${v} for ${dt} data is not supported (only 0)`);
    default: return Math.trunc(v);
  }
}
