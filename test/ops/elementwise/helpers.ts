// Test helpers for the elementwise ops: build tensors, run an op's kernel or type rule, import a node.
import type { Dim } from "../../../ir/dim.js";
import type { DType } from "../../../ir/dtype.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs, type IrNodeSpec, type OnnxImportContext } from "../../../ir/op.js";
import { findOnnxOp, getOp } from "../../../ir/registry.js";
import { tensorFromF64, tensorToF64 } from "../../../ir/float-formats.js";
import { makeTensor, type Tensor, type TensorType } from "../../../ir/types.js";
import "../../../ir/ops/index.js";

export type Attrs = Record<string, AttrValue>;

/** A tensor holding these real values (f16/bf16/f8 encoded, bigint storage for i64/u64, bool from 0/1). */
export function t(dtype: DType, shape: number[], values: number[]): Tensor {
  return tensorFromF64(dtype, shape, values);
}

export function big(dtype: "i64" | "u64", shape: number[], values: bigint[]): Tensor {
  const x = makeTensor(dtype, shape);
  (x.data as BigInt64Array).set(values);
  return x;
}

export function strings(shape: number[], values: string[]): Tensor {
  return makeTensor("string", shape, values);
}

export function run(op: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}): Tensor {
  const def = getOp(op);
  return def.evaluate(inputs, resolveAttrs(def, attrs), { numOutputs: 1 })[0]!;
}

export function infer(op: string, inputs: (TensorType | undefined)[], attrs: Attrs = {}): TensorType {
  const def = getOp(op);
  return def.infer(inputs, resolveAttrs(def, attrs), { numOutputs: 1, constant: () => undefined })[0]!;
}

export function fold(op: string, values: (readonly Dim[] | undefined)[], types: (TensorType | undefined)[], attrs: Attrs = {}) {
  const def = getOp(op);
  if (!def.foldDims) throw new Error(`${op} has no foldDims`);
  return def.foldDims(values, resolveAttrs(def, attrs), types);
}

export interface FakeModel {
  opset?: number;
  constants?: Record<string, Tensor>;
  types?: Record<string, TensorType>;
}

/** Imports one ONNX node through its op's fromOnnx (or the default attribute copy). */
export function importNode(opType: string, inputs: string[], outputs: string[], attrs: Attrs, m: FakeModel = {}): IrNodeSpec {
  const def = findOnnxOp(opType);
  if (!def) throw new Error(`no op imports ${opType}`);
  const ctx: OnnxImportContext = {
    opset: m.opset ?? 17,
    constant: (n) => m.constants?.[n],
    dimsValue: () => undefined,
    type: (n) => m.types?.[n],
    fail: (msg) => {
      throw new Error(`${opType}: ${msg}`);
    },
  };
  const node = { opType, name: "n", inputs, outputs, attrs };
  return def.fromOnnx ? def.fromOnnx(node, ctx) : { inputs, outputs, attrs };
}

/** Raw stored elements (bits of packed floats, bigints, strings) as a plain array. */
export const raw = (d: Tensor["data"]): (number | bigint | string)[] => Array.from(d as ArrayLike<number | bigint | string>);
/** Element values as plain numbers (bigints converted, packed floats decoded). */
export const nums = (x: Tensor): number[] => Array.from(tensorToF64(x));
export const ty = (dtype: DType, shape: Dim[]): TensorType => ({ dtype, shape });
