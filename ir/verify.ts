// The graph verifier: checks the invariants every pass may rely on and every pass must keep.
//
// It collects all problems before throwing, each naming the node and the value, so a broken
// pass shows everything it got wrong at once. Types are checked by re-running each op's type
// rule; a recorded quantization annotation is only compared when the rule itself sets one
// (quantization passes annotate types that float type rules know nothing about).
import { allocData } from "./dtype.js";
import type { Dim } from "./dim.js";
import { isGraphValue, producers, subgraphsOf, users, type AttrValue, type Graph, type Node } from "./graph.js";
import { resolveAttrs, type AttrKind, type AttrSchema, type OpDef } from "./op.js";
import { findOp } from "./registry.js";
import { numel, typesEqual, type Tensor, type TensorType } from "./types.js";
import { isTensorValue } from "./text/attr-text.js";
import { formatValueName as v } from "./text/literals.js";
import { formatType } from "./text/type-text.js";
import "./ops/index.js";

export interface VerifyOptions {
  /** Allow nodes none of whose outputs is used (default true: canonicalize removes them). */
  readonly allowDead?: boolean;
}

export class VerifyError extends Error {
  constructor(readonly graphName: string, readonly problems: readonly string[]) {
    super(`graph @${graphName} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "VerifyError";
  }
}

/** Throws a VerifyError listing every problem found in g. */
export function verifyGraph(g: Graph, options: VerifyOptions = {}): void {
  const problems = verifyProblems(g, options);
  if (problems.length > 0) throw new VerifyError(g.name, problems);
}

/** Every problem found in g, one sentence each (empty when g is valid). */
export function verifyProblems(g: Graph, options: VerifyOptions = {}): string[] {
  const problems: string[] = [];
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

  const inputSet = new Set<string>();
  for (const name of g.inputs) {
    if (inputSet.has(name)) problems.push(`graph input ${v(name)} is listed twice`);
    inputSet.add(name);
    if (!has(g.types, name)) problems.push(`graph input ${v(name)} has no type`);
    if (has(g.constants, name)) problems.push(`graph input ${v(name)} is also a constant`);
  }
  for (const [name, t] of Object.entries(g.constants)) checkConstant(name, t, g.types[name], problems);

  const available = new Set<string>([...g.inputs, ...Object.keys(g.constants)]);
  const producedBy = new Map<string, Node>();
  const laterProducer = producers(g);
  for (const node of g.nodes) checkNode(g, node, available, producedBy, laterProducer, problems);
  // Nested graphs (If branches) keep the same invariants; they read outer values only through
  // their inputs, which the node binds, so each is checked on its own.
  for (const node of g.nodes) {
    for (const [attr, sub] of subgraphsOf(node)) {
      for (const p of verifyProblems(sub, options)) problems.push(`in ${attr} of ${label(node)}: ${p}`);
    }
  }

  for (const name of g.outputs) {
    if (!available.has(name)) problems.push(`graph output ${v(name)} is not a graph input, a constant or any node's output`);
  }

  if (options.allowDead === false) {
    const used = users(g);
    const outs = new Set(g.outputs);
    for (const node of g.nodes) {
      const live = node.outputs.some((o) => o !== "" && (outs.has(o) || used.has(o)));
      if (!live) problems.push(`${label(node)} is dead code: none of its outputs (${node.outputs.filter((o) => o).map(v).join(", ") || "none"}) is used or a graph output`);
    }
  }
  return problems;
}

function label(n: Node): string {
  return `node ${JSON.stringify(n.name)} (${n.op})`;
}

function checkConstant(name: string, t: Tensor, type: TensorType | undefined, problems: string[]): void {
  const shown = `${t.dtype}[${t.shape.join(",")}]`;
  if (!type) problems.push(`constant ${v(name)} has no type`);
  else if (!typesEqual({ dtype: type.dtype, shape: type.shape }, { dtype: t.dtype, shape: t.shape })) {
    problems.push(`constant ${v(name)} has type ${formatType(type)} but its tensor is ${shown}`);
  }
  const tensorProblem = checkTensor(t);
  if (tensorProblem) problems.push(`constant ${v(name)}: ${tensorProblem}`);
}

/** Why a tensor's storage does not fit its dtype and shape, or undefined. */
function checkTensor(t: Tensor): string | undefined {
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `shape [${t.shape.join(",")}] is not a list of sizes`;
  if (t.data.length !== numel(t.shape)) return `holds ${t.data.length} elements, shape [${t.shape.join(",")}] needs ${numel(t.shape)}`;
  const want = allocData(t.dtype, 0);
  const ok = Array.isArray(want) ? Array.isArray(t.data) : t.data.constructor === want.constructor;
  if (!ok) return `${t.dtype} data is stored in a ${t.data.constructor.name}, expected ${want.constructor.name}`;
  return undefined;
}

/** [least count, most count] of a slot list ("x", "b?", "xs*"). */
function slotRange(slots: readonly string[]): [number, number] {
  const variadic = slots.length > 0 && slots[slots.length - 1]!.endsWith("*");
  // A variadic slot takes one value or more, as in ONNX (Concat, Sum, Split's outputs).
  let required = 0;
  for (const s of slots) if (!s.endsWith("?") && !s.endsWith("?*")) required++;
  return [required, variadic ? Infinity : slots.length];
}

function checkSlots(what: "inputs" | "outputs", node: Node, slots: readonly string[], problems: string[]): boolean {
  const [min, max] = slotRange(slots);
  const values = what === "inputs" ? node.inputs : node.outputs;
  const n = values.length;
  if (n < min || n > max) {
    const range = max === Infinity ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
    problems.push(`${label(node)} has ${n} ${what}, ${node.op} takes ${range} (${slots.join(", ")})`);
    return false;
  }
  let ok = true;
  values.forEach((name, i) => {
    const slot = slots[Math.min(i, slots.length - 1)]!;
    if (name === "" && !slot.endsWith("?") && !(what === "outputs" && slot.endsWith("*"))) {
      problems.push(`${label(node)} leaves out required ${what === "inputs" ? "input" : "output"} ${i} (${slot})`);
      ok = false;
    }
  });
  return ok;
}

function checkNode(
  g: Graph, node: Node, available: Set<string>, producedBy: Map<string, Node>,
  laterProducer: Map<string, Node>, problems: string[],
): void {
  const def = findOp(node.op);
  let consistent = true;
  if (!def) {
    problems.push(`${label(node)}: op ${node.op} is not registered`);
    consistent = false;
  } else {
    consistent = checkSlots("inputs", node, def.inputs, problems) && consistent;
    consistent = checkSlots("outputs", node, def.outputs, problems) && consistent;
    consistent = checkAttrs(node, def, problems) && consistent;
  }

  for (const i of node.inputs) {
    if (i === "" || available.has(i)) continue;
    consistent = false;
    const p = laterProducer.get(i);
    problems.push(p === node
      ? `${label(node)} reads ${v(i)}, its own output`
      : p
      ? `${label(node)} reads ${v(i)} before it is defined (by later ${label(p)}): nodes are not in topological order`
      : `${label(node)} reads ${v(i)}, which is not a graph input, a constant or any node's output`);
  }

  node.outputs.forEach((o) => {
    if (o === "") return;
    const first = producedBy.get(o);
    if (first) problems.push(`${label(node)} produces ${v(o)}, which ${first === node ? "it already produces" : `${label(first)} already produces`}`);
    else if (g.inputs.includes(o)) problems.push(`${label(node)} produces ${v(o)}, which shadows a graph input`);
    else if (Object.prototype.hasOwnProperty.call(g.constants, o)) problems.push(`${label(node)} produces ${v(o)}, which shadows a constant`);
    if (!g.types[o]) {
      problems.push(`${label(node)}: output ${v(o)} has no type`);
      consistent = false;
    }
    if (!first) producedBy.set(o, node);
    available.add(o);
  });

  if (def && consistent) checkTypes(g, node, def, problems);
}

function checkTypes(g: Graph, node: Node, def: OpDef<any>, problems: string[]): void {
  const inTypes = node.inputs.map((i) => (i === "" ? undefined : g.types[i]));
  if (node.inputs.some((i, k) => i !== "" && !inTypes[k])) {
    for (const i of node.inputs) if (i !== "" && !g.types[i]) problems.push(`${label(node)}: input ${v(i)} has no type`);
    return;
  }
  let inferred: TensorType[];
  try {
    inferred = def.infer(inTypes, resolveAttrs(def, node.attrs), {
      numOutputs: node.outputs.length,
      constant: (k: number) => {
        const name = node.inputs[k];
        return name ? g.constants[name] : undefined;
      },
    });
  } catch (e) {
    problems.push(`${label(node)}: the type rule of ${node.op} fails: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  node.outputs.forEach((o, k) => {
    if (o === "") return;
    const want = inferred[k];
    const have = g.types[o]!;
    if (!want) {
      problems.push(`${label(node)}: the type rule of ${node.op} gives no type for output ${k} (${v(o)})`);
      return;
    }
    const same = want.quant
      ? typesEqual(have, want)
      : typesEqual({ dtype: have.dtype, shape: have.shape }, { dtype: want.dtype, shape: want.shape });
    if (!same) problems.push(`${label(node)}: output ${v(o)} is recorded as ${formatType(have)} but ${node.op}'s type rule gives ${formatType(want)}`);
  });
}

function checkAttrs(node: Node, def: OpDef<any>, problems: string[]): boolean {
  let ok = true;
  for (const [k, value] of Object.entries(node.attrs)) {
    if (value === undefined) continue;
    const spec = (def.attrs as AttrSchema)[k];
    if (!spec) {
      problems.push(`${label(node)} has attribute ${k}, which ${node.op} does not define (known: ${Object.keys(def.attrs).join(", ") || "none"})`);
      ok = false;
      continue;
    }
    const why = kindMismatch(value, spec.kind);
    if (why) {
      problems.push(`${label(node)}: attribute ${k} ${why}`);
      ok = false;
    }
  }
  for (const [k, spec] of Object.entries(def.attrs as AttrSchema)) {
    if (spec.required && node.attrs[k] === undefined) {
      problems.push(`${label(node)} lacks the required attribute ${k}`);
      ok = false;
    }
  }
  return ok;
}

const isInt = (x: unknown) => typeof x === "number" && Number.isInteger(x);
const isSymDim = (x: unknown) => typeof x === "object" && x !== null && "terms" in x && "c" in x;

/** Why a value does not fit an attribute kind, or undefined when it does. */
function kindMismatch(value: AttrValue, kind: AttrKind): string | undefined {
  const list = Array.isArray(value) ? (value as readonly unknown[]) : undefined;
  switch (kind) {
    case "int": return isInt(value) ? undefined : "must be an integer";
    case "float": return typeof value === "number" ? undefined : "must be a number";
    case "string": return typeof value === "string" ? undefined : "must be a string";
    case "ints": return list?.every(isInt) ? undefined : "must be a list of integers";
    case "floats": return list?.every((x) => typeof x === "number") ? undefined : "must be a list of numbers";
    case "strings": return list?.every((x) => typeof x === "string") ? undefined : "must be a list of strings";
    case "dims": return list?.every((x) => isInt(x) || isSymDim(x as Dim)) ? undefined : "must be a list of dims (integers or symbolic dims)";
    case "graph": return isGraphValue(value) ? undefined : "must be a graph";
    case "tensor": {
      if (!isTensorValue(value)) return "must be a tensor";
      const why = checkTensor(value);
      return why ? `is a malformed tensor: ${why}` : undefined;
    }
  }
}
