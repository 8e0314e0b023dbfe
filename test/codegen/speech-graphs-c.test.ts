// Any speech graph compiles to C and runs, with or without -O1: random graphs from the testing
// kit (src/testing: every layer kind it draws, Conv with BatchNorm and activations, residual
// Adds, MatMul/Gemm, Transpose/Reshape, Concat, Softmax, ...) through -O1 and through no pass
// at all, compiled for c99 and checked against the interpreter on the graph as drawn. The
// general form of "compile and check need no flags but --target and --max-dim".
//
// One known gap (the model zoo lists it too) is excluded by name, so everything else the
// generator draws must work: Conv with auto_pad SAME_* and a stride on a symbolic length, whose
// pads depend on the length at run time (lower resolves every other auto_pad into pads).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbSpeechGraph } from "../../src/testing/index.js";
import { runPipeline } from "../../passes/index.js";
import { graphSymbols } from "../../codegen/emit-model.js";
import { randomInputs } from "../../codegen/check.js";
import type { Graph } from "../../ir/graph.js";
import { isSymbolic } from "../../ir/dim.js";
import { rigOrSkip, checkGraph } from "./helpers.js";

/** The form lower cannot give an algorithm today (see above). */
function knownGap(g: Graph): boolean {
  return g.nodes.some((n) =>
    n.op === "Conv" && typeof n.attrs.auto_pad === "string" && n.attrs.auto_pad.startsWith("SAME") &&
    ((n.attrs.strides as number[] | undefined) ?? []).some((s) => s > 1) && g.types[n.inputs[0]!]!.shape.some(isSymbolic));
}

const RUNS = Number(process.env.NEONC_PROPERTY_RUNS ?? 12);

describe("random speech graphs through the generated C", () => {
  it("compile and match the interpreter on c99, after -O1 and with no pass (-O0)", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    fc.assert(
      fc.property(arbSpeechGraph({ maxLayers: 6, maxChannels: 8, symbolicT: true }), fc.integer({ min: 4, max: 12 }), (g, T) => {
        fc.pre(!knownGap(g));
        const dims = Object.fromEntries(graphSymbols(g).map((s) => [s, 16]));
        const inputs = randomInputs(g, Object.fromEntries(graphSymbols(g).map((s) => [s, T])), T);
        for (const graph of [runPipeline(g, "-O1", { log: () => {} }), g]) {
          const r = checkGraph(graph, "c99", rig, [inputs], { maxDims: dims, ref: g, tol: 1e-4 });
          expect(r.worst).toBeLessThanOrEqual(1e-4);
        }
      }),
      { numRuns: RUNS, seed: 4711 },
    );
  }, 600_000);
});
