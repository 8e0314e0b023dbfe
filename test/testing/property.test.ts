// propertyPreserves: a correct pass passes; a wrong one fails with the seed, the replay path,
// the shrunk graph before and after the pass, and the inputs; passes that throw, change their
// input or emit an invalid graph are caught too.
import { afterEach, describe, expect, it } from "vitest";
import { makeGraph, type Graph, type Node } from "../../ir/graph.js";
import { arbSpeechGraph, propertyPreserves } from "../../src/testing/index.js";
import { definePass } from "../../passes/pass.js";
import { floatOption } from "../../passes/options.js";
import { foldBatchNorm } from "../../passes/fold-batchnorm.js";

/** Removes Identity nodes and inference Dropouts, reading their input instead (a correct pass). */
function removeIdentities(g: Graph): Graph {
  const rename = new Map<string, string>();
  const keep = new Set(g.outputs);
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const inputs = n.inputs.map((i) => rename.get(i) ?? i);
    const trivial = n.op === "Identity" || (n.op === "Dropout" && n.outputs.length === 1 && !n.attrs.training_mode);
    if (trivial && !keep.has(n.outputs[0]!)) rename.set(n.outputs[0]!, inputs[0]!);
    else nodes.push({ ...n, inputs });
  }
  return makeGraph({ ...g, nodes });
}

/** "Folds" every Mul by a constant away, as if the constant were 1 (a wrong pass). */
function dropMul(g: Graph): Graph {
  const rename = new Map<string, string>();
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const inputs = n.inputs.map((i) => rename.get(i) ?? i);
    if (n.op === "Mul" && !g.outputs.includes(n.outputs[0]!)) rename.set(n.outputs[0]!, inputs.find((i) => !(i in g.constants))!);
    else nodes.push({ ...n, inputs });
  }
  return makeGraph({ ...g, nodes });
}

function failure(run: () => void): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the property to fail");
}

describe("propertyPreserves", () => {
  afterEach(() => {
    delete process.env.NEONC_PROPERTY_RUNS;
    delete process.env.NEONC_SEED;
  });

  it("passes a correct pass, bit for bit", () => {
    propertyPreserves(removeIdentities, { tolerance: "exact", numRuns: 100 });
  });

  it("fails a wrong pass with the seed, the shrunk graphs and the inputs", () => {
    const msg = failure(() => propertyPreserves(dropMul, { tolerance: { relToMax: 1e-5 }, numRuns: 100, seed: 3 }));
    expect(msg).toMatch(/^dropMul does not preserve the graph's numbers: failed after \d+ of 100 runs \(seed 3, path "[\d:]+", shrunk \d+ times\)/);
    expect(msg).toMatch(/Rerun this case with \{ seed: 3, path: "[\d:]+" \}/);
    expect(msg).toMatch(/differences on input set 1 \(input seed 0, T=1; tolerance relToMax=0.00001\):/);
    expect(msg).toMatch(/ {2}- output %[a-z]+1: 1 of 1 elements differ/);
    expect(msg).toMatch(/inputs:\n {2}%x: f32\[1,1,1\] = \[\[\[[-\d.e]+\]\]\]/);
    const before = msg.slice(msg.indexOf("graph before the pass:"), msg.indexOf("graph after the pass:"));
    const after = msg.slice(msg.indexOf("graph after the pass:"));
    // Shrunk to what matters: a Mul by a constant on f32[1,1,T], and one node after it (dropMul
    // leaves a Mul alone when it computes a graph output).
    expect(before).toMatch(/graph @speech\(%x: f32\[1,1,T\]\) -> \(%[a-z]+1\)/);
    expect(before.match(/ = [A-Za-z]+\(/g)).toHaveLength(2);
    expect(before).toMatch(/%mul0 = Mul\(%x, %mul0.c\)/);
    expect(after).not.toContain("Mul(");
    expect(msg).toContain("plan (buildSpeechGraph reproduces the graph from it):");
  });

  it("replays a failure from its seed and path", () => {
    const first = failure(() => propertyPreserves(dropMul, { tolerance: "exact", numRuns: 200, seed: 9 }));
    const [, seed, path] = /\(seed (\d+), path "([\d:]+)"/.exec(first)!;
    const again = failure(() => propertyPreserves(dropMul, { tolerance: "exact", seed: Number(seed), path }));
    const graphOf = (m: string) => m.slice(m.indexOf("graph before the pass:"));
    expect(graphOf(again)).toBe(graphOf(first));
  });

  it("takes runs and seed from NEONC_PROPERTY_RUNS and NEONC_SEED", () => {
    let calls = 0;
    process.env.NEONC_PROPERTY_RUNS = "7";
    propertyPreserves((g) => (calls++, g), { tolerance: "exact" });
    expect(calls).toBe(7);
    process.env.NEONC_SEED = "123";
    expect(failure(() => propertyPreserves(dropMul, { tolerance: "exact", numRuns: 200 }))).toContain("(seed 123,");
  });

  it("reports a pass that throws, one that changes its input, and one whose output does not verify", () => {
    const throws = failure(() => propertyPreserves(() => { throw new Error("boom"); }, { tolerance: "exact", numRuns: 5, name: "exploding" }));
    expect(throws).toMatch(/^exploding does not preserve/);
    expect(throws).toContain("  - the pass throws: boom");

    // Graphs from a custom arbitrary, left unfrozen so that a pass can (wrongly) change them.
    const unfrozen = arbSpeechGraph({ ops: ["Relu"] }).map((g) => ({ ...g, outputs: [...g.outputs] }));
    const mutates = failure(() => propertyPreserves((g) => {
      (g.outputs as string[]).push(g.inputs[0]!);
      return g;
    }, { tolerance: "exact", numRuns: 5, graph: unfrozen }));
    expect(mutates).toContain("the pass changed its input graph");

    const invalid = failure(() => propertyPreserves((g) => makeGraph({ ...g, outputs: ["nowhere"] }), { tolerance: "exact", numRuns: 5 }));
    expect(invalid).toContain("the pass's output fails the verifier: graph output %nowhere is not a graph input");
  });

  it("draws graphs from the op set asked for", () => {
    const ops = new Set<string>();
    propertyPreserves((g) => {
      for (const n of g.nodes) ops.add(n.op);
      return g;
    }, { tolerance: "exact", numRuns: 30, graph: { ops: ["Conv", "BatchNormalization"] } });
    expect([...ops].sort()).toEqual(["BatchNormalization", "Conv"]);
  });

  it("takes a pass value made with definePass, with its options", () => {
    propertyPreserves(foldBatchNorm, { tolerance: { relToMax: 1e-5, atol: 1e-6 }, numRuns: 40, graph: { ops: ["Conv", "BatchNormalization", "Relu"] } });
    // Relu as LeakyRelu with the slope the option gives: right for slope 0 only (up to the sign
    // of zero, hence atol 0 rather than "exact").
    const leaky = definePass({
      name: "relu-as-leaky",
      doc: "Writes every Relu as a LeakyRelu of the option's slope.",
      options: { slope: floatOption(0, "the slope of negative inputs") },
      run: (g, ctx) => makeGraph({ ...g, nodes: g.nodes.map((n) => (n.op === "Relu" ? { ...n, op: "LeakyRelu", attrs: { alpha: ctx.options.slope } } : n)) }),
    });
    propertyPreserves(leaky, { tolerance: { atol: 0 }, numRuns: 20, graph: { ops: ["Relu"] } });
    const msg = failure(() => propertyPreserves(leaky, { tolerance: { atol: 0 }, numRuns: 20, graph: { ops: ["Relu"] }, passOptions: { slope: 0.5 } }));
    expect(msg).toMatch(/^relu-as-leaky does not preserve the graph's numbers/);
    expect(() => propertyPreserves(leaky, { tolerance: "exact", numRuns: 1, passOptions: { slop: 2 } })).toThrow(/slop/);
    expect(() => propertyPreserves(removeIdentities, { tolerance: "exact", numRuns: 1, passOptions: { a: 1 } })).toThrow(/passOptions apply to a pass made with definePass/);
    expect(() => propertyPreserves({ name: "not a pass" } as never, { tolerance: "exact" })).toThrow(/takes a pass made with definePass or a function/);
  });
});
