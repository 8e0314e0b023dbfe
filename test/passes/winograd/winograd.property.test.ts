// The winograd pass keeps the numbers of random convolution graphs (the speech-graph generator,
// Conv layers of 1 to 5 taps, dense, grouped and depthwise, strides, dilations, every padding and
// fused activation, up to 3 layers): for each forced tile m and for auto, the outputs stay within
// the tolerance of F(m, r) per Winograd layer (winogradTolerance, taken for the largest kernel
// the graphs hold and once per layer).
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../ir/graph.js";
import { runPass } from "../../../passes/pass.js";
import { propertyPreserves } from "../../../src/testing/index.js";
import { winograd } from "../../../passes/winograd/index.js";
import { winogradTolerance, MAX_AMPLIFICATION } from "../../../passes/lower/winograd-cost.js";
import { analyzeWinograd } from "../../../ir/winograd/analysis.js";

const LAYERS = 3;

/** The largest tolerance of an F(m, r), r = 2..5, that the limit allows. */
function worstTolerance(tiles: readonly number[]): number {
  const tols = tiles.flatMap((m) => [2, 3, 4, 5].filter((r) => analyzeWinograd(m, r).amplification <= MAX_AMPLIFICATION).map((r) => winogradTolerance(m, r)));
  return Math.max(...tols);
}

describe("winograd keeps the numbers of random convolution graphs (property)", () => {
  for (const [m, tiles] of [["2", [2]], ["4", [4]], ["6", [6]], ["auto", [2, 3, 4, 6]]] as const) {
    it(`winograd{m=${m}}`, () => {
      let fired = 0;
      const pass = (g: Graph) => {
        const out = runPass(g, winograd, { m }, { log: () => {} });
        if (out.nodes.some((n) => n.op === "ConvWinograd")) fired++;
        return out;
      };
      propertyPreserves(pass, {
        name: `winograd{m=${m}}`,
        tolerance: { relToMax: LAYERS * worstTolerance(tiles), atol: 1e-6 },
        // auto needs channels enough for the transforms to pay.
        graph: { ops: ["Conv"], maxLayers: LAYERS, ...(m === "auto" ? { minLayers: 2, maxChannels: 160 } : { maxChannels: 12 }) },
        numRuns: 150,
      });
      // Not vacuous: a good share of the graphs got Winograd layers.
      expect(fired).toBeGreaterThan(m === "auto" ? 1 : 12);
    });
  }
});
