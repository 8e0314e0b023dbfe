// Test helpers for the quantization ops: run an op's kernel or type rule by name, and small
// tensor constructors.
import type { DType } from "../../../ir/dtype.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import { fromNumbers, makeTensor, typeToString, type Tensor, type TensorType } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
import { Rng } from "../../../src/testing/index.js";

export function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}): Tensor {
  const def = getOp(op);
  return def.evaluate(inputs, resolveAttrs(def, attrs), { numOutputs: 1 })[0]!;
}

export function inferType(
  op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue> = {}, constants: (Tensor | undefined)[] = [],
): TensorType {
  const def = getOp(op);
  return def.infer(inputs, resolveAttrs(def, attrs), { numOutputs: 1, constant: (i) => constants[i] })[0]!;
}

export function inferString(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue> = {}): string {
  return typeToString(inferType(op, inputs, attrs));
}

export function t(dtype: DType, shape: number[], values: number[]): Tensor {
  return fromNumbers(dtype, shape, values);
}

/** A scalar tensor. */
export function s(dtype: DType, v: number): Tensor {
  return fromNumbers(dtype, [], [v]);
}

/** A tensor of raw storage values (bit patterns for f16/f8). */
export function raw(dtype: DType, shape: number[], bits: number[]): Tensor {
  const out = makeTensor(dtype, shape);
  (out.data as Uint8Array).set(bits);
  return out;
}

export function values(x: Tensor): number[] {
  return Array.from(x.data as ArrayLike<number>, Number);
}

/** Deterministic integers in [lo, hi] (mulberry32). */
export function intRng(seed: number): (lo: number, hi: number) => number {
  const r = new Rng(seed);
  return (lo, hi) => r.int(lo, hi);
}
