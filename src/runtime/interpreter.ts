// The reference interpreter: runs any IR graph on concrete tensors.
//
// It is the numerical reference for every pass and for the generated C, and the engine that
// calibrates quantization. Each node runs its op's `evaluate` kernel; values are dropped after
// their last use so peak memory stays near the model's live set.
import { dimToString, evalDim, isSymbolic, type Dim } from "../../ir/dim.js";
import { checkExtents, mentionsExtents } from "./extents.js";
import type { Graph, Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import type { Tensor } from "../../ir/types.js";
import { errorMessage, ModelError } from "../../ir/errors.js";
import "../../ir/ops/index.js";

export interface RunOptions {
  /** Called after each node with its outputs (used by calibration observers and profiling). */
  onNode?: (node: Node, outputs: readonly Tensor[]) => void;
}

/** Binds the symbolic dims of the graph inputs (e.g. T) from the shapes of the given tensors. */
export function bindSymbols(g: Graph, inputs: Readonly<Record<string, Tensor>>): Record<string, number> {
  const env: Record<string, number> = {};
  const pending: [string, number, Dim, number][] = [];
  for (const name of g.inputs) {
    const t = inputs[name];
    const ty = g.types[name]!;
    if (!t) throw new ModelError(`missing input "${name}" (expected ${ty.dtype}[${ty.shape.map(dimToString).join(",")}])`);
    if (t.dtype !== ty.dtype) throw new ModelError(`input "${name}" has dtype ${t.dtype}, the model expects ${ty.dtype}`);
    if (t.shape.length !== ty.shape.length) {
      throw new ModelError(`input "${name}" has shape [${t.shape.join(",")}], the model expects rank ${ty.shape.length} ([${ty.shape.map(dimToString).join(",")}])`);
    }
    ty.shape.forEach((d, i) => {
      const actual = t.shape[i]!;
      if (isSymbolic(d) && d.c === 0 && d.terms.length === 1 && d.terms[0]!.coef === 1 && d.terms[0]!.atom.kind === "sym") {
        const s = d.terms[0]!.atom.name;
        if (env[s] !== undefined && env[s] !== actual) {
          throw new ModelError(`input "${name}" dim ${i} is ${actual}, but ${s} = ${env[s]} from another input`);
        }
        env[s] = actual;
      } else {
        pending.push([name, i, d, actual]);
      }
    });
  }
  for (const [name, i, d, actual] of pending) {
    let want: number;
    try {
      want = evalDim(d, env);
    } catch {
      continue; // a dim expression over symbols no input binds: nothing to check
    }
    if (want !== actual) {
      throw new ModelError(`input "${name}" dim ${i} is ${actual}, the model expects ${dimToString(d)}${isSymbolic(d) ? ` = ${want}` : ""}`);
    }
  }
  return env;
}

/** Runs g on the named inputs and returns its outputs by name. */
export function runGraph(g: Graph, inputs: Readonly<Record<string, Tensor>>, options: RunOptions = {}): Record<string, Tensor> {
  return runWithSymbols(g, inputs, bindSymbols(g, inputs), options);
}

/**
 * Runs g with the symbolic dims `env` already bound. A nested graph (an If branch) runs with
 * its outer graph's dims, plus any its own inputs bind.
 */
function runWithSymbols(g: Graph, inputs: Readonly<Record<string, Tensor>>, env: Readonly<Record<string, number>>, options: RunOptions): Record<string, Tensor> {
  const runSubgraph = (sub: Graph, subInputs: Readonly<Record<string, Tensor>>) =>
    runWithSymbols(sub, subInputs, { ...env, ...bindSymbols(sub, subInputs) }, options);
  const values = new Map<string, Tensor>();
  for (const name of g.inputs) values.set(name, inputs[name]!);

  // Remaining uses of each computed value, so it can be released after its last reader.
  const remaining = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) remaining.set(i, (remaining.get(i) ?? 0) + 1);
  const keep = new Set(g.outputs);

  const get = (name: string, node: Node): Tensor | undefined => {
    if (!name) return undefined;
    const v = values.get(name) ?? g.constants[name];
    if (!v) throw new ModelError(`node ${node.name} (${node.op}) reads "${name}", which no earlier node produced`);
    return v;
  };

  for (const node of g.nodes) {
    const def = getOp(node.op);
    const extents = mentionsExtents(g, node);
    const args = node.inputs.map((i) => get(i, node));
    let outs: Tensor[];
    try {
      const attrs = resolveAttrs(def, substituteDimsAttrs(def.attrs, node.attrs, env));
      outs = def.evaluate(args, attrs, { numOutputs: node.outputs.length, runSubgraph });
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw new ModelError(`node ${node.name} (${node.op}) failed: ${errorMessage(e)}`);
    }
    if (extents) checkExtents(g, node, outs, env);
    node.outputs.forEach((o, k) => {
      if (o && outs[k]) values.set(o, outs[k]!);
    });
    options.onNode?.(node, outs);
    for (const i of node.inputs) {
      if (!i) continue;
      const left = (remaining.get(i) ?? 0) - 1;
      remaining.set(i, left);
      if (left <= 0 && !keep.has(i)) values.delete(i);
    }
  }

  const result: Record<string, Tensor> = {};
  for (const o of g.outputs) {
    const v = values.get(o) ?? g.constants[o];
    if (!v) throw new ModelError(`graph output "${o}" was not computed`);
    result[o] = v;
  }
  return result;
}

/** Replaces symbolic dims in `dims` attributes by their values for this run. */
function substituteDimsAttrs(schema: Readonly<Record<string, { kind: string }>>, attrs: Node["attrs"], env: Readonly<Record<string, number>>): Node["attrs"] {
  let out: Record<string, unknown> | undefined;
  for (const [k, spec] of Object.entries(schema)) {
    if (spec.kind !== "dims") continue;
    const v = attrs[k] as readonly Dim[] | undefined;
    if (!v || !v.some(isSymbolic)) continue;
    out ??= { ...attrs };
    out[k] = v.map((d) => {
      try {
        return evalDim(d, env);
      } catch {
        return d; // an extent this node makes (Range's size): bound from its output afterwards
      }
    });
  }
  return (out ?? attrs) as Node["attrs"];
}
