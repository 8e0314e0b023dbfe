// Tensor types and tensor values of the IR.
//
// A TensorType is what the compiler knows statically: dtype, shape (dims may be symbolic) and an
// optional quantization annotation. A Tensor is a concrete value: dtype, numeric shape and data.
import { allocData, type DType, type TensorData } from "./dtype.js";
import { dimEquals, dimToString, type Dim } from "./dim.js";

/** How an integer tensor maps to real numbers. */
export type Quant =
  /** real = scale * (q - zeroPoint); per tensor (one entry, no axis) or per channel along `axis`. */
  | { readonly kind: "affine"; readonly scale: readonly number[]; readonly zeroPoint: readonly number[]; readonly axis?: number }
  /** Fixed point Qm.n: real = q / 2^fracBits, with intBits integer bits (sign excluded). */
  | { readonly kind: "fixed"; readonly intBits: number; readonly fracBits: number };

export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  readonly quant?: Quant;
}

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Largest element count a single tensor may have (guards against absurd declared sizes). */
export const MAX_ELEMENTS = 1 << 29;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorType(dtype: DType, shape: readonly Dim[], quant?: Quant): TensorType {
  return quant ? { dtype, shape, quant } : { dtype, shape };
}

/** A tensor with the given data, or zero-filled storage when data is omitted. */
export function makeTensor(dtype: DType, shape: readonly number[], data?: TensorData): Tensor {
  const n = numel(shape);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ELEMENTS) {
    throw new RangeError(`tensor of shape [${shape.join(",")}] is too large (${n} elements; the limit is ${MAX_ELEMENTS})`);
  }
  const d = data ?? allocData(dtype, n);
  if (d.length !== n) throw new RangeError(`tensor data has ${d.length} elements, shape [${shape.join(",")}] needs ${n}`);
  return { dtype, shape: [...shape], data: d };
}

export function typeOfTensor(t: Tensor): TensorType {
  return { dtype: t.dtype, shape: t.shape };
}

export function typeToString(t: TensorType): string {
  return `${t.dtype}[${t.shape.map(dimToString).join(",")}]`;
}

export function typesEqual(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length &&
    a.shape.every((d, i) => dimEquals(d, b.shape[i]!)) &&
    JSON.stringify(a.quant ?? null) === JSON.stringify(b.quant ?? null);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Reads element i of any numeric tensor as a JS number (bigint and bool converted). */
export function readNumber(t: Tensor, i: number): number {
  const v = t.data[i];
  return typeof v === "bigint" ? Number(v) : Number(v);
}

/** All elements as JS numbers (for small tensors: shapes, axes, indices). */
export function toNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** A tensor of dtype dt filled from plain numbers (rounded for integer types). */
export function fromNumbers(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
  const t = makeTensor(dtype, shape);
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) d[i] = BigInt(Math.trunc(values[i]!));
  } else if (Array.isArray(d)) {
    for (let i = 0; i < values.length; i++) d[i] = String(values[i]);
  } else {
    (d as Float32Array).set(values);
  }
  return t;
}
