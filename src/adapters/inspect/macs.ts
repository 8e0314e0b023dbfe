// Multiply-accumulate counts of an imported graph, per node and in total, from the ops' `macs`
// hooks. Counts stay symbolic (a model's time axis T) and are also evaluated at given dim values.
import { addDim, dimSymbols, evalDim, type Dim } from "../../../ir/dim.js";
import type { Graph } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { findOp } from "../../../ir/registry.js";
import { errorMessage } from "../../../ir/errors.js";

export interface LayerMacs {
  readonly node: string;
  readonly op: string;
  /** Undefined when the hook failed (`error` says why). */
  readonly macs?: Dim;
  readonly error?: string;
}

export interface GraphMacs {
  readonly layers: readonly LayerMacs[];
  readonly total: Dim;
}

/** MACs of every node whose op has a `macs` hook, in graph order. */
export function graphMacs(g: Graph): GraphMacs {
  const layers: LayerMacs[] = [];
  let total: Dim = 0;
  for (const node of g.nodes) {
    const def = findOp(node.op);
    if (!def?.macs) continue;
    try {
      const inputs = node.inputs.map((i) => (i ? g.types[i] : undefined));
      const outputs = node.outputs.map((o) => g.types[o]!);
      const macs = def.macs(inputs, outputs, resolveAttrs(def, node.attrs));
      layers.push({ node: node.name, op: node.op, macs });
      total = addDim(total, macs);
    } catch (e) {
      layers.push({ node: node.name, op: node.op, error: errorMessage(e) });
    }
  }
  return { layers, total };
}

/** The value of a count at the given dims, or undefined when a symbol has no value. */
export function evalAt(d: Dim | undefined, env: Readonly<Record<string, number>>): number | undefined {
  if (d === undefined) return undefined;
  try {
    return evalDim(d, env);
  } catch {
    return undefined;
  }
}

/** Every symbol the counts mention. */
export function macsSymbols(m: GraphMacs): Set<string> {
  const out = new Set<string>();
  for (const l of m.layers) if (l.macs !== undefined) dimSymbols(l.macs, out);
  return out;
}
