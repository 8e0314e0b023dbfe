// Runs single IR ops in tests: an op's kernel, its type rule, its shape folding, and the import
// of one ONNX node through its `fromOnnx` with a fake import context.
import type { Dim } from "../../ir/dim.js";
import type { AttrValue } from "../../ir/graph.js";
import { resolveAttrs, type IrNodeSpec, type OnnxImportContext } from "../../ir/op.js";
import { findOnnxOp, getOp } from "../../ir/registry.js";
import type { Tensor, TensorType } from "../../ir/types.js";
import "../../ir/ops/index.js";

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

/** What the fake import context knows about the model around the node. */
export interface FakeModel {
  opset?: number;
  constants?: Record<string, Tensor>;
  dims?: Record<string, Dim[]>;
  types?: Record<string, TensorType>;
}

/** Imports one ONNX node through its op's fromOnnx (or the default attribute copy). */
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
