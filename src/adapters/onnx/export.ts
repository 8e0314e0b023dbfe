// The ONNX exporter: writes an IR graph as a standard ONNX model that ONNX Runtime runs.
//
// Each node is written by its op's `toOnnx` hook, or by default as the same op with its
// attributes typed by the op's schema. Fused activations (ir/activation.ts) are written back as
// the op followed by its activation node, which its own op's export writes. Symbolic dims become dim_params named by their
// expression. An If is written with its branches as GraphProtos that read the outer values it
// binds by name. Importing the exported file gives the same IR again (tested).
import { activationNode, activationOf } from "../../../ir/activation.js";
import { asExtent, dimToString, isSymbolic, type Dim } from "../../../ir/dim.js";
import { subgraphsOf, type AttrValue, type Graph, type Node } from "../../../ir/graph.js";
import { resolveAttrs, type AttrKind, type OnnxExportContext, type OnnxNodeOut } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import { implementedOp } from "../../../ir/traits.js";
import type { Tensor, TensorType } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
import { ModelError, errorMessage } from "../../../ir/errors.js";
import { dtypeToOnnx } from "../../../ir/onnx-dtypes.js";
import { onnx } from "./proto.js";
import { tensorToProto } from "./tensor.js";

export interface ExportOptions {
  /** Opset of the default domain to write (default 21). */
  opset?: number;
  producer?: string;
}

export const EXPORT_OPSET = 21;

type Proto<T> = T extends { create(p?: infer P): infer R } ? R : never;
type NodeProto = Proto<typeof onnx.NodeProto>;

/** Serialized ONNX model bytes of g. */
export function exportOnnx(g: Graph, options: ExportOptions = {}): Uint8Array {
  const opset = options.opset ?? EXPORT_OPSET;
  const used = new Set<string>([...Object.keys(g.types), ...g.nodes.map((n) => n.name)]);
  const fresh = (hint: string) => {
    let name = hint;
    for (let k = 1; used.has(name); k++) name = `${hint}_${k}`;
    used.add(name);
    return name;
  };
  const { nodes, initializers } = graphBody(g, opset, fresh, used);
  const model = onnx.ModelProto.create({
    irVersion: opset >= 21 ? 10 : 8,
    producerName: options.producer ?? "neonc",
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: opset })],
    graph: onnx.GraphProto.create({
      name: g.name,
      node: nodes,
      initializer: initializers,
      input: g.inputs.map((i) => valueInfo(i, g.types[i]!)),
      output: g.outputs.map((o) => valueInfo(o, g.types[o]!)),
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The nodes and initializers of one graph (the model's, or an If branch's). */
function graphBody(g: Graph, opset: number, fresh: (hint: string) => string, used: Set<string>): { nodes: NodeProto[]; initializers: ReturnType<typeof tensorToProto>[] } {
  const initializers: ReturnType<typeof tensorToProto>[] = [];
  for (const [name, t] of Object.entries(g.constants)) initializers.push(tensorToProto(t, name));
  const ctx: OnnxExportContext = {
    opset,
    constant: (t, hint) => {
      const name = fresh(hint);
      initializers.push(tensorToProto(t, name));
      return name;
    },
    fresh,
    type: (name) => {
      const t = g.types[name];
      if (!t) throw new Error(`no type for "${name}"`);
      return t;
    },
    symbolSource: (sym) => {
      for (const value of g.inputs) {
        const axis = g.types[value]!.shape.findIndex((d) => isSymbolic(d) && dimToString(d) === sym);
        if (axis >= 0) return { value, axis };
      }
      // A length computed at run time (an extent) is the length of the first value that has it,
      // the Range binding it, which comes before every node whose attributes name it.
      for (const n of g.nodes) {
        for (const value of n.outputs) {
          const axis = value ? (g.types[value]?.shape.findIndex((d) => asExtent(d)?.name === sym) ?? -1) : -1;
          if (axis >= 0) return { value, axis };
        }
      }
      return undefined;
    },
  };

  const nodes: NodeProto[] = [];
  for (const node of g.nodes) {
    try {
      if (node.op === "If") {
        nodes.push(ifNode(node, opset, fresh, used));
        continue;
      }
      const def = getOp(node.op);
      const { activation, activation_params, ...rest } = node.attrs as Record<string, AttrValue>;
      const act = activationOf({ activation: activation as string | undefined, activation_params: activation_params as number[] | undefined });
      const outputs = [...node.outputs];
      const finalOut = outputs[0]!;
      if (act) outputs[0] = fresh(`${finalOut}.preact`);
      const attrs = resolveAttrs(def, rest);
      const outs: OnnxNodeOut[] = def.toOnnx
        ? def.toOnnx({ name: node.name, inputs: node.inputs, outputs, attrs: rest }, attrs, ctx)
        : [defaultNode(implementedOp(node.op) ?? node.op, node.name, node.inputs, outputs, rest, def.attrs)];
      for (const o of outs) nodes.push(nodeProto(o));
      if (act) {
        // The activation as its own node, written by its op's export like any other node.
        const pre = outputs[0]!;
        const a = activationNode(act);
        const adef = getOp(a.op);
        const actCtx: OnnxExportContext = { ...ctx, type: (name) => (name === pre ? g.types[finalOut]! : ctx.type(name)) };
        const an = { name: `${node.name}.${act.kind.toLowerCase()}`, inputs: [pre], outputs: [finalOut], attrs: a.attrs };
        const outs = adef.toOnnx
          ? adef.toOnnx(an, resolveAttrs(adef, a.attrs), actCtx)
          : [defaultNode(a.op, an.name, an.inputs, an.outputs, a.attrs, adef.attrs)];
        for (const o of outs) nodes.push(nodeProto(o));
      }
    } catch (e) {
      throw new ModelError(`cannot export node ${node.name} (${node.op}) to ONNX: ${errorMessage(e)}`);
    }
  }

  return { nodes, initializers };
}

/**
 * An If as ONNX: each branch becomes a GraphProto without inputs that reads the outer values
 * the node binds by their outer names; its own values get names unused elsewhere in the model,
 * and an output that is a captured value or a constant is given through an Identity.
 */
function ifNode(node: Node, opset: number, fresh: (hint: string) => string, used: Set<string>): NodeProto {
  const A = onnx.AttributeProto.AttributeType;
  const attribute = subgraphsOf(node).map(([attr, sub]) => {
    const names = new Map<string, string>();
    sub.inputs.forEach((n, k) => names.set(n, node.inputs[k + 1]!));
    const local = (n: string) => {
      if (!names.has(n)) names.set(n, used.has(n) ? fresh(n) : (used.add(n), n));
      return names.get(n)!;
    };
    for (const n of Object.keys(sub.constants)) local(n);
    for (const n of sub.nodes) for (const o of n.outputs) if (o) local(o);
    const renamed = renameGraph(sub, (n) => names.get(n) ?? n);
    const { nodes, initializers } = graphBody(renamed, opset, fresh, used);
    const outputs = renamed.outputs.map((o, k) => {
      const produced = renamed.nodes.some((n) => n.outputs.includes(o)) && renamed.outputs.indexOf(o) === k;
      if (produced) return o;
      const out = fresh(`${node.name}.${attr}.out${k}`);
      nodes.push(nodeProto({ opType: "Identity", name: out, inputs: [o], outputs: [out], attrs: {} }));
      return out;
    });
    const types = (o: string, k: number) => renamed.types[renamed.outputs[k]!] ?? renamed.types[o]!;
    const graph = onnx.GraphProto.create({ name: attr, node: nodes, initializer: initializers, output: outputs.map((o, k) => valueInfo(o, types(o, k))) });
    return onnx.AttributeProto.create({ name: attr, type: A.GRAPH, g: graph });
  });
  return onnx.NodeProto.create({ name: node.name, opType: "If", domain: "", input: [node.inputs[0]!], output: [...node.outputs], attribute });
}

/** g with every value name passed through `f`. */
function renameGraph(g: Graph, f: (n: string) => string): Graph {
  const rec = <T>(o: Readonly<Record<string, T>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [f(k), v]));
  return {
    ...g,
    inputs: g.inputs.map(f),
    outputs: g.outputs.map(f),
    types: rec(g.types),
    constants: rec(g.constants),
    nodes: g.nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => (i ? f(i) : i)), outputs: n.outputs.map((o) => (o ? f(o) : o)) })),
  };
}

/** The same op with its attributes, each typed by the schema (symbolic dims cannot be written). */
function defaultNode(
  op: string, name: string, inputs: readonly string[], outputs: readonly string[],
  attrs: Readonly<Record<string, AttrValue>>, schema: Readonly<Record<string, { kind: AttrKind }>>,
): OnnxNodeOut {
  const out: Record<string, AttrValue> = {};
  const floatAttrs: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    const kind = schema[k]?.kind;
    if (kind === "float" || kind === "floats") floatAttrs.push(k);
    if (kind === "dims") {
      const dims = v as readonly Dim[];
      if (dims.some(isSymbolic)) throw new Error(`attribute ${k} holds symbolic dims [${dims.map(dimToString).join(",")}], which ONNX attributes cannot express`);
    }
    out[k] = v;
  }
  return { opType: op, name, inputs, outputs, attrs: out, floatAttrs };
}

function nodeProto(n: OnnxNodeOut): NodeProto {
  const A = onnx.AttributeProto.AttributeType;
  const floats = new Set(n.floatAttrs ?? []);
  const attribute = Object.entries(n.attrs)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, v]) => {
      if (typeof v === "string") return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
      if (typeof v === "number") return floats.has(name) ? onnx.AttributeProto.create({ name, type: A.FLOAT, f: v }) : onnx.AttributeProto.create({ name, type: A.INT, i: v });
      if (Array.isArray(v)) {
        if (v.length > 0 && typeof v[0] === "string") return onnx.AttributeProto.create({ name, type: A.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) });
        return floats.has(name)
          ? onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v as number[] })
          : onnx.AttributeProto.create({ name, type: A.INTS, ints: v as number[] });
      }
      return onnx.AttributeProto.create({ name, type: A.TENSOR, t: tensorToProto(v as Tensor, name) });
    });
  return onnx.NodeProto.create({ name: n.name ?? "", opType: n.opType, domain: n.domain ?? "", input: [...n.inputs], output: [...n.outputs], attribute });
}

function valueInfo(name: string, t: TensorType) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: dtypeToOnnx(t.dtype),
        shape: onnx.TensorShapeProto.create({
          dim: t.shape.map((d) =>
            isSymbolic(d)
              ? onnx.TensorShapeProto.Dimension.create({ dimParam: dimToString(d) })
              : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
          ),
        }),
      }),
    }),
  });
}
