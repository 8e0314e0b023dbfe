// What `neonc check` does after compiling, as a library call: run input sets through a built
// model (a CEngine) and through the interpreter on a reference graph, and compare every output
// (largest absolute difference, and that relative to the reference's largest magnitude). Also
// the seeded random inputs check uses when it is given no input folder.
import { dimSymbols, evalDim } from "../ir/dim.js";
import type { Graph } from "../ir/graph.js";
import { fromNumbers, makeTensor, numel, type Tensor } from "../ir/types.js";
import { UsageError } from "../ir/errors.js";
import { runGraph } from "../src/runtime/interpreter.js";
import { compareTensors } from "./build.js";
import type { CEngine } from "./engine.js";
import type { NodeTime } from "./profile.js";

/** One set of input tensors, named for messages (a folder, a file, "random"). */
export interface InputSet {
  readonly label: string;
  readonly inputs: Readonly<Record<string, Tensor>>;
}

export interface OutputComparison {
  readonly set: string;
  readonly output: string;
  /** max |c - ref| */
  readonly maxAbs: number;
  /** max |ref| */
  readonly maxRef: number;
  /** maxAbs / maxRef (maxAbs when the reference is all zeros). */
  readonly rel: number;
  /** Median time of one run of the generated code on this set, in ms. */
  readonly medianMs: number;
}

export interface CheckReport {
  readonly comparisons: readonly OutputComparison[];
  /** The largest `rel` over every set and output. */
  readonly worst: number;
  /** Per-node times, when the engine was built with `profile`. */
  readonly profile?: readonly NodeTime[];
}

/**
 * Runs every set through `engine` (`runs` times each, timed) and through the interpreter on
 * `reference` (the imported model for a float pipeline; the int8 graph itself for int8, which
 * must match bit for bit), and compares each output.
 */
export function checkAgainstInterpreter(engine: CEngine, reference: Graph, sets: readonly InputSet[], opts: { runs?: number } = {}): CheckReport {
  const batch = engine.run(sets.map((s) => s.inputs), { runs: opts.runs ?? 1, labels: sets.map((s) => s.label) });
  const comparisons: OutputComparison[] = [];
  let worst = 0;
  sets.forEach((set, k) => {
    const ref = runGraph(reference, set.inputs);
    const run = batch.runs[k]!;
    for (const o of engine.graph.outputs) {
      const c = compareTensors(run.outputs[o]!, ref[o]!);
      worst = Math.max(worst, Number.isNaN(c.rel) ? Infinity : c.rel);
      comparisons.push({ set: set.label, output: o, ...c, medianMs: run.medianMs });
    }
  });
  return batch.profile ? { comparisons, worst, profile: batch.profile } : { comparisons, worst };
}

/**
 * Seeded inputs for every graph input, each symbolic dim at its value in `dims` (a UsageError
 * names the one missing): floats uniform in [-1, 1); integers are taken as lengths (a `lengths`
 * input beside the features): uniform in [1, M] with the first element M, M the largest symbolic
 * dim, since a padding mask built from max(lengths) must span the whole time axis. The same seed
 * gives the same tensors.
 */
export function randomInputs(g: Graph, dims: Readonly<Record<string, number>>, seed = 12345): Record<string, Tensor> {
  const env: Record<string, number> = {};
  for (const name of g.inputs) {
    for (const d of g.types[name]!.shape) {
      for (const s of dimSymbols(d)) {
        if (dims[s] === undefined) throw new UsageError(`random inputs need a length for the symbolic dim ${s}: give --max-dim ${s}=N`);
        env[s] = dims[s]!;
      }
    }
  }
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / (1 << 24);
  };
  const out: Record<string, Tensor> = {};
  const longest = Math.max(0, ...Object.values(env));
  for (const name of g.inputs) {
    const t = g.types[name]!;
    if ((t.dtype === "i64" || t.dtype === "i32") && longest > 0) {
      const shape = t.shape.map((d) => evalDim(d, env));
      const values = Array.from({ length: numel(shape) }, (_, i) => (i === 0 ? longest : 1 + Math.floor(next() * longest)));
      out[name] = fromNumbers(t.dtype, shape, values);
      continue;
    }
    if (t.dtype !== "f32") {
      throw new UsageError(`input ${name} is ${t.dtype}; random inputs are only made for float32, and for integer lengths in a model with a symbolic dim (give input files)`);
    }
    const x = makeTensor("f32", t.shape.map((d) => evalDim(d, env)));
    const data = x.data as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    out[name] = x;
  }
  return out;
}
