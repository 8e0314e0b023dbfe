// Test helper: runs a one-node ONNX backend test (model.onnx + test_data_set_0) through an op's
// import hook, type rule and kernel, without the full frontend. Every input after the first is
// offered to the import as a constant, as the backend tests mean them (shapes, axes, pads...).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs, type OnnxImportContext } from "../../../ir/op.js";
import { findOnnxOp, getOp } from "../../../ir/registry.js";
import { typeToString, type Tensor, type TensorType } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
import { onnx, toNum, type AttributeProto } from "../../../src/adapters/onnx/proto.js";
import { readTensorFile, tensorFromProto } from "../../../src/adapters/onnx/tensor.js";
import { lowerModel } from "../../../src/adapters/onnx/import.js";
import { runGraph } from "../../../src/runtime/interpreter.js";

export const BACKEND_DIR = path.resolve(import.meta.dirname, "../../../../shared/onnx-backend-tests");

/** Ops whose inputs are all shape-like, so import reads even the first one as a constant. */
const ALL_CONSTANT = new Set(["ConstantOfShape", "Range"]);

export function backendTests(pattern: RegExp): string[] {
  if (!existsSync(BACKEND_DIR)) throw new Error(`ONNX backend tests not found at ${BACKEND_DIR}`);
  return readdirSync(BACKEND_DIR).filter((t) => pattern.test(t)).sort();
}

function decodeAttr(a: AttributeProto, where: string): AttrValue {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return toNum(a.i);
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.TENSOR: return tensorFromProto(a.t!, { where });
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map(toNum);
    case T.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default: throw new Error(`${where}: attribute ${a.name} of type ${String(a.type)} is not handled by the test helper`);
  }
}

export interface NodeRun {
  /** The IR op and attributes the import produced. */
  op: string;
  attrs: Record<string, AttrValue>;
  inferred: TensorType[];
  outputs: Tensor[];
  expected: Tensor[];
}

export function runBackendTest(test: string): NodeRun {
  const dir = path.join(BACKEND_DIR, test);
  const model = onnx.ModelProto.decode(readFileSync(path.join(dir, "model.onnx")));
  const g = model.graph!;
  if (g.node!.length !== 1) throw new Error(`${test} has ${g.node!.length} nodes; the helper runs one`);
  const node = g.node![0]!;
  const opset = toNum(model.opsetImport!.find((o) => !o.domain)?.version);
  const data = path.join(dir, "test_data_set_0");
  const values = new Map<string, Tensor>();
  g.input!.forEach((v, i) => values.set(v.name!, readTensorFile(path.join(data, `input_${i}.pb`)).tensor));
  const expected = g.output!.map((_, i) => readTensorFile(path.join(data, `output_${i}.pb`)).tensor);
  const inputs = (node.input ?? []) as string[];
  const firstIsData = !ALL_CONSTANT.has(node.opType!);
  const constants = new Map(inputs.slice(firstIsData ? 1 : 0).filter((n) => n && values.has(n)).map((n) => [n, values.get(n)!]));
  const attrs: Record<string, AttrValue> = {};
  for (const a of node.attribute ?? []) attrs[a.name!] = decodeAttr(a, `${test}: ${a.name}`);

  const def = findOnnxOp(node.opType!);
  if (!def) throw new Error(`no op imports ONNX ${node.opType}`);
  const ctx: OnnxImportContext = {
    opset,
    constant: (n) => constants.get(n),
    dimsValue: () => undefined,
    type: (n) => values.get(n),
    fail: (m) => {
      throw new Error(`${test}: ${node.opType}: ${m}`);
    },
  };
  const onnxNode = { opType: node.opType!, name: node.name ?? "", inputs, outputs: (node.output ?? []) as string[], attrs };
  const spec = def.fromOnnx ? def.fromOnnx(onnxNode, ctx) : { inputs, outputs: onnxNode.outputs, attrs };
  const ir = getOp(spec.op ?? def.name);
  const resolved = resolveAttrs(ir, spec.attrs);
  const args = spec.inputs.map((n) => (n ? values.get(n) : undefined));
  const inferred = ir.infer(args, resolved, {
    numOutputs: spec.outputs.length,
    constant: (i) => (spec.inputs[i] ? constants.get(spec.inputs[i]!) : undefined),
  });
  const outputs = ir.evaluate(args, resolved, { numOutputs: spec.outputs.length });
  return { op: ir.name, attrs: { ...spec.attrs }, inferred, outputs, expected };
}

/** A readable description of the first difference between two tensors, or undefined. */
export function tensorDiff(got: Tensor, want: Tensor): string | undefined {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, expected ${want.dtype}`;
  if (got.shape.join(",") !== want.shape.join(",")) return `shape [${got.shape}], expected [${want.shape}]`;
  for (let i = 0; i < want.data.length; i++) {
    const a = got.data[i];
    const b = want.data[i];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) return `element ${i} is ${String(a)}, expected ${String(b)}`;
  }
  return undefined;
}

export function typeDiff(t: TensorType, want: Tensor): string | undefined {
  const s = typeToString(t);
  const w = `${want.dtype}[${want.shape.join(",")}]`;
  return s === w ? undefined : `inferred ${s}, expected ${w}`;
}

/**
 * Runs a backend test through the real ONNX frontend and the interpreter, with the graph inputs
 * the op reads at import (every input but the data) turned into initializers, as a model would
 * hold them. Returns the outputs and the expected tensors.
 */
export function runThroughFrontend(test: string): { outputs: Tensor[]; expected: Tensor[] } {
  const dir = path.join(BACKEND_DIR, test);
  const model = onnx.ModelProto.decode(readFileSync(path.join(dir, "model.onnx")));
  const g = model.graph!;
  const node = g.node![0]!;
  const firstIsData = !ALL_CONSTANT.has(node.opType!);
  const data = path.join(dir, "test_data_set_0");
  const runtime: Record<string, Tensor> = {};
  const kept: typeof g.input = [];
  g.input!.forEach((v, i) => {
    const file = path.join(data, `input_${i}.pb`);
    const asConstant = (node.input ?? []).indexOf(v.name!) >= (firstIsData ? 1 : 0);
    if (asConstant) {
      const tp = onnx.TensorProto.decode(readFileSync(file));
      tp.name = v.name!;
      g.initializer!.push(tp);
    } else {
      runtime[v.name!] = readTensorFile(file).tensor;
      kept.push(v);
    }
  });
  g.input = kept;
  const graph = lowerModel(model, { where: test });
  const out = runGraph(graph, runtime);
  return {
    outputs: graph.outputs.map((o) => out[o]!),
    expected: g.output!.map((_, i) => readTensorFile(path.join(data, `output_${i}.pb`)).tensor),
  };
}
