// Test helpers: run one IR op (type rule or kernel) and import one ONNX node with a fake context.
import type { Dim } from "../../../ir/dim.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs, type IrNodeSpec, type OnnxImportContext } from "../../../ir/op.js";
import { findOnnxOp, getOp } from "../../../ir/registry.js";
import { fromNumbers, type Tensor, type TensorType } from "../../../ir/types.js";
import type { DType } from "../../../ir/dtype.js";
import "../../../ir/ops/index.js";

export type Attrs = Record<string, AttrValue>;

export function evalOp(op: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}, numOutputs = 1): Tensor[] {
  const def = getOp(op);
  return def.evaluate(inputs, resolveAttrs(def, attrs), { numOutputs });
}

export function inferOp(op: string, inputs: (TensorType | undefined)[], attrs: Attrs = {}, numOutputs = 1,
  constants: (Tensor | undefined)[] = []): TensorType[] {
  const def = getOp(op);
  return def.infer(inputs, resolveAttrs(def, attrs), { numOutputs, constant: (i) => constants[i] });
}

export function foldOp(op: string, values: (readonly Dim[] | undefined)[], types: (TensorType | undefined)[], attrs: Attrs = {}) {
  const def = getOp(op);
  if (!def.foldDims) throw new Error(`${op} has no foldDims`);
  return def.foldDims(values, resolveAttrs(def, attrs), types);
}

export interface FakeModel {
  opset?: number;
  constants?: Record<string, Tensor>;
  dims?: Record<string, Dim[]>;
  types?: Record<string, TensorType>;
}

/** Imports an ONNX node through its op's fromOnnx (or the default attribute copy). */
export function importNode(opType: string, inputs: string[], outputs: string[], attrs: Attrs, m: FakeModel = {}): IrNodeSpec {
  const def = findOnnxOp(opType);
  if (!def) throw new Error(`no op imports ${opType}`);
  const ctx: OnnxImportContext = {
    opset: m.opset ?? 17,
    constant: (n) => m.constants?.[n],
    dimsValue: (n) => m.dims?.[n],
    type: (n) => m.types?.[n],
    fail: (msg) => {
      throw new Error(`${opType}: ${msg}`);
    },
  };
  const node = { opType, name: "n", inputs, outputs, attrs };
  return def.fromOnnx ? def.fromOnnx(node, ctx) : { inputs, outputs, attrs };
}

export const t = (dtype: DType, shape: number[], values: number[]): Tensor => fromNumbers(dtype, shape, values);
export const i64 = (values: number[], shape = [values.length]): Tensor => fromNumbers("i64", shape, values);
export const nums = (x: Tensor): number[] => Array.from(x.data as ArrayLike<number | bigint>, Number);
export const ty = (dtype: DType, shape: Dim[]): TensorType => ({ dtype, shape });
