// Shared helpers for the pass tests: graphs from IR text, running a pass with the verifier on,
// and the numeric check that a pass kept the numbers (same outputs on random inputs within
// 1e-5 of the output's largest magnitude, through neonc/testing).
import { expect } from "vitest";
import type { Graph } from "../../ir/graph.js";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { verifyGraph } from "../../ir/verify.js";
import { runPipeline, type RunPipelineOptions } from "../../passes/run.js";
import "../../passes/index.js";
import { assertEquivalent } from "../../src/testing/index.js";

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

/**
 * Both graphs give the same outputs (same names and types) within rtol * max|reference output|,
 * on one set of seeded random inputs per seed (neonc/testing's assertEquivalent).
 */
export function expectSameNumbers(before: Graph, after: Graph, seeds: readonly number[] = [1, 2], rtol = 1e-5): void {
  for (const seed of seeds) assertEquivalent(before, after, { tolerance: { relToMax: rtol }, inputs: 1, seed });
}

/** Op types of the graph's nodes, in order. */
export const ops = (g: Graph): string[] => g.nodes.map((n) => n.op);
