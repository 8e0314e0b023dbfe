// Every registered pass (and preset) keeps the numbers of random speech graphs: at least 200
// seeded random graphs per pass (NEONC_PROPERTY_RUNS raises it, NEONC_SEED changes the search),
// each checked on several inputs, with the verifier run on the result. A failure prints the seed,
// the shrunk graph before and after in textual IR, and its inputs.
import { describe, it } from "vitest";
import { allPasses, allPresets, runPipeline } from "../../passes/index.js";
import { propertyPreserves, type SpeechGraphOptions } from "../../src/testing/index.js";

// Float passes change rounding (BatchNorm folding multiplies weights first), so the check is
// relative to the output's magnitude, plus a small absolute term for outputs near zero.
const tolerance = { relToMax: 1e-5, atol: 1e-6 };

/** Graph mixes that give each pass something to do. */
const focus: Readonly<Record<string, SpeechGraphOptions>> = {
  "fold-batchnorm": { weights: { Conv: 4, BatchNormalization: 4 } },
  "fuse-activation": { weights: { Conv: 3, Relu: 3, Clip: 2, LeakyRelu: 2, Add: 2 } },
};

describe("passes keep the numbers of random graphs", () => {
  for (const pass of allPasses()) {
    it(pass.name, () => {
      propertyPreserves((g) => runPipeline(g, pass.name, { verifyEach: true }), { tolerance, name: pass.name, graph: focus[pass.name] ?? {} });
    });
  }
  for (const preset of allPresets()) {
    it(`preset -${preset.name}`, () => {
      propertyPreserves((g) => runPipeline(g, `-${preset.name}`, { verifyEach: true }), { tolerance, name: `-${preset.name}` });
    });
  }
});
