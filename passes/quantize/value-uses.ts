// Who makes and who reads each value of a graph, for the quantize pass's pattern finders
// (./lower-magnitude.ts, ./lower-log-energy.ts): a pattern may absorb a value only when nothing
// outside it reads that value.
import type { Graph, Node } from "../../ir/graph.js";

export interface ValueUses {
  /** The node that makes v. */
  producer(v: string): Node | undefined;
  /** Input slots reading v (a node reading it twice counts twice). */
  reads(v: string): number;
  /** Whether v is a graph output. */
  isOutput(v: string): boolean;
  /** Whether exactly one input slot reads v and it is no graph output. */
  only(v: string): boolean;
}

export function valueUses(g: Graph): ValueUses {
  const made = new Map<string, Node>();
  const count = new Map<string, number>();
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o) made.set(o, n);
    for (const i of n.inputs) if (i) count.set(i, (count.get(i) ?? 0) + 1);
  }
  const outputs = new Set(g.outputs);
  return {
    producer: (v) => made.get(v),
    reads: (v) => count.get(v) ?? 0,
    isOutput: (v) => outputs.has(v),
    only: (v) => count.get(v) === 1 && !outputs.has(v),
  };
}
