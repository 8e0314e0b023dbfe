// What `neonc check` does after compiling, as a library call: run input sets through a built
// model (a CEngine) and through the interpreter on a reference graph, and compare every output
// (largest absolute difference, and that relative to the reference's largest magnitude). Also
// the seeded random inputs check uses when it is given no input folder.
import { dimSymbols, evalDim } from "../ir/dim.js";
import type { Graph } from "../ir/graph.js";
import type { Tensor } from "../ir/types.js";
import { tensorFromF64 } from "../ir/float-formats.js";
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
 * Seeded random inputs for every graph input, each symbolic dim at its value in `dims` (a
 * UsageError names the one missing): floats of any width uniform in [-1, 1); integers uniform in
 * [1, L], L the largest symbolic dim (16 without one; at most the type's largest value), since integer inputs of speech models are
 * lengths, positions, rates or indices that a random 64-bit value would only push out of range;
 * the first element of an integer input is L itself, since a padding mask built from max(lengths)
 * must span the whole time axis it meets (a length computed at run time, ir/dim.ts); bool 0 or 1. Strings have no random form. The same seed gives the same tensors.
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
  const largest = Object.keys(env).length > 0 ? Math.max(...Object.values(env)) : 16;
  const CAP: Readonly<Record<string, number>> = { i8: 127, u8: 255, i16: 32767, u16: 65535 };
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) / (1 << 24);
  };
  const out: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const t = g.types[name]!;
    if (t.dtype === "string") throw new UsageError(`input ${name} is a string tensor; random inputs are not made for strings (give input files)`);
    const shape = t.shape.map((d) => evalDim(d, env));
    const n = shape.reduce((p, d) => p * d, 1);
    const values = new Float64Array(n);
    const int = /^[iu]\d+$/.test(t.dtype);
    const top = Math.min(largest, CAP[t.dtype] ?? largest);
    for (let i = 0; i < n; i++) {
      const r = next();
      values[i] = t.dtype === "bool" ? (r < 0.5 ? 0 : 1) : int ? (i === 0 ? top : 1 + Math.floor(r * top)) : r * 2 - 1;
    }
    out[name] = tensorFromF64(t.dtype, shape, values);
  }
  return out;
}
