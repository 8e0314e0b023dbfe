// Small helpers shared by the nn op definitions: dtype checks, static dims, dim products.
import type { DType, NumericArray } from "../../dtype.js";
import { dimToString, isSymbolic, mulDim, type Dim } from "../../dim.js";
import type { Tensor, TensorType } from "../../types.js";

/** Float types whose kernels run here (f16/bf16 are stored as raw bits and are not computed on). */
export const FLOAT_TYPES: readonly DType[] = ["f32", "f64"];

/** The input type, or an error naming the missing input. */
export function need(t: TensorType | undefined, name: string): TensorType {
  if (!t) throw new Error(`input ${name} is missing`);
  return t;
}

export function needTensor(t: Tensor | undefined, name: string): Tensor {
  if (!t) throw new Error(`input ${name} is missing`);
  return t;
}

export function expectFloat(t: TensorType, name: string): void {
  if (!FLOAT_TYPES.includes(t.dtype)) throw new Error(`input ${name} has dtype ${t.dtype}; only f32 and f64 are supported`);
}

export function expectSameDtype(a: TensorType, b: TensorType, an: string, bn: string): void {
  if (a.dtype !== b.dtype) throw new Error(`input ${bn} has dtype ${b.dtype}, but ${an} has ${a.dtype}`);
}

export function expectRank(t: TensorType, rank: number, name: string): void {
  if (t.shape.length !== rank) throw new Error(`input ${name} must have rank ${rank}, got ${shapeStr(t.shape)}`);
}

/** The dims as numbers; throws when one is symbolic (weights and kernels must be static). */
export function staticDims(shape: readonly Dim[], what: string): number[] {
  if (shape.some(isSymbolic)) throw new Error(`${what} must have a static shape, got ${shapeStr(shape)}`);
  return shape as number[];
}

/** Two dims that must agree when both are known numbers. */
export function checkDim(a: Dim, b: Dim, what: string): void {
  if (typeof a === "number" && typeof b === "number" && a !== b) throw new Error(`${what}: ${a} vs ${b}`);
}

/** Product of dims; at most one factor may be symbolic. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let acc: Dim = 1;
  for (const d of dims) acc = mulDim(acc, d);
  return acc;
}

export function shapeStr(shape: readonly Dim[]): string {
  return `[${shape.map(dimToString).join(",")}]`;
}

/** The data of a float tensor (f32 or f64) as a typed array. */
export function floatData(t: Tensor): Float32Array | Float64Array {
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return t.data;
  throw new Error(`expected an f32 or f64 tensor, got ${t.dtype}`);
}

/** The data of a numeric (non-64-bit, non-string) tensor. */
export function numericData(t: Tensor): NumericArray {
  const d = t.data;
  if (Array.isArray(d) || d instanceof BigInt64Array || d instanceof BigUint64Array) {
    throw new Error(`dtype ${t.dtype} is not supported here`);
  }
  return d as NumericArray;
}
