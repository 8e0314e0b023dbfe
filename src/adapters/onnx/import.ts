// Lowers a decoded ONNX ModelProto to an IR graph.
//
// The import is all-or-nothing: unsupported ops and data types are collected over the whole
// model (If branches included) and reported together before any node is lowered; any later
// problem (bad attribute, inconsistent shapes, missing value) stops the import with one error
// naming the file, the node and its op. Constant subgraphs are evaluated while importing
// (Constant nodes, nodes whose inputs are all constant, and shape computations whose values are
// known even over the symbolic time axis). An If whose condition is known is inlined; any other
// If becomes an IR If holding both branches as nested graphs, which read the outer values they
// capture through the node's inputs. Loop and Scan are refused with one sentence.
import type { Dim } from "../../../ir/dim.js";
import { asExtent, dimExtents, dimSymbols, extent, isSymbolic, PENDING_BOUND } from "../../../ir/dim.js";
import { extentBounds } from "./extents.js";
import type { DType } from "../../../ir/dtype.js";
import { makeGraph, type AttrValue, type Graph, type Node } from "../../../ir/graph.js";
import { resolveAttrs, type OnnxImportContext, type OnnxNodeIn, type OpDef, type IrNodeSpec } from "../../../ir/op.js";
import { findOnnxOp, findOp } from "../../../ir/registry.js";
import { fromNumbers, numel, tensorType, toNumbers, typeOfTensor, typeToString, type Tensor, type TensorType } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
import { verifyProblems } from "../../../ir/verify.js";
import { ModelError, RunTimeOperandError, UsageError, errorMessage } from "../../../ir/errors.js";
import { bindTensor, type BindValue } from "./bind-value.js";
import { boundInputsMeta } from "./bound-inputs.js";
import { inputShapeSymbols, specializeType, type InputShapes } from "./input-shapes.js";
import { decodeAttribute, type DecodedAttr } from "./attributes.js";
import { dtypeFromOnnx, onnxTypeName } from "../../../ir/onnx-dtypes.js";
import { toNum, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from "./proto.js";
import { tensorFromProto } from "./tensor.js";

// Opsets below 7 are read too: op forms that changed since (legacy broadcast attributes and
// the like) are refused attribute by attribute by the op definitions, never guessed.
const MIN_OPSET = 1;
const MAX_OPSET = 21;
/** Small integer tensors whose values are tracked for shape folding. */
const MAX_TRACKED = 64;

export interface LowerOptions {
  /** Name of the model file, used in every message. */
  where: string;
  /** Folder of the model file, for external data. */
  baseDir?: string;
  /**
   * Graph inputs to specialise on known values: they become constants, so operands that the IR
   * needs at compile time (shapes, axes, pads fed as inputs) can come from data files, and an If
   * whose condition they decide is inlined. Numbers take the input's dtype and shape
   * (./bind-value.ts); an unknown name or a value that does not fit is a UsageError.
   */
  bind?: Readonly<Record<string, BindValue>>;
  /**
   * Graph inputs whose symbolic dims are fixed to numbers (./input-shapes.ts): shapes computed
   * from them become known, so an If decided by a shape keeps only its taken branch. A name that
   * is no input, a wrong rank, a dim that contradicts a static one or a non-positive dim is a
   * UsageError.
   */
  inputShapes?: InputShapes;
  /** Op types never folded at import even when their inputs are constant (e.g. DequantizeLinear of int8 weights, for import-qdq). */
  keep?: ReadonlySet<string>;
}

/**
 * State of one import, or of one If branch inside it: values known so far, nodes emitted. A
 * branch sees the values of the scopes around it; reading one makes it a capture (an input of
 * the branch and of the If), except constants, which the branch gets a copy of so that they
 * fold inside it.
 */
class Lowering {
  readonly nodes: Node[] = [];
  readonly types = new Map<string, TensorType>();
  readonly constants = new Map<string, Tensor>();
  /** Known element values of small integer tensors (possibly symbolic dims). */
  readonly known = new Map<string, readonly Dim[]>();
  /** Types of each emitted node's inputs and outputs (the extent bounds are read from them). */
  readonly nodeTypes: { readonly ins: readonly (TensorType | undefined)[]; readonly outs: readonly TensorType[]; readonly op: string }[];
  /** Values computed from shapes (a known value among their inputs, directly or further up). */
  readonly fromShapes = new Set<string>();
  /** Extents made so far, by name: the node whose run-time value is the length (shared with If branches). */
  readonly extents: Map<string, string>;
  /** The value holding each extent (a one-element integer tensor), by extent name. */
  readonly carriers: Map<string, string>;
  /** Extents some emitted node binds already (a Range whose length is the extent). */
  readonly bound: Set<string>;
  /** Outer values this branch reads, in the order of first use (always empty at the top). */
  readonly captures: string[] = [];
  /** Graph inputs bound to constants (the `bind` option), recorded in the graph's metadata. */
  readonly boundInputs = new Map<string, Tensor>();
  private readonly nodeNames: Set<string>;
  /** The bound of each extent, from the first pass (absent in the first pass; branches share their parent's). */
  readonly bounds?: ReadonlyMap<string, Dim>;

  constructor(readonly opset: number, readonly opts: LowerOptions, readonly parent?: Lowering, bounds?: ReadonlyMap<string, Dim>) {
    this.nodeNames = parent ? parent.nodeNames : new Set<string>();
    this.extents = parent ? parent.extents : new Map<string, string>();
    this.carriers = parent ? parent.carriers : new Map<string, string>();
    this.bound = parent ? parent.bound : new Set<string>();
    this.nodeTypes = parent ? parent.nodeTypes : [];
    this.bounds = parent ? parent.bounds : bounds;
  }

  /**
   * A length computed at run time: the value of a small integer tensor that no shape
   * arithmetic gives (ReduceMax(lengths)), named len1, len2, ... in node order. Its bound is
   * pending in the first pass and known in the second.
   */
  freshExtent(label: string, carrier: string): Dim {
    let name = `len${this.extents.size + 1}`;
    const taken = new Set<string>();
    for (const t of this.types.values()) for (const d of t.shape) dimSymbols(d, taken);
    while (taken.has(name)) name = `${name}_`;
    this.extents.set(name, label);
    this.carriers.set(name, carrier);
    return extent(name, this.bounds ? (this.bounds.get(name) ?? PENDING_BOUND) : PENDING_BOUND);
  }

  fail(msg: string): never {
    throw new ModelError(`${this.opts.where}: ${msg}`);
  }

  addConstant(name: string, t: Tensor): void {
    this.constants.set(name, t);
    this.types.set(name, typeOfTensor(t));
    if ((t.dtype === "i64" || t.dtype === "i32" || t.dtype === "bool") && t.shape.length <= 1 && t.data.length <= MAX_TRACKED) {
      this.known.set(name, toNumbers(t));
    }
  }

  /** Makes a value visible in this scope (capturing it from the scopes around); false when it is defined nowhere. */
  resolve(name: string): boolean {
    if (this.types.has(name)) return true;
    if (!this.parent || !this.parent.resolve(name)) return false;
    const c = this.parent.constants.get(name);
    if (c) {
      this.addConstant(name, c);
      return true;
    }
    this.types.set(name, this.parent.types.get(name)!);
    const k = this.parent.known.get(name);
    if (k) this.known.set(name, k);
    this.captures.push(name);
    return true;
  }

  uniqueNodeName(base: string): string {
    let name = base || "node";
    for (let k = 1; this.nodeNames.has(name); k++) name = `${base}_${k}`;
    this.nodeNames.add(name);
    return name;
  }
}

export function lowerModel(model: ModelProto, opts: LowerOptions): Graph {
  const g = model.graph;
  if (!g) throw new ModelError(`${opts.where}: the model has no graph (is this an ONNX model?)`);
  const opset = defaultOpset(model, opts.where);
  checkSupported(g, opts.where);
  // Lengths computed at run time (extents) get their bound from the first symbolic dim they meet
  // (a broadcast or reshape against T): a first pass finds it, a second types the graph with it.
  const first = lowerPass(model, g, opset, opts, undefined);
  if (first.L.extents.size === 0) return first.graph;
  const bounds = extentBounds(first.L.nodeTypes, first.L.extents, (m) => first.L.fail(m));
  const second = lowerPass(model, g, opset, opts, bounds);
  return second.graph;
}

function lowerPass(model: ModelProto, g: GraphProto, opset: number, opts: LowerOptions, bounds: ReadonlyMap<string, Dim> | undefined): { graph: Graph; L: Lowering } {
  const L: Lowering = new Lowering(opset, opts, undefined, bounds);
  for (const init of g.initializer ?? []) {
    L.addConstant(init.name ?? "", tensorFromProto(init, { where: `${opts.where}: initializer "${init.name}"`, baseDir: opts.baseDir }));
  }
  if ((g.sparseInitializer ?? []).length > 0) L.fail("sparse initializers are not supported");

  const inputs: string[] = [];
  checkBindNames(g, opts);
  const declared = new Map<string, TensorType>();
  for (const vi of g.input ?? []) {
    const name = vi.name ?? "";
    if (!L.constants.has(name)) declared.set(name, valueInfoType(vi, `input "${name}"`, L)); // IR < 4 lists initializers among the inputs
  }
  const fixed = opts.inputShapes ? inputShapeSymbols(opts.where, opts.inputShapes, declared) : {};
  for (const [name, declaredType] of declared) {
    const type = specializeType(declaredType, fixed);
    const bound = opts.bind?.[name];
    if (bound !== undefined) {
      const value = bindTensor(opts.where, name, type, bound);
      L.addConstant(name, value);
      L.boundInputs.set(name, value);
      continue;
    }
    L.types.set(name, type);
    inputs.push(name);
  }

  lowerNodes(g.node ?? [], L, 0);

  const outputs: string[] = [];
  for (const vi of g.output ?? []) {
    const name = vi.name ?? "";
    const t = L.types.get(name);
    if (!t) L.fail(`graph output "${name}" is not produced by any node`);
    checkDeclared(vi, t, L);
    outputs.push(name);
  }
  if (!bounds && L.extents.size > 0) return { graph: undefined as unknown as Graph, L }; // the first pass only finds bounds
  return { graph: finish(L, g.name || "main", inputs, outputs, model), L };
}

/** Every name given to bind must be a graph input (one not backed by an initializer). */
function checkBindNames(g: GraphProto, opts: LowerOptions): void {
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ""));
  const inputs = (g.input ?? []).map((vi) => vi.name ?? "").filter((n) => !inits.has(n));
  const unknown = Object.keys(opts.bind ?? {}).find((n) => !inputs.includes(n));
  if (unknown !== undefined) {
    throw new UsageError(`${opts.where}: cannot bind "${unknown}": the model has no input of that name (its inputs are ${inputs.join(", ") || "none"})`);
  }
}

function defaultOpset(model: ModelProto, where: string): number {
  let opset: number | undefined;
  for (const o of model.opsetImport ?? []) {
    if (!o.domain || o.domain === "ai.onnx") opset = toNum(o.version);
  }
  if (opset === undefined) {
    // IR version 2 models could omit opset_import; they are opset 1..6, too old anyway.
    throw new ModelError(`${where}: the model declares no opset for the default ONNX domain`);
  }
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ModelError(`${where}: opset ${opset} is not supported (neonc reads opsets ${MIN_OPSET} to ${MAX_OPSET})`);
  }
  return opset;
}

/** Collects every unsupported op and data type of the model and reports them together. */
function checkSupported(g: GraphProto, where: string): void {
  const ops = new Map<string, string[]>();
  const dtypes = new Set<string>();
  const visit = (graph: GraphProto) => {
    for (const n of graph.node ?? []) {
      const domain = n.domain && n.domain !== "ai.onnx" ? `${n.domain}.` : "";
      const known = (!domain && n.opType === "If") || findOnnxOp(n.opType ?? "", n.domain ?? "");
      if (!known) {
        const key = `${domain}${n.opType}`;
        const list = ops.get(key) ?? [];
        list.push(n.name || n.output?.[0] || "?");
        ops.set(key, list);
      }
      for (const a of n.attribute ?? []) {
        if (a.g) visit(a.g);
        for (const sg of a.graphs ?? []) visit(sg);
      }
    }
    const checkType = (code: number | null | undefined) => {
      if (code !== undefined && code !== null && !dtypeFromOnnx(code)) dtypes.add(onnxTypeName(code));
    };
    for (const t of graph.initializer ?? []) checkType(t.dataType);
    for (const vi of [...(graph.input ?? []), ...(graph.output ?? [])]) checkType(vi.type?.tensorType?.elemType);
  };
  visit(g);
  for (const loop of ["Loop", "Scan"]) {
    const nodes = ops.get(loop);
    if (nodes) {
      throw new ModelError(`${where}: neonc does not run ${loop} (node ${nodes[0]}): a loop whose trip count is known only at run time has no static C form; export the model with the loop unrolled (e.g. torch.jit.trace rather than torch.jit.script)`);
    }
  }
  const strings = stringUses(g);
  if (strings) throw new ModelError(`${where}: ${strings}`);
  const parts: string[] = [];
  if (ops.size > 0) {
    const list = [...ops.entries()].map(([op, nodes]) => `${op} (${nodes.length > 3 ? `${nodes.slice(0, 3).join(", ")}, ...` : nodes.join(", ")})`);
    parts.push(`unsupported op${ops.size > 1 ? "s" : ""}: ${list.join("; ")}`);
  }
  if (dtypes.size > 0) parts.push(`unsupported data type${dtypes.size > 1 ? "s" : ""}: ${[...dtypes].join(", ")}`);
  if (parts.length > 0) throw new ModelError(`${where}: ${parts.join("; ")}`);
}

const ONNX_STRING = 8;

/**
 * Where a string tensor is used for anything but its conversion to numbers, or undefined.
 * neonc computes on numbers: a string input or initializer may only be read by Cast (to a number
 * type); any other use, a Cast to string or a string graph output is refused in one sentence.
 */
function stringUses(g: GraphProto): string | undefined {
  const strings = new Set<string>();
  for (const t of g.initializer ?? []) if (t.dataType === ONNX_STRING) strings.add(t.name ?? "");
  for (const vi of g.input ?? []) if (vi.type?.tensorType?.elemType === ONNX_STRING) strings.add(vi.name ?? "");
  const refuse = (what: string) => `${what}; neonc computes on numbers and takes strings only as the input of a Cast to a number type`;
  for (const n of g.node ?? []) {
    const node = `${n.opType} (node ${n.name || n.output?.[0] || "?"})`;
    const read = (n.input ?? []).find((i) => strings.has(i));
    if (read !== undefined && n.opType !== "Cast") return refuse(`the string tensor "${read}" is read by ${node}`);
    const to = (n.attribute ?? []).find((a) => a.name === "to");
    if (n.opType === "Cast" && to && (toNum(to.i ?? 0) === ONNX_STRING || new TextDecoder().decode(to.s ?? new Uint8Array()).toUpperCase() === "STRING")) {
      return refuse(`${node} casts to string`);
    }
  }
  const out = (g.output ?? []).find((vi) => vi.type?.tensorType?.elemType === ONNX_STRING);
  return out ? refuse(`the graph output "${out.name}" is a string tensor`) : undefined;
}

function valueInfoType(vi: ValueInfoProto, what: string, L: Lowering): TensorType {
  const tt = vi.type?.tensorType;
  if (!tt) L.fail(`${what} is not a tensor (sequence, map and optional values are not supported)`);
  const dtype = dtypeFromOnnx(tt.elemType ?? 0);
  if (!dtype) L.fail(`${what} has data type ${onnxTypeName(tt.elemType ?? 0)}, which neonc does not support`);
  if (!tt.shape) L.fail(`${what} has no shape; neonc needs the rank of every input`);
  const shape: Dim[] = (tt.shape.dim ?? []).map((d, i) => {
    if (d.dimValue !== undefined && d.dimValue !== null && !d.dimParam) {
      const v = toNum(d.dimValue);
      if (!Number.isSafeInteger(v) || v < 0) L.fail(`${what} has an invalid dim ${v}`);
      return v;
    }
    return symbolFor(d.dimParam || `${vi.name}_${i}`);
  });
  return { dtype, shape };
}

/**
 * The name an ONNX dim_param gets in the IR: a C identifier (the generated C makes it a variable),
 * so "seq-len" becomes seq_len, "2T" d_2T, and floor / ceil (dim functions) floor_ / ceil_.
 */
export function onnxDimSymbol(param: string): string {
  let s = param.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_]/.test(s)) s = `d_${s}`;
  if (s === "floor" || s === "ceil") s = `${s}_`;
  return s;
}

function symbolFor(param: string): Dim {
  return { c: 0, terms: [{ coef: 1, atom: { kind: "sym", name: onnxDimSymbol(param) } }] };
}

/** Declared output shapes must agree with the inferred ones where both are concrete. */
function checkDeclared(vi: ValueInfoProto, t: TensorType, L: Lowering): void {
  const tt = vi.type?.tensorType;
  if (!tt) return;
  const dt = tt.elemType ? dtypeFromOnnx(tt.elemType) : undefined;
  if (dt && dt !== t.dtype) L.fail(`graph output "${vi.name}" is declared ${dt} but computes ${t.dtype}`);
  const dims = tt.shape?.dim;
  if (!dims) return;
  if (dims.length !== t.shape.length) {
    L.fail(`graph output "${vi.name}" is declared with rank ${dims.length} but computes ${typeToString(t)}`);
  }
  dims.forEach((d, i) => {
    const inferred = t.shape[i]!;
    if (d.dimValue !== undefined && d.dimValue !== null && !d.dimParam && typeof inferred === "number" && toNum(d.dimValue) !== inferred && toNum(d.dimValue) > 0) {
      L.fail(`graph output "${vi.name}" is declared with dim ${i} = ${toNum(d.dimValue)} but computes ${typeToString(t)}`);
    }
  });
}

function lowerNodes(nodes: readonly NodeProto[], L: Lowering, depth: number): void {
  for (const n of nodes) lowerNode(n, L, depth);
}

function lowerNode(n: NodeProto, L: Lowering, depth: number): void {
  const opType = n.opType ?? "";
  const label = `node "${n.name || n.output?.[0] || "?"}" (${opType})`;
  const fail = (msg: string): never => L.fail(`${label}: ${msg}`);
  const inputs = (n.input ?? []).map((s) => s ?? "");
  const outputs = (n.output ?? []).map((s) => s ?? "");
  for (const i of inputs) if (i && !L.resolve(i)) fail(`input "${i}" is not defined before this node (missing initializer or graph input?)`);
  for (const o of outputs) if (o && L.types.has(o)) fail(`output "${o}" is assigned twice`);

  const attrs: Record<string, AttrValue> = {};
  const graphs: Record<string, GraphProto> = {};
  for (const a of n.attribute ?? []) {
    let d: DecodedAttr;
    try {
      d = decodeAttribute(a, `${L.opts.where}: ${label}`, L.opts.baseDir);
    } catch (e) {
      if (e instanceof ModelError) throw e;
      return fail(errorMessage(e));
    }
    if (d.kind === "unsupported") fail(`${d.what} is not supported`);
    else if (d.kind === "graph") graphs[a.name ?? ""] = d.graph;
    else if (a.refAttrName) fail(`attribute "${a.name}" refers to a function attribute, which is not supported`);
    else attrs[a.name ?? ""] = d.value;
  }

  if (opType === "If") return lowerIf(n.name || outputs[0] || "If", inputs, outputs, graphs, L, depth, fail);

  const def = findOnnxOp(opType, n.domain ?? "")!;
  const nodeIn: OnnxNodeIn = { opType, name: n.name ?? "", inputs, outputs, attrs };
  const ctx: OnnxImportContext = {
    opset: L.opset,
    constant: (name) => L.constants.get(name),
    dimsValue: (name) => L.known.get(name),
    type: (name) => L.types.get(name),
    fail,
    runTimeOperand: (value, what, message) => {
      throw new RunTimeOperandError(`${L.opts.where}: ${label}: ${message}`, value, what, n.name || outputs[0] || opType, opType);
    },
  };
  let spec: IrNodeSpec;
  try {
    spec = def.fromOnnx ? def.fromOnnx(nodeIn, ctx) : defaultImport(def, nodeIn, fail);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    return fail(errorMessage(e));
  }
  // A hook may lower to another IR op (e.g. a form that only exists in old opsets).
  const target = spec.op && spec.op !== def.name ? findOp(spec.op) : def;
  if (!target) return fail(`lowers to unknown IR op ${spec.op}`);
  emit(spec, target, n.name || outputs[0] || opType, L, fail);
}

function defaultImport(def: OpDef<any>, n: OnnxNodeIn, fail: (m: string) => never): IrNodeSpec {
  for (const k of Object.keys(n.attrs)) {
    if (!(k in def.attrs)) fail(`attribute "${k}" is not supported`);
  }
  return { inputs: n.inputs, outputs: n.outputs, attrs: n.attrs };
}

/** Adds a lowered node: infers its types, folds it when its value is known, else appends it. */
function emit(spec: IrNodeSpec, def: OpDef<any>, baseName: string, L: Lowering, fail: (m: string) => never): void {
  let inputs = [...spec.inputs];
  while (inputs.length > 0 && inputs[inputs.length - 1] === "") inputs.pop();
  const outputs = [...spec.outputs];
  const inTypes = inputs.map((i) => (i ? L.types.get(i) : undefined));
  inputs.forEach((i, k) => {
    if (i && !inTypes[k]) fail(`input "${i}" is not defined before this node`);
  });
  let attrs;
  try {
    attrs = resolveAttrs(def, spec.attrs);
    for (const [k, s] of Object.entries(def.attrs as Record<string, { required?: boolean }>)) {
      if (s.required && attrs[k] === undefined) fail(`required attribute "${k}" is missing`);
    }
  } catch (e) {
    if (e instanceof ModelError) throw e;
    return fail(errorMessage(e));
  }
  let outTypes: TensorType[];
  try {
    outTypes = def.infer(inTypes, attrs, {
      numOutputs: outputs.length,
      constant: (k: number) => (inputs[k] ? L.constants.get(inputs[k]!) : undefined),
    });
  } catch (e) {
    if (e instanceof ModelError) throw e;
    return fail(errorMessage(e));
  }

  // Fold when every input is a constant (Constant nodes, which have none, included).
  const present = inputs.filter((i) => i);
  if (!L.opts.keep?.has(def.name) && present.every((i) => L.constants.has(i)) && !outTypes.some((t) => t.shape.some(isSymbolic))) {
    let values: Tensor[];
    try {
      values = def.evaluate(inputs.map((i) => (i ? L.constants.get(i) : undefined)), attrs, { numOutputs: outputs.length });
    } catch (e) {
      return fail(`cannot evaluate at import: ${errorMessage(e)}`);
    }
    outputs.forEach((o, k) => {
      if (o && values[k]) L.addConstant(o, values[k]!);
    });
    return;
  }

  // Fold shape computations whose values are known (possibly symbolic).
  if (def.foldDims) {
    const knownIn = inputs.map((i) => (i ? L.known.get(i) : undefined));
    let knownOut: (readonly Dim[] | undefined)[] | undefined;
    try {
      knownOut = def.foldDims(knownIn, attrs, inTypes);
    } catch {
      knownOut = undefined;
    }
    if (knownOut && knownOut.length === outputs.length && knownOut.every((v) => v)) {
      if (knownOut.every((v) => v!.every((d) => typeof d === "number"))) {
        outputs.forEach((o, k) => {
          const t = outTypes[k]!;
          const shape = t.shape as number[];
          if (numel(shape) === knownOut![k]!.length) L.addConstant(o, fromNumbers(t.dtype, shape, knownOut![k] as number[]));
        });
        if (outputs.every((o) => L.constants.has(o))) return;
      }
      outputs.forEach((o, k) => L.known.set(o, knownOut![k]!));
    }
  }
  // A one-element integer value computed from tensor data alone (ReduceMax(lengths); not from
  // shapes, such as a product T*N that dims cannot hold): if it becomes a dim (a Range over it),
  // that dim is an extent.
  const shapeBased = inputs.some((i) => i && (L.known.has(i) || L.fromShapes.has(i)));
  if (shapeBased) for (const o of outputs) if (o) L.fromShapes.add(o);
  if (outputs.length === 1 && outputs[0] && !L.known.has(outputs[0]) && !shapeBased && /^i(32|64)$/.test(outTypes[0]!.dtype) &&
      outTypes[0]!.shape.length <= 1 && outTypes[0]!.shape.every((d) => d === 1)) {
    L.known.set(outputs[0], [L.freshExtent(`node "${baseName}" (${def.name})`, outputs[0])]);
  }

  outputs.forEach((o, k) => {
    if (o) {
      const t = outTypes[k];
      if (!t) fail(`the op gives no type for output ${k}`);
      L.types.set(o, t);
    }
  });
  bindExtents(def.name, outTypes, baseName, L);
  L.nodes.push({ name: L.uniqueNodeName(baseName), op: spec.op ?? def.name, inputs, outputs, attrs: spec.attrs });
  L.nodeTypes.push({ ins: inTypes, outs: outTypes, op: def.name });
}

/**
 * An extent gets its run-time value where a node first has it as a dim: a Range whose length it
 * is binds it (the interpreter and the C take the length of the Range's output). Before any other
 * node that is first (a ConstantOfShape, Expand or Slice whose dims attribute holds len1), the
 * importer adds that Range over the value holding the extent, `Range(0, len, 1)`, whose output
 * nothing reads: it binds and checks the length (canonicalize keeps it, passes/canonicalize/dce.ts).
 */
function bindExtents(op: string, outTypes: readonly TensorType[], baseName: string, L: Lowering): void {
  const mentioned = new Map<string, Dim>();
  for (const t of outTypes) for (const d of t.shape) for (const [n, b] of dimExtents(d)) mentioned.set(n, b);
  if (op === "Range") {
    const e = asExtent(outTypes[0]?.shape[0] ?? 0);
    if (e) L.bound.add(e.name);
  }
  for (const [name, bound] of mentioned) {
    if (L.bound.has(name)) continue;
    const carrier = L.carriers.get(name)!;
    const ct = L.types.get(carrier)!;
    const fresh = (base: string): string => {
      let v = base;
      for (let k = 1; L.types.has(v) || L.constants.has(v); k++) v = `${base}_${k}`;
      return v;
    };
    const zero = fresh(`${carrier}__zero`);
    L.addConstant(zero, fromNumbers(ct.dtype, [], [0]));
    const one = fresh(`${carrier}__one`);
    L.addConstant(one, fromNumbers(ct.dtype, [], [1]));
    const out = fresh(`${carrier}__length`);
    const scalar = ct.shape.length === 0 ? carrier : fresh(`${carrier}__scalar`);
    const dim = extent(name, bound);
    if (scalar !== carrier) {
      // Range takes scalars; a [1] value is read through a Squeeze.
      const st = tensorType(ct.dtype, []);
      L.types.set(scalar, st);
      L.nodes.push({ name: L.uniqueNodeName(`${baseName}/extent_scalar`), op: "Squeeze", inputs: [carrier], outputs: [scalar], attrs: { axes: [0] } });
      L.nodeTypes.push({ ins: [ct], outs: [st], op: "Squeeze" });
    }
    const t = tensorType(ct.dtype, [dim]);
    L.types.set(out, t);
    L.nodes.push({ name: L.uniqueNodeName(`${baseName}/extent_${name}`), op: "Range", inputs: [zero, scalar, one], outputs: [out], attrs: { size: [dim] } });
    L.nodeTypes.push({ ins: [tensorType(ct.dtype, []), L.types.get(scalar), tensorType(ct.dtype, [])], outs: [t], op: "Range" });
    L.bound.add(name);
  }
}

/**
 * An If whose condition is known at import is inlined (its taken branch's nodes join the graph);
 * otherwise both branches are lowered as nested graphs of an If node that binds the values they
 * capture (ir/ops/control/if.ts).
 */
function lowerIf(
  name: string, inputs: string[], outputs: string[], graphs: Record<string, GraphProto>, L: Lowering, depth: number, fail: (m: string) => never,
): void {
  if (depth > 16) fail("If nodes are nested too deeply");
  for (const b of ["then_branch", "else_branch"]) if (!graphs[b]) fail(`the branch graph ${b} is missing`);
  const cond = L.constants.get(inputs[0] ?? "");
  if (cond) return inlineIf(cond, outputs, graphs, L, depth, fail);
  try {
    lowerRunTimeIf(name, inputs, outputs, graphs, L, depth, fail);
  } catch (e) {
    // A branch that cannot be typed (or branches of different ranks) under a run-time condition:
    // the caller (load-model.ts) names the inputs that would decide it at import.
    if (e instanceof RunTimeIfError) throw new RunTimeIfError(e.message, [...e.conditions, inputs[0]!]);
    if (!(e instanceof ModelError) || e instanceof RunTimeOperandError) throw e;
    throw new RunTimeIfError(`${e.message}, under the If "${name}" whose condition "${inputs[0]}" is known only at run time`, [inputs[0]!]);
  }
}

/**
 * An import stopped inside an If whose condition is known only at run time (and maybe inside
 * further such Ifs around it): fixing what decides `conditions` (input dims, input values) would
 * inline them and lower only the branches taken.
 */
export class RunTimeIfError extends ModelError {
  constructor(message: string, readonly conditions: readonly string[]) {
    super(message);
    this.name = "RunTimeIfError";
  }
}

/** Both branches of an If as nested graphs of one If node. */
function lowerRunTimeIf(
  name: string, inputs: string[], outputs: string[], graphs: Record<string, GraphProto>, L: Lowering, depth: number, fail: (m: string) => never,
): void {
  const branches = (["then_branch", "else_branch"] as const).map((b) => {
    const child = new Lowering(L.opset, L.opts, L);
    lowerBranchNodes(graphs[b]!, child, depth, fail);
    const outs = (graphs[b]!.output ?? []).map((o) => o.name ?? "");
    if (outs.length !== outputs.length) fail(`${b} has ${outs.length} outputs, the node ${outputs.length}`);
    outs.forEach((o, k) => {
      if (!child.resolve(o)) fail(`${b} output "${o}" is not produced`);
      checkDeclared(graphs[b]!.output![k]!, child.types.get(o)!, child);
    });
    return { attr: b, child, outs };
  });
  // Both branches take every captured value, in one order, so the node binds them once.
  const captures = [...new Set(branches.flatMap((b) => b.child.captures))];
  const attrs: Record<string, AttrValue> = {};
  for (const b of branches) attrs[b.attr] = finishBranch(b.child, b.attr, captures, b.outs, L);
  const def = findOp("If")!;
  emit({ op: "If", inputs: [inputs[0]!, ...captures], outputs, attrs }, def, name, L, fail);
}

function lowerBranchNodes(g: GraphProto, L: Lowering, depth: number, fail: (m: string) => never): void {
  for (const init of g.initializer ?? []) {
    L.addConstant(init.name ?? "", tensorFromProto(init, { where: `${L.opts.where}: If branch initializer "${init.name}"`, baseDir: L.opts.baseDir }));
  }
  if ((g.input ?? []).length > 0) fail("an If branch declares inputs; If branches take none in ONNX");
  lowerNodes(g.node ?? [], L, depth + 1);
}

/** Inlines the branch an If's known condition takes. */
function inlineIf(cond: Tensor, outputs: string[], graphs: Record<string, GraphProto>, L: Lowering, depth: number, fail: (m: string) => never): void {
  const taken = Number(cond.data[0]) !== 0 ? graphs["then_branch"]! : graphs["else_branch"]!;
  lowerBranchNodes(taken, L, depth, fail);
  const branchOuts = (taken.output ?? []).map((o) => o.name ?? "");
  if (branchOuts.length !== outputs.length) fail(`the taken branch has ${branchOuts.length} outputs, the node ${outputs.length}`);
  const identity = findOnnxOp("Identity");
  if (!identity) fail("Identity is needed to inline If");
  outputs.forEach((o, k) => {
    const src = branchOuts[k]!;
    if (!L.resolve(src)) fail(`branch output "${src}" is not produced`);
    emit({ op: identity.name, inputs: [src], outputs: [o], attrs: {} }, identity, o, L, fail);
  });
}

/** A lowered branch as a nested graph: inputs are the If's captures, dead nodes and constants dropped. */
function finishBranch(child: Lowering, name: string, captures: readonly string[], outputs: readonly string[], outer: Lowering): Graph {
  const { nodes, constants } = liveParts(child, outputs);
  const types: Record<string, TensorType> = {};
  for (const c of captures) types[c] = child.types.get(c) ?? outer.types.get(c)!;
  for (const [k, t] of Object.entries(constants)) types[k] = child.types.get(k) ?? typeOfTensor(t);
  for (const n of nodes) for (const o of n.outputs) if (o) types[o] = child.types.get(o)!;
  return makeGraph({ name, inputs: [...captures], outputs: [...outputs], nodes, types, constants });
}

/**
 * The nodes that the outputs need (in order) and the constants they read. A Range that binds an
 * extent (bindExtents) is needed by the nodes whose types mention the extent.
 */
function liveParts(L: Lowering, outputs: readonly string[]): { nodes: Node[]; constants: Record<string, Tensor> } {
  const live = new Set(outputs);
  const kept: Node[] = [];
  const extentsUsed = new Set<string>();
  for (let k = L.nodes.length - 1; k >= 0; k--) {
    const n = L.nodes[k]!;
    const binds = n.op === "Range" ? asExtent(((n.attrs?.size as readonly Dim[] | undefined)?.[0]) ?? 0) : undefined;
    if (!n.outputs.some((o) => live.has(o)) && !(binds && extentsUsed.has(binds.name))) continue;
    kept.push(n);
    for (const i of n.inputs) if (i) live.add(i);
    for (const v of [...n.inputs, ...n.outputs]) for (const d of (v ? L.types.get(v)?.shape : undefined) ?? []) for (const e of dimExtents(d).keys()) extentsUsed.add(e);
  }
  kept.reverse();
  const constants: Record<string, Tensor> = {};
  for (const [k, t] of L.constants) if (live.has(k)) constants[k] = t;
  return { nodes: kept, constants };
}

/** Drops nodes and constants that nothing uses, then freezes the graph. */
function finish(L: Lowering, name: string, inputs: string[], outputs: string[], model: ModelProto): Graph {
  const { nodes: kept, constants } = liveParts(L, outputs);
  const types: Record<string, TensorType> = {};
  for (const i of inputs) types[i] = L.types.get(i)!;
  for (const k of Object.keys(constants)) types[k] = L.types.get(k)!;
  for (const n of kept) for (const o of n.outputs) if (o) types[o] = L.types.get(o)!;
  const meta: Record<string, string> = { opset: String(L.opset), ...boundInputsMeta(L.boundInputs) };
  if (model.producerName) meta["producer"] = model.producerName + (model.producerVersion ? ` ${model.producerVersion}` : "");
  const graph = makeGraph({ name: name.replace(/[^A-Za-z0-9_.]/g, "_") || "main", inputs, outputs, nodes: kept, types, constants, meta });
  // The lowering should only ever build valid graphs; a problem here is a neonc bug, reported
  // as such rather than handed on as a half-valid graph.
  const problems = verifyProblems(graph);
  if (problems.length > 0) L.fail(`the imported graph does not verify (a neonc bug, please report it): ${problems.slice(0, 3).join("; ")}`);
  return graph;
}

export type { DType };
