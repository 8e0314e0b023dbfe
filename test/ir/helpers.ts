// Exact structural views of graphs for tests: tensors become their bytes, so NaN payloads and
// -0 count, and everything else is compared as plain data.
import type { Graph } from "../../ir/graph.js";
import { isTensorValue } from "../../ir/text/attr-text.js";
import { tensorBits } from "../../src/testing/arbitraries.js";

/** A plain-data description of g in which equal graphs give deep-equal values. */
export function graphBits(g: Graph): unknown {
  return {
    name: g.name,
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    nodes: g.nodes.map((n) => ({
      name: n.name, op: n.op, inputs: [...n.inputs], outputs: [...n.outputs],
      attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, isTensorValue(v) ? tensorBits(v) : minusZero(v)])),
    })),
    types: minusZero(g.types),
    constants: Object.fromEntries(Object.entries(g.constants).map(([k, t]) => [k, tensorBits(t)])),
    meta: g.meta,
  };
}

/** JSON-like copy in which -0 is spelled out, since deep equality may not tell it from 0. */
function minusZero(v: unknown): unknown {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v;
  if (Array.isArray(v)) return v.map(minusZero);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, minusZero(x)]));
  return v;
}
