// Test helpers for the nn ops: running a definition directly, random tensors, naive references.
import { expect } from "vitest";
import type { Dim } from "../../../ir/dim.js";
import type { DType } from "../../../ir/dtype.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs, type OnnxImportContext, type OnnxNodeIn, type OpDef } from "../../../ir/op.js";
import { fromNumbers, makeTensor, type Tensor, type TensorType } from "../../../ir/types.js";
import { compareTensors, Rng, seededTensor } from "../../../src/testing/index.js";

export type Attrs = Record<string, AttrValue>;

/** Evaluates an op on tensors with the given (partial) attributes. */
export function run(def: OpDef<any>, inputs: (Tensor | undefined)[], attrs: Attrs = {}, numOutputs = 1): Tensor[] {
  return def.evaluate(inputs, resolveAttrs(def, attrs), { numOutputs });
}

/** Infers output types; `constants` gives known values of inputs by position. */
export function infer(def: OpDef<any>, types: (TensorType | undefined)[], attrs: Attrs = {}, numOutputs = 1): TensorType[] {
  return def.infer(types, resolveAttrs(def, attrs), { numOutputs, constant: () => undefined });
}

export function f32(shape: number[], values: ArrayLike<number>): Tensor {
  return fromNumbers("f32", shape, values);
}

/** Seeded values in [-1, 1) (neonc/testing's Rng). */
export function randomValues(n: number, seed: number): number[] {
  return new Rng(seed).uniforms(n, -1, 1);
}

/** A seeded tensor of values in [-1, 1) (neonc/testing's seededTensor). */
export function random(shape: number[], seed: number, dtype: DType = "f32"): Tensor {
  return seededTensor(new Rng(seed), dtype, shape, { values: { min: -1, max: 1 } });
}

export function tt(dtype: DType, shape: Dim[]): TensorType {
  return { dtype, shape };
}

/** Element-wise closeness, |a - b| <= atol + rtol * |b|, with neonc/testing's readable report. */
export function expectClose(actual: Tensor, expected: { shape: readonly number[]; data: ArrayLike<number> }, rtol = 1e-5, atol = 1e-5): void {
  const want = fromNumbers(actual.dtype, [...expected.shape], Array.from(expected.data));
  const why = compareTensors(want, actual, { rtol, atol });
  if (why) expect.fail(why);
}

/** A fake import context: opset, constants and types by value name. */
export function importCtx(opset: number, constants: Record<string, Tensor> = {}, types: Record<string, TensorType> = {}): OnnxImportContext {
  return {
    opset,
    constant: (n) => constants[n],
    dimsValue: () => undefined,
    type: (n) => types[n] ?? (constants[n] ? { dtype: constants[n]!.dtype, shape: constants[n]!.shape } : undefined),
    fail: (m) => {
      throw new Error(m);
    },
  };
}

export function onnxNode(opType: string, inputs: string[], outputs: string[], attrs: Attrs = {}): OnnxNodeIn {
  return { opType, name: `${opType}_0`, inputs, outputs, attrs };
}

/** Plain tensor of zeros, for references that accumulate. */
export function zeros(shape: number[], dtype: DType = "f32"): Tensor {
  return makeTensor(dtype, shape);
}
