// The IR graph: nodes in topological order over named values, with a type for every value.
//
// Graphs are immutable. Change them with `updateGraph` (immer's `produce`) or build new ones;
// constant tensors are shared between versions, never copied (immer does not draft typed arrays).
import { freeze, produce, type Draft } from "immer";
import type { Dim } from "./dim.js";
import type { Tensor, TensorType } from "./types.js";

/**
 * Attribute values. `dims` attributes may hold symbolic dims (e.g. an Expand target [T,1,64]);
 * `graph` attributes hold a nested graph (the branches of If).
 */
export type AttrValue = number | string | readonly number[] | readonly string[] | Tensor | readonly Dim[] | Graph;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Node {
  /** Unique within the graph; taken from the ONNX node name or made up from the first output. */
  readonly name: string;
  readonly op: string;
  /** Value names; "" marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

export interface Graph {
  readonly name: string;
  /** Names of the runtime inputs, in order. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly Node[];
  /** The type of every value: inputs, constants and node outputs. */
  readonly types: Readonly<Record<string, TensorType>>;
  /** Constant values (ONNX initializers and folded constants). */
  readonly constants: Readonly<Record<string, Tensor>>;
  /** Free-form provenance kept for export (producer name, opset of the source model...). */
  readonly meta?: Readonly<Record<string, string>>;
}

export function makeGraph(g: Graph): Graph {
  return freeze(g, true);
}

/** Returns an updated copy of the graph; `g` itself is never changed. */
export function updateGraph(g: Graph, recipe: (draft: Draft<Graph>) => void): Graph {
  return produce(g, recipe);
}

/** Node that produces each value. */
export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/** Nodes that read each value (a node appears once per input slot that reads it). */
export function users(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}

/** Names of all values used by the nodes or outputs of g that are neither produced nor inputs. */
export function isConstant(g: Graph, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(g.constants, name);
}

/** True when an attribute value is a nested graph (an If branch). */
export function isGraphValue(v: unknown): v is Graph {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "nodes" in v && "outputs" in v && "types" in v;
}

/** The nested graphs a node holds (its graph attributes), by attribute name, in name order. */
export function subgraphsOf(n: Node): [string, Graph][] {
  const out: [string, Graph][] = [];
  for (const k of Object.keys(n.attrs).sort()) {
    const v = n.attrs[k];
    if (isGraphValue(v)) out.push([k, v]);
  }
  return out;
}

/** True when any node of g holds a nested graph. */
export function hasSubgraphs(g: Graph): boolean {
  return g.nodes.some((n) => subgraphsOf(n).length > 0);
}

/**
 * Applies `f` to every nested graph of g's nodes (not to g itself; `f` recurses if it wants
 * deeper levels). Returns g itself when `f` changed nothing, so fixed points stay cheap to see.
 */
export function mapSubgraphs(g: Graph, f: (sub: Graph, node: Node, attr: string) => Graph): Graph {
  let changed = false;
  const nodes = g.nodes.map((n) => {
    const subs = subgraphsOf(n);
    if (subs.length === 0) return n;
    let attrs: Record<string, AttrValue> | undefined;
    for (const [k, sub] of subs) {
      const next = f(sub, n, k);
      if (next !== sub) (attrs ??= { ...n.attrs })[k] = next;
    }
    if (!attrs) return n;
    changed = true;
    return { ...n, attrs };
  });
  return changed ? makeGraph({ ...g, nodes }) : g;
}

/** Every node of g and of its nested graphs, outer nodes before the nodes of their branches. */
export function allNodes(g: Graph): Node[] {
  const out: Node[] = [];
  for (const n of g.nodes) {
    out.push(n);
    for (const [, sub] of subgraphsOf(n)) out.push(...allNodes(sub));
  }
  return out;
}
