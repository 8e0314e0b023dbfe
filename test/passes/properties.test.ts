// Every registered pass (and preset) keeps the numbers of random speech graphs (a pass that
// changes them by design, prune, with the options under which it must not): at least 200
// seeded random graphs per pass (NEONC_PROPERTY_RUNS raises it, NEONC_SEED changes the search),
// each checked on several inputs, with the verifier run on the result. A failure prints the seed,
// the shrunk graph before and after in textual IR, and its inputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeGraph, type Graph } from "../../ir/graph.js";
import { fromNumbers } from "../../ir/types.js";
import { allPasses, allPresets, runPipeline } from "../../passes/index.js";
import { arbSpeechGraph, propertyPreserves, SPEECH_OPS, type SpeechGraphOptions } from "../../src/testing/index.js";
import { fusedKinds } from "../../ir/activation.js";

// Float passes change rounding (BatchNorm folding multiplies weights first), so the check is
// relative to the output's magnitude, plus a small absolute term for outputs near zero.
const tolerance = { relToMax: 1e-5, atol: 1e-6 };

/** Graph mixes that give each pass something to do. */
const focus: Readonly<Record<string, SpeechGraphOptions>> = {
  "fold-batchnorm": { weights: { Conv: 4, BatchNormalization: 4 } },
  "fuse-activation": { weights: { Conv: 3, Relu: 3, Clip: 2, LeakyRelu: 2, Add: 2 } },
};

/**
 * Random speech graphs whose output y goes through a Swish written as PyTorch exports it:
 * y * Sigmoid(y) or Sigmoid(y) * y, sometimes Sigmoid(a * y), sometimes with the Sigmoid also
 * an output (then it must stay).
 */
const withSwishPattern: fc.Arbitrary<Graph> = fc.tuple(
  arbSpeechGraph({ maxLayers: 5 }), fc.boolean(), fc.constantFrom(1, 1.702, 0.5), fc.boolean(),
).map(([g, swap, alpha, shared]) => {
  const y = g.outputs[0]!, t = g.types[y]!;
  const nodes = [...g.nodes], types = { ...g.types }, constants = { ...g.constants };
  let arg = y;
  if (alpha !== 1) {
    constants["sw.k"] = fromNumbers("f32", [], [alpha]);
    types["sw.k"] = { dtype: "f32", shape: [] };
    nodes.push({ name: "sw.scale", op: "Mul", inputs: ["sw.k", y], outputs: ["sw.ky"], attrs: {} });
    types["sw.ky"] = t;
    arg = "sw.ky";
  }
  nodes.push({ name: "sw.sigmoid", op: "Sigmoid", inputs: [arg], outputs: ["sw.s"], attrs: {} });
  nodes.push({ name: "sw.mul", op: "Mul", inputs: swap ? ["sw.s", y] : [y, "sw.s"], outputs: ["sw.y"], attrs: {} });
  types["sw.s"] = t;
  types["sw.y"] = t;
  return makeGraph({ ...g, nodes, types, constants, outputs: ["sw.y", ...(shared ? ["sw.s"] : []), ...g.outputs.slice(1)] });
});

describe("passes keep the numbers of random graphs", () => {
  it("canonicalize on x * Sigmoid(x) patterns (Swish)", () => {
    propertyPreserves((g) => runPipeline(g, "canonicalize", { verifyEach: true }), { tolerance, name: "canonicalize (Swish)", graph: withSwishPattern });
    // Not vacuous: every graph whose Sigmoid is not also an output (half of them, by the
    // arbitrary's coin) gets a Swish.
    const free = fc.sample(withSwishPattern, { numRuns: 40, seed: 3 }).filter((g) => !g.outputs.includes("sw.s"));
    expect(free.length).toBeGreaterThan(10);
    expect(free.filter((g) => !runPipeline(g, "canonicalize").nodes.some((n) => n.op === "Swish")).map((g) => g.name)).toEqual([]);
  });
  it("fuse-activation{kinds=all}", () => {
    const acts = Object.fromEntries(fusedKinds().map((k) => [k.kind, 2]));
    propertyPreserves((g) => runPipeline(g, "fuse-activation{kinds=all}", { verifyEach: true }), {
      tolerance, name: "fuse-activation{kinds=all}", graph: { weights: { Conv: 4, Add: 2, Gemm: 2, MatMul: 2, ...acts }, ops: SPEECH_OPS },
    });
  });
  for (const pass of allPasses()) {
    // A pass that changes the numbers by design (prune) keeps them with the options it names.
    const options = Object.entries(pass.keepsNumbersWith ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
    const text = options ? `${pass.name}{${options}}` : pass.name;
    it(text, () => {
      propertyPreserves((g) => runPipeline(g, text, { verifyEach: true }), { tolerance, name: text, graph: focus[pass.name] ?? {} });
    });
  }
  for (const preset of allPresets()) {
    it(`preset -${preset.name}`, () => {
      propertyPreserves((g) => runPipeline(g, `-${preset.name}`, { verifyEach: true }), { tolerance, name: `-${preset.name}` });
    });
  }
});
