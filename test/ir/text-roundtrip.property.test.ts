// Property tests of the text format and the verifier on random graphs: printing is a fixed
// point of parse∘print, parsing gives back the same graph bit for bit, and the random graphs
// (whose types the arbitrary computes by hand) agree with the registered ops' type rules.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import "../../ir/ops/index.js";
import "./test-ops.js";
import { makeGraph, type AttrValue, type Graph } from "../../ir/graph.js";
import { findOp } from "../../ir/registry.js";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { verifyProblems } from "../../ir/verify.js";
import { CHAIN_OPS, arbAttrValue, arbGraph, arbTensor } from "../../src/testing/arbitraries.js";
import { graphBits } from "./helpers.js";

function expectRoundTrip(g: Graph): void {
  const text = printGraph(g);
  const back = parseGraph(text);
  expect(printGraph(back)).toBe(text);
  expect(graphBits(back)).toEqual(graphBits(g));
}

describe("IR text round trip (property)", () => {
  it("print(parse(print(g))) === print(g) and parse(print(g)) equals g", () => {
    fc.assert(fc.property(arbGraph(), expectRoundTrip), { numRuns: 300 });
  });

  it("keeps constants of every dtype bit for bit", () => {
    fc.assert(
      fc.property(fc.array(arbTensor(), { maxLength: 4 }), (ts) => {
        const constants = Object.fromEntries(ts.map((t, i) => [`c${i}`, t]));
        const types = Object.fromEntries(ts.map((t, i) => [`c${i}`, { dtype: t.dtype, shape: t.shape }]));
        expectRoundTrip(makeGraph({ name: "g", inputs: [], outputs: Object.keys(constants), nodes: [], types, constants }));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps attributes of every kind, on registered and unregistered ops", () => {
    const attrs = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), arbAttrValue(), { maxKeys: 5 });
    fc.assert(
      fc.property(attrs, fc.constantFrom("TestAttrs", "Mystery.Op", "const"), (a: Record<string, AttrValue>, op) => {
        const t = { dtype: "f32" as const, shape: [2] };
        expectRoundTrip(makeGraph({
          name: "g", inputs: ["x"], outputs: ["y"], constants: {}, types: { x: t, y: t },
          nodes: [{ name: "n", op, inputs: ["x"], outputs: ["y"], attrs: a }],
        }));
      }),
      { numRuns: 300 },
    );
  });
});

describe("random graphs against the registered ops", () => {
  // Only the ops other engineers have registered so far take part; the rest are left out.
  const ops = CHAIN_OPS.filter((o) => findOp(o));

  it("pass the verifier, so their hand-computed types agree with the type rules", () => {
    fc.assert(
      fc.property(arbGraph({ ops, extras: false }), (g) => {
        expect(verifyProblems(g, { allowDead: false })).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("re-infer the same types when the text leaves them out", () => {
    fc.assert(
      fc.property(arbGraph({ ops, extras: false }), (g) => {
        const untyped = printGraph(g).replace(/ : [^\n]*$/gm, "");
        expect(graphBits(parseGraph(untyped))).toEqual(graphBits(g));
      }),
      { numRuns: 100 },
    );
  });
});
