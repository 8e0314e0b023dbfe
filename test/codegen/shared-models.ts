// The shared speech models after -O1 with their two test data sets and interpreter outputs,
// loaded once per test file, and the check every target's test file runs on them.
import path from "node:path";
import { describe, it } from "vitest";
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { readTensorFile } from "../../src/adapters/onnx/tensor.js";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { runPipeline } from "../../passes/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import type { RunMode } from "../../codegen/targets.js";
import { checkGraph, requireModels, rigOrSkip } from "./helpers.js";

export const SHARED_MODELS = ["wav2letter", "convdfsmn", "lstm_encoder", "quartznet5x5", "quartznet5x5_folded"] as const;

interface Loaded {
  readonly graph: Graph;
  readonly sets: Record<string, Tensor>[];
  readonly refs: Record<string, Tensor>[];
}

function load(name: string): Loaded {
  const dir = path.join(requireModels(), name);
  const original = importOnnxFile(path.join(dir, "model.onnx"));
  const graph = runPipeline(original, "-O1", { log: () => {} });
  const sets = [0, 1].map((k) => ({ [graph.inputs[0]!]: readTensorFile(path.join(dir, `test_data_set_${k}/input_0.pb`)).tensor }));
  // The reference is the interpreter on the imported model, before any pass.
  const refs = sets.map((s) => runGraph(original, s));
  return { graph, sets, refs };
}

/** One test per shared model: compile (T <= 300), build once, run both data sets, compare. */
export function describeSharedModels(target: string, mode: RunMode, models: readonly string[] = SHARED_MODELS): void {
  describe(`shared models on ${target} (${mode})`, () => {
    for (const name of models) {
      it(`${name} matches the interpreter within 1e-4 of max |output|`, (ctx) => {
        const rig = rigOrSkip(ctx, target, mode);
        const m = load(name);
        const r = checkGraph(m.graph, target, rig, m.sets, { maxDims: { T: 300 }, expected: m.refs });
        console.log(`${name} ${target}/${mode}: rel error ${r.worst.toExponential(2)}, arena ${r.model.arenaBytes} (lower bound ${r.model.lowerBound}), weights ${r.model.weightBytes}, ${r.medianMs.toFixed(2)} ms/run (T=192)`);
      });
    }
  });
}
