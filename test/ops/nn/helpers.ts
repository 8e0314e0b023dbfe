// Test helpers for the nn ops: running a definition directly, random tensors, naive references.
import { expect } from "vitest";
import type { Dim } from "../../../ir/dim.js";
import type { DType } from "../../../ir/dtype.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs, type OnnxImportContext, type OnnxNodeIn, type OpDef } from "../../../ir/op.js";
import { fromNumbers, makeTensor, type Tensor, type TensorType } from "../../../ir/types.js";

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

/** Deterministic pseudo-random values in [-1, 1). */
export function randomValues(n: number, seed: number): number[] {
  const out = new Array<number>(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

export function random(shape: number[], seed: number, dtype: DType = "f32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromNumbers(dtype, shape, randomValues(n, seed));
}

export function tt(dtype: DType, shape: Dim[]): TensorType {
  return { dtype, shape };
}

/** Element-wise closeness with a readable failure: |a - b| <= atol + rtol * |b|. */
export function expectClose(actual: Tensor, expected: { shape: readonly number[]; data: ArrayLike<number> }, rtol = 1e-5, atol = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.data as ArrayLike<number>;
  expect(a.length).toBe(expected.data.length);
  for (let i = 0; i < a.length; i++) {
    const e = expected.data[i]!;
    if (Number.isNaN(e)) {
      expect(a[i], `element ${i}`).toBeNaN();
      continue;
    }
    if (Math.abs(a[i]! - e) > atol + rtol * Math.abs(e)) {
      expect.fail(`element ${i}: ${a[i]} vs expected ${e} (shape [${actual.shape}])`);
    }
  }
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
