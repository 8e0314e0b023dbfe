import { it } from "vitest";
import fc from "fast-check";
import { arbSpeechGraph, acceptedValues } from "../../src/testing/index.js";
import { printGraph } from "../../ir/text/index.js";
it("sanity", () => {
  const gs = fc.sample(arbSpeechGraph({maxChannels: 8}), { numRuns: 300, seed: 5 });
  const minT = new Map<number, number>();
  let grouped = 0, dw = 0, sym = 0;
  for (const g of gs) {
    if (g.inputs.length && typeof g.types.x!.shape[2] !== "number") { sym++; const m = acceptedValues(g, "T")[0]!; minT.set(m, (minT.get(m) ?? 0) + 1); }
    for (const n of g.nodes) if (n.op === "Conv" && n.attrs.group) { const C = g.types[n.inputs[0]!]!.shape[1]; if (C === n.attrs.group) dw++; else grouped++; }
  }
  console.log({ sym, grouped, dw, minT: [...minT.entries()].sort((a, b) => a[0] - b[0]) });
  const big = gs.filter((g) => g.nodes.length > 10)[0]!;
  console.log(printGraph(big));
});
