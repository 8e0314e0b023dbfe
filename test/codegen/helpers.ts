// Shared helpers of the codegen tests: which rigs can run here (skipping with a visible
// warning, or failing under NEONC_REQUIRE_TARGETS=1), and compile -> build -> run -> compare
// against the interpreter.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { buildModel, compareTensors, rigMissing, runBuild, type Build, type BuildOptions } from "../../codegen/build.js";
import { compileGraph, type CompiledModel } from "../../codegen/emit-model.js";
import { getTarget, rigFor, type Rig, type RunMode } from "../../codegen/targets.js";
import { runGraph } from "../../src/runtime/interpreter.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const MODELS = path.resolve(ROOT, "../shared/models");

/** The rig for target/mode, or undefined (with a console warning) when its tools are missing. */
export function rigOrSkip(target: string, mode: RunMode): Rig | undefined {
  const rig = rigFor(getTarget(target), mode);
  const missing = rigMissing(rig);
  if (!missing) return rig;
  const msg = `codegen tests for ${target} (${mode}) need ${missing.replace(/^missing /, "")}`;
  if (process.env.NEONC_REQUIRE_TARGETS === "1") throw new Error(`${msg}, and NEONC_REQUIRE_TARGETS=1`);
  console.warn(`skipping: ${msg}`);
  return undefined;
}

/** The shared models folder, or a failure naming it (tests that need it never pass silently). */
export function requireModels(): string {
  if (!existsSync(MODELS)) throw new Error(`the shared models are missing: expected them in ${MODELS}`);
  return MODELS;
}

export interface Checked {
  readonly model: CompiledModel;
  readonly build: Build;
  readonly worst: number;
  readonly medianMs: number;
}

/** Compiles g for the rig's target, builds, runs each input set and compares with the interpreter on `ref`. */
export function checkGraph(
  g: Graph, target: string, rig: Rig, sets: readonly Record<string, Tensor>[],
  opts: { maxDims?: Record<string, number>; ref?: Graph; expected?: readonly Record<string, Tensor>[]; build?: BuildOptions; tol?: number } = {},
): Checked {
  const model = compileGraph(g, { target: getTarget(target), maxDims: opts.maxDims });
  const build = buildModel(model, rig, opts.build);
  let worst = 0, medianMs = 0;
  sets.forEach((inputs, k) => {
    const r = runBuild(model, build, inputs, 1);
    medianMs = r.medianMs;
    const ref = opts.expected?.[k] ?? runGraph(opts.ref ?? g, inputs);
    for (const o of g.outputs) {
      const c = compareTensors(r.outputs[o]!, ref[o]!);
      worst = Math.max(worst, c.rel);
      expect(c.rel, `${target}/${rig.mode} output ${o} of input set ${k}: max abs error ${c.maxAbs} vs max |ref| ${c.maxRef}`).toBeLessThanOrEqual(opts.tol ?? 1e-4);
    }
  });
  return { model, build, worst, medianMs };
}
