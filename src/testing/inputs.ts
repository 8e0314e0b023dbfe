// Concrete runs of a graph with symbolic dims: which values of T (and other symbols) a graph
// accepts, and seeded random inputs for one choice of them.
import { dimSymbols, evalDim, isSymbolic } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { seededTensor } from "./random-values.js";
import type { Rng } from "./rng.js";
import type { ValueOptions } from "./tensor-values.js";

/** Values for the symbols, or "random" to draw each in [1, maxDim]. */
export type DimsSpec = Readonly<Record<string, number>> | "random";

/** The symbols the graph inputs' shapes mention (those a run binds), sorted. */
export function inputSymbols(g: Graph): string[] {
  const s = new Set<string>();
  for (const i of g.inputs) for (const d of g.types[i]?.shape ?? []) dimSymbols(d, s);
  return [...s].sort();
}

/** Whether every symbolic dim in the graph's types is at least 1 with these symbol values. */
export function acceptsDims(g: Graph, env: Readonly<Record<string, number>>): boolean {
  for (const t of Object.values(g.types)) {
    for (const d of t.shape) {
      if (!isSymbolic(d)) continue;
      let v: number;
      try {
        v = evalDim(d, env);
      } catch {
        continue; // a symbol no input binds
      }
      if (!(v >= 1)) return false;
    }
  }
  return true;
}

/** The values in [1, maxDim] of `symbol` that the graph accepts, the other symbols fixed by env. */
export function acceptedValues(g: Graph, symbol: string, maxDim = 40, env: Readonly<Record<string, number>> = {}): number[] {
  const out: number[] = [];
  for (let v = 1; v <= maxDim; v++) if (acceptsDims(g, { ...env, [symbol]: v })) out.push(v);
  return out;
}

/** Symbol values for one run: the given ones, the rest drawn from rng among the accepted values. */
export function pickDims(g: Graph, rng: Rng, spec: DimsSpec = "random", maxDim = 40): Record<string, number> {
  const env: Record<string, number> = spec === "random" ? {} : { ...spec };
  const free = inputSymbols(g).filter((s) => env[s] === undefined);
  if (free.length === 1) {
    const ok = acceptedValues(g, free[0]!, maxDim, env);
    if (ok.length === 0) throw new Error(`graph @${g.name} has a negative or zero-sized dim for every ${free[0]} in [1, ${maxDim}]`);
    env[free[0]!] = rng.pick(ok);
    return env;
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const trial = { ...env };
    for (const s of free) trial[s] = rng.int(1, maxDim);
    if (acceptsDims(g, trial)) return trial;
  }
  throw new Error(`found no values of ${free.join(", ")} in [1, ${maxDim}] for which every dim of graph @${g.name} is positive`);
}

/** Random tensors for every graph input, shaped with the symbol values in env. */
export function randomInputs(g: Graph, rng: Rng, env: Readonly<Record<string, number>>, values: ValueOptions = {}): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const t = g.types[name];
    if (!t) throw new Error(`graph input ${name} has no type`);
    out[name] = seededTensor(rng, t.dtype, t.shape.map((d) => evalDim(d, env)), values);
  }
  return out;
}
