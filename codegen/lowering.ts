// Code generation always runs the lower stage first (passes/lower): an op it rewrites (Conv,
// QConv, MatMul, Gemm) has no C kernel of its own, only its algorithm ops do. On a graph the
// pipeline lowered already this changes nothing. A node no algorithm takes is reported with
// each rule's reason, so the user learns what to change.
import { allNodes, type Graph } from "../ir/graph.js";
import type { Target } from "../ir/target.js";
import { isLoweredByTarget } from "../ir/traits.js";
import { runPass, type ExplainEvent } from "../passes/pass.js";
import { lower } from "../passes/lower/index.js";
import type { Refusal } from "./unsupported.js";

/** The graph lowered for `target`, and the nodes left unlowered with why (empty when none). */
export function lowerForCodegen(g: Graph, target: Target): { graph: Graph; unlowered: Refusal[] } {
  const declined = new Map<string, { rule: string; message: string }[]>();
  const graph = runPass(g, lower, {}, {
    target,
    explain: (e: ExplainEvent) => {
      if (!e.fired) declined.set(e.node, [...(declined.get(e.node) ?? []), { rule: e.rule, message: e.message }]);
    },
    log: () => {},
  });
  const unlowered = allNodes(graph)
    .filter((n) => isLoweredByTarget(n.op))
    .map((node) => ({ node, why: `no algorithm takes it (${reasons(declined.get(node.name))})` }));
  return { graph, unlowered };
}

/** The rules' reasons, rules that give the same one named together ("A, B and C: why"). */
function reasons(events: readonly { rule: string; message: string }[] | undefined): string {
  if (!events || events.length === 0) return "no lower rule looked at it";
  const byMessage = new Map<string, string[]>();
  for (const { rule, message } of events) byMessage.set(message, [...(byMessage.get(message) ?? []), rule]);
  const names = (rules: readonly string[]) => (rules.length === 1 ? rules[0]! : `${rules.slice(0, -1).join(", ")} and ${rules.at(-1)}`);
  return [...byMessage].map(([message, rules]) => `${names(rules)}: ${message}`).join("; ");
}
