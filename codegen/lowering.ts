// Code generation always runs the lower stage first (passes/lower): an op it rewrites (Conv,
// QConv, MatMul, Gemm) has no C kernel of its own, only its algorithm ops do. On a graph the
// pipeline lowered already this changes nothing. A node no algorithm takes is reported with
// each rule's reason, so the user learns what to change.
import type { Graph } from "../ir/graph.js";
import type { Target } from "../ir/target.js";
import { isLoweredByTarget } from "../ir/traits.js";
import { runPass, type ExplainEvent } from "../passes/pass.js";
import { lower } from "../passes/lower/index.js";

/** The graph lowered for `target`, and the nodes left unlowered with why (empty when none). */
export function lowerForCodegen(g: Graph, target: Target): { graph: Graph; problems: string[] } {
  const declined = new Map<string, string[]>();
  const graph = runPass(g, lower, {}, {
    target,
    explain: (e: ExplainEvent) => {
      if (!e.fired) declined.set(e.node, [...(declined.get(e.node) ?? []), `${e.rule}: ${e.message}`]);
    },
    log: () => {},
  });
  const problems = graph.nodes
    .filter((n) => isLoweredByTarget(n.op))
    .map((n) => `${n.name} (${n.op}): no algorithm takes it (${(declined.get(n.name) ?? ["no lower rule looked at it"]).join("; ")})`);
  return { graph, problems };
}
