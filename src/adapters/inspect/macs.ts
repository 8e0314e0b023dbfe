// Multiply-accumulate counts of an imported graph, per node and in total, from the ops' `macs`
// hooks. Counts stay symbolic (a model's time axis T) and are also evaluated at given dim values.
// A count that is no linear expression of the dims (a symbolic batch N times T, attention's
// T x T) has no symbolic form; it is then counted on the shapes at the given dim values.
import { addDim, DimError, dimSymbols, evalDim, substituteDim, type Dim } from "../../../ir/dim.js";
import type { Graph } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { findOp } from "../../../ir/registry.js";
import { errorMessage } from "../../../ir/errors.js";
import type { TensorType } from "../../../ir/types.js";

export interface LayerMacs {
  readonly node: string;
  readonly op: string;
  /** Undefined when the hook failed or the count has no symbolic form (`error` says why). */
  readonly macs?: Dim;
  /** The count at the given dims when it has no symbolic form. */
  readonly atDims?: number;
  /** The count is not linear in the dims and some of them have no value: no count at all. */
  readonly needsDims?: boolean;
  readonly error?: string;
}

export interface GraphMacs {
  readonly layers: readonly LayerMacs[];
  /** The sum of the symbolic counts (without the layers that have none). */
  readonly total: Dim;
}

/**
 * MACs of every node whose op has a `macs` hook, in graph order; `env` gives dim values to
 * count at when a count has no symbolic form.
 */
export function graphMacs(g: Graph, env: Readonly<Record<string, number>> = {}): GraphMacs {
  const layers: LayerMacs[] = [];
  let total: Dim = 0;
  const at = (t: TensorType | undefined): TensorType | undefined => t && { ...t, shape: t.shape.map((d) => substituteDim(d, env)) };
  for (const node of g.nodes) {
    const def = findOp(node.op);
    if (!def?.macs) continue;
    const inputs = node.inputs.map((i) => (i ? g.types[i] : undefined));
    const outputs = node.outputs.map((o) => g.types[o]!);
    const attrs = resolveAttrs(def, node.attrs);
    try {
      const macs = def.macs(inputs, outputs, attrs);
      layers.push({ node: node.name, op: node.op, macs });
      total = addDim(total, macs);
    } catch (e) {
      const error = errorMessage(e);
      if (!(e instanceof DimError)) {
        layers.push({ node: node.name, op: node.op, error });
        continue;
      }
      try {
        const n = def.macs(inputs.map(at), outputs.map((o) => at(o)!), attrs);
        if (typeof n !== "number") throw new DimError(`no value for the symbolic dims of ${errorMessage(e)}`);
        layers.push({ node: node.name, op: node.op, atDims: n, error: `not linear in the dims (${error}); counted at the given dims` });
      } catch (e2) {
        layers.push(e2 instanceof DimError ? { node: node.name, op: node.op, needsDims: true, error } : { node: node.name, op: node.op, error: errorMessage(e2) });
      }
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

/** A layer's count at the given dims, or undefined when it has none there. */
export function layerAt(l: LayerMacs, env: Readonly<Record<string, number>>): number | undefined {
  return l.atDims ?? evalAt(l.macs, env);
}

/**
 * The total at the given dims (the symbolic total plus the layers counted at the dims), or
 * undefined when a symbol has no value or a layer has no count for want of one.
 */
export function totalAt(m: GraphMacs, env: Readonly<Record<string, number>>): number | undefined {
  const symbolic = evalAt(m.total, env);
  return symbolic === undefined || m.layers.some((l) => l.needsDims) ? undefined : m.layers.reduce((sum, l) => sum + (l.atDims ?? 0), symbolic);
}

/** Every symbol the counts mention. */
export function macsSymbols(m: GraphMacs): Set<string> {
  const out = new Set<string>();
  for (const l of m.layers) if (l.macs !== undefined) dimSymbols(l.macs, out);
  return out;
}
