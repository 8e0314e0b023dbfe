// Shared helpers for the pass tests: graphs from IR text, running a pass with the verifier on,
// and the numeric check that a pass kept the numbers (same outputs on random inputs within
// 1e-5 of the output's largest magnitude).
import { expect } from "vitest";
import { dimSymbols, evalDim } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import { verifyGraph } from "../../ir/verify.js";
import { runPipeline, type RunPipelineOptions } from "../../passes/run.js";
import "../../passes/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";

export const ir = (text: string): Graph => {
  const g = parseGraph(text);
  verifyGraph(g);
  return g;
};

/** Runs a pipeline with --verify-each, checking that the input graph was left as it was. */
export function run(g: Graph, pipeline: string, opts: RunPipelineOptions = {}): Graph {
  const before = printGraph(g);
  const out = runPipeline(g, pipeline, { verifyEach: true, log: () => {}, ...opts });
  expect(printGraph(g)).toBe(before);
  return out;
}

/** Deterministic pseudo-random numbers in [-1, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 0x100000000) * 2 - 1;
  };
}

/** Random f32 inputs for every graph input, binding every symbolic dim to `size`. */
export function randomInputs(g: Graph, seed = 1, size = 7): Record<string, Tensor> {
  const next = rng(seed);
  const env: Record<string, number> = {};
  for (const i of g.inputs) for (const d of g.types[i]!.shape) for (const s of dimSymbols(d)) env[s] = size;
  const out: Record<string, Tensor> = {};
  for (const i of g.inputs) {
    const t = g.types[i]!;
    const shape = t.shape.map((d) => evalDim(d, env));
    out[i] = fromNumbers(t.dtype, shape, Array.from({ length: numel(shape) }, next));
  }
  return out;
}

/** Both graphs give the same outputs (same names) within rtol * max|reference output|. */
export function expectSameNumbers(before: Graph, after: Graph, seeds: readonly number[] = [1, 2], rtol = 1e-5): void {
  expect(after.outputs).toEqual(before.outputs);
  for (const seed of seeds) {
    const inputs = randomInputs(before, seed);
    const ref = runGraph(before, inputs);
    const got = runGraph(after, inputs);
    for (const o of before.outputs) {
      const r = ref[o]!, a = got[o]!;
      expect(a.dtype).toBe(r.dtype);
      expect(a.shape).toEqual(r.shape);
      let maxRef = 0, maxErr = 0;
      for (let i = 0; i < r.data.length; i++) {
        maxRef = Math.max(maxRef, Math.abs(Number(r.data[i])));
        maxErr = Math.max(maxErr, Math.abs(Number(r.data[i]) - Number(a.data[i])));
      }
      expect(maxErr, `output ${o}: max abs error ${maxErr} vs max |ref| ${maxRef}`).toBeLessThanOrEqual(rtol * Math.max(maxRef, 1e-30));
    }
  }
}

/** Op types of the graph's nodes, in order. */
export const ops = (g: Graph): string[] => g.nodes.map((n) => n.op);
