// The speech-graph arbitrary: every graph verifies and runs, the op set can be restricted, the
// time axis is symbolic, the conv forms a pass must handle all occur, and a failing graph
// shrinks to a small one.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isSymbolic } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import { printGraph } from "../../ir/text/index.js";
import { verifyGraph } from "../../ir/verify.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import {
  acceptedValues, arbPlan, arbSpeechGraph, buildSpeechGraph, randomInputs, Rng, SAFE_T, SPEECH_OPS,
} from "../../src/testing/index.js";

const opsOf = (g: Graph) => new Set(g.nodes.map((n) => n.op));

describe("arbSpeechGraph", () => {
  it("produces verified graphs on f32[1,C,T] that run for their accepted T (property, 100 runs)", () => {
    fc.assert(
      fc.property(arbSpeechGraph(), (g) => {
        verifyGraph(g);
        const x = g.types[g.inputs[0]!]!;
        expect(g.inputs).toHaveLength(1);
        expect(x.dtype).toBe("f32");
        expect(x.shape[0]).toBe(1);
        expect(x.shape[1]).toBeLessThanOrEqual(16);
        for (const t of Object.values(g.types)) expect(t.shape.every((d) => isSymbolic(d) || d <= 16 * 40 * 8)).toBe(true);
        if (isSymbolic(x.shape[2]!)) {
          const ok = acceptedValues(g, "T");
          expect(ok).toContain(SAFE_T);
          const T = ok[0]!;
          const out = runGraph(g, randomInputs(g, new Rng(1), { T }));
          expect(Object.keys(out)).toEqual(g.outputs);
        }
      }),
      { numRuns: 100, seed: 1 },
    );
  });

  it("draws only the ops asked for (Conv + BatchNormalization for a BN-folding test)", () => {
    const gs = fc.sample(arbSpeechGraph({ ops: ["Conv", "BatchNormalization"], minLayers: 2 }), { numRuns: 50, seed: 2 });
    let convThenBn = 0;
    for (const g of gs) {
      for (const op of opsOf(g)) expect(["Conv", "BatchNormalization"]).toContain(op);
      g.nodes.forEach((n, i) => {
        if (n.op === "BatchNormalization" && g.nodes[i - 1]?.op === "Conv" && n.inputs[0] === g.nodes[i - 1]!.outputs[0]) convThenBn++;
      });
    }
    expect(convThenBn).toBeGreaterThan(25);
  });

  it("brings the layout changes Gemm needs, and nothing else", () => {
    for (const g of fc.sample(arbSpeechGraph({ ops: ["Gemm"] }), { numRuns: 30, seed: 3 })) {
      for (const op of opsOf(g)) expect(["Gemm", "Transpose", "Reshape"]).toContain(op);
      expect(opsOf(g).has("Gemm")).toBe(true);
    }
  });

  it("covers every op, depthwise and grouped convs, strides, dilations and a symbolic T", () => {
    const gs = fc.sample(arbSpeechGraph(), { numRuns: 300, seed: 4 });
    const seen = new Set(gs.flatMap((g) => [...opsOf(g)]));
    expect([...seen].sort()).toEqual([...SPEECH_OPS].sort());
    const convs = gs.flatMap((g) => g.nodes.filter((n) => n.op === "Conv").map((n) => ({ n, C: g.types[n.inputs[0]!]!.shape[1] })));
    const group = (c: (typeof convs)[number]) => (c.n.attrs.group as number | undefined) ?? 1;
    expect(convs.some((c) => group(c) > 1 && group(c) === c.C)).toBe(true); // depthwise
    expect(convs.some((c) => group(c) > 1 && group(c) !== c.C)).toBe(true); // grouped
    expect(convs.some((c) => (c.n.attrs.strides as number[] | undefined)?.[0]! > 1)).toBe(true);
    expect(convs.some((c) => (c.n.attrs.dilations as number[] | undefined)?.[0]! > 1)).toBe(true);
    expect(convs.some((c) => c.n.attrs.auto_pad !== undefined)).toBe(true);
    const symbolic = gs.filter((g) => isSymbolic(g.types.x!.shape[2]!)).length;
    expect(symbolic).toBeGreaterThan(gs.length / 2);
    expect(symbolic).toBeLessThan(gs.length);
    expect(gs.some((g) => g.outputs.length === 2)).toBe(true);
  });

  it("keeps T a number with symbolicT: false, and the symbol with true", () => {
    for (const g of fc.sample(arbSpeechGraph({ symbolicT: false }), { numRuns: 20, seed: 5 })) expect(isSymbolic(g.types.x!.shape[2]!)).toBe(false);
    for (const g of fc.sample(arbSpeechGraph({ symbolicT: true }), { numRuns: 20, seed: 5 })) expect(isSymbolic(g.types.x!.shape[2]!)).toBe(true);
  });

  it("builds the same graph from the same plan", () => {
    for (const plan of fc.sample(arbPlan(), { numRuns: 20, seed: 6 })) {
      expect(printGraph(buildSpeechGraph(plan))).toBe(printGraph(buildSpeechGraph(plan)));
    }
  });

  it("shrinks a failing graph to a small one (fast-check alone may keep a trailing layer)", () => {
    const r = fc.check(fc.property(arbSpeechGraph({ maxLayers: 12 }), (g) => !opsOf(g).has("Concat")), { seed: 8 });
    expect(r.failed).toBe(true);
    const [g] = r.counterexample!;
    expect(g.nodes[0]!.op).toBe("Concat");
    // At most one layer after it; a layer of a function with a domain (Log, Sqrt...) is two nodes,
    // its Clip to the domain (named "<layer>.domain") and the function.
    expect(g.nodes.filter((n) => !n.name.endsWith(".domain")).length).toBeLessThanOrEqual(2);
    expect(g.types.x!.shape[1]).toBe(1);
  });

  it("rejects an op outside its set", () => {
    expect(() => arbSpeechGraph({ ops: ["Conv", "LSTM" as never] })).toThrow(/LSTM is not one of/);
  });
});
