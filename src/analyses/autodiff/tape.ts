// Forward run that records what reverse mode needs: every node's inputs, outputs and resolved
// attributes, and which values depend (differentiably) on the graph inputs.
//
// The run itself is the interpreter's (runGraph), so the tape holds exactly the numbers the
// reference produces. With `targets` the graph is first cut down to the nodes those values
// depend on (e.g. the inputs of every BatchNormalization), so nothing after them is computed.
import { evalDim, isSymbolic, type Dim } from "../../../ir/dim.js";
import { isFloat } from "../../../ir/dtype.js";
import type { Attrs, Graph, Node } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import type { Tensor } from "../../../ir/types.js";
import { ModelError } from "../../../ir/errors.js";
import { bindSymbols, runGraph } from "../../runtime/interpreter.js";
import { vjpRule } from "./rules/index.js";

export interface TapeEntry {
  readonly node: Node;
  readonly attrs: Readonly<Record<string, any>>;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
}

export interface Tape {
  /** The graph that ran (pruned to `targets` when they were given). */
  readonly graph: Graph;
  readonly entries: readonly TapeEntry[];
  /** Every value of the run: inputs, constants read, node outputs. */
  readonly values: ReadonlyMap<string, Tensor>;
  /** Values that depend differentiably on a graph input (float, through differentiable ops). */
  readonly differentiable: ReadonlySet<string>;
}

export interface TapeOptions {
  /** Values the caller needs (with their gradients); the graph is pruned to what they depend on. */
  readonly targets?: readonly string[];
}

/** The graph restricted to the nodes that `targets` depend on, with `targets` as its outputs. */
export function pruneToTargets(g: Graph, targets: readonly string[]): Graph {
  const needed = new Set(targets);
  const keep: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    keep.push(n);
    for (const x of n.inputs) if (x) needed.add(x);
  }
  for (const t of targets) {
    if (!g.types[t]) throw new ModelError(`no value named "${t}" in graph ${g.name}`);
  }
  return { ...g, nodes: keep.reverse(), outputs: [...targets] };
}

/** The values of g that depend differentiably on its float inputs. */
export function differentiableValues(g: Graph): Set<string> {
  const d = new Set<string>();
  for (const i of g.inputs) if (isFloat(g.types[i]!.dtype)) d.add(i);
  for (const n of g.nodes) {
    if (!n.inputs.some((i) => i && d.has(i))) continue;
    for (const o of n.outputs) if (o && g.types[o] && isFloat(g.types[o]!.dtype)) d.add(o);
  }
  return d;
}

/** Nodes on the differentiable path whose op has no gradient rule, as "op (node name)". */
export function unsupportedOps(g: Graph, diff: ReadonlySet<string> = differentiableValues(g)): string[] {
  return g.nodes
    .filter((n) => !vjpRule(n.op) && n.outputs.some((o) => diff.has(o)))
    .map((n) => `${n.op} (node ${n.name})`);
}

/** Runs g on `inputs`, recording a tape for `backward`. */
export function forwardWithTape(graph: Graph, inputs: Readonly<Record<string, Tensor>>, options: TapeOptions = {}): Tape {
  const g = options.targets ? pruneToTargets(graph, options.targets) : graph;
  const differentiable = differentiableValues(g);
  const missing = unsupportedOps(g, differentiable);
  if (missing.length > 0) {
    throw new ModelError(`cannot compute gradients through ${[...new Set(missing.map((m) => m.split(" ")[0]))].join(", ")}: no gradient rule for ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""}`);
  }
  const env = bindSymbols(g, inputs);
  const values = new Map<string, Tensor>();
  for (const name of g.inputs) values.set(name, inputs[name]!);
  const entries: TapeEntry[] = [];
  const read = (name: string): Tensor | undefined => (name ? values.get(name) ?? g.constants[name] : undefined);
  runGraph(g, inputs, {
    onNode(node, outs) {
      const def = getOp(node.op);
      entries.push({ node, attrs: resolveAttrs(def, evaluatedDims(def.attrs, node.attrs, env)), inputs: node.inputs.map(read), outputs: outs });
      node.outputs.forEach((o, k) => {
        if (o && outs[k]) values.set(o, outs[k]!);
      });
    },
  });
  return { graph: g, entries, values, differentiable };
}

/** `dims` attributes with their symbolic dims evaluated for this run (as the interpreter does). */
function evaluatedDims(schema: Readonly<Record<string, { kind: string }>>, attrs: Attrs, env: Record<string, number>): Attrs {
  let out: Record<string, unknown> | undefined;
  for (const [k, spec] of Object.entries(schema)) {
    const v = attrs[k] as readonly Dim[] | undefined;
    if (spec.kind !== "dims" || !v || !v.some(isSymbolic)) continue;
    out ??= { ...attrs };
    out[k] = v.map((d) => evalDim(d, env));
  }
  return (out ?? attrs) as Attrs;
}
