// Canonicalization of If (ir/ops/control/if.ts): an If whose condition has become a constant
// (an input bound with --bind, a folded comparison) is replaced by the branch it takes, the
// other branch pruned; and the values an If binds are trimmed: a captured value neither branch
// reads any more is dropped, and a captured constant moves into the branches, where it folds.
import { makeGraph, type Graph } from "../../ir/graph.js";
import { takenBranch } from "../../ir/ops/control/if.js";
import type { Tensor } from "../../ir/types.js";
import { decline, rule, type Rule } from "../patterns.js";

const BRANCHES = ["then_branch", "else_branch"] as const;

export const inlineKnownIf: Rule = rule("If", (node, g) => {
  const cond = g.constant(node.inputs[0] ?? "");
  if (!cond) return decline("the condition is computed at run time");
  const which = takenBranch(cond);
  const sub = node.attrs[which] as Graph;
  const b = g.rewrite(node);
  const map = new Map<string, string>();
  sub.inputs.forEach((n, k) => map.set(n, node.inputs[k + 1]!));
  for (const [n, t] of Object.entries(sub.constants)) map.set(n, b.constant(n, t, sub.types[n]));
  for (const n of sub.nodes) {
    const outs = b.op(n.op, n.inputs.map((i) => (i ? map.get(i)! : "")), n.attrs, {
      outputs: n.outputs.map((o) => o || `${n.name}.unused`),
      quant: n.outputs.map((o) => (o ? sub.types[o]?.quant : undefined)),
    });
    n.outputs.forEach((o, k) => o && map.set(o, outs[k]!));
  }
  return b.explain(`the condition is the constant ${which === "then_branch"}: ${which} inlined, the other pruned`).replaceWith(...sub.outputs.map((o) => map.get(o)!));
}, "inline-known-if");

/** True when a branch reads its input `name` (in a node, or as an output). */
function reads(sub: Graph, name: string): boolean {
  return sub.outputs.includes(name) || sub.nodes.some((n) => n.inputs.includes(name));
}

export const trimIfCaptures: Rule = rule("If", (node, g) => {
  const subs = BRANCHES.map((b) => node.attrs[b] as Graph);
  const dropped = new Set<number>();
  const moved = new Map<number, Tensor>();
  node.inputs.slice(1).forEach((actual, k) => {
    if (subs.every((s) => !reads(s, s.inputs[k]!))) dropped.add(k);
    else if (g.isConstant(actual)) moved.set(k, g.constant(actual)!);
  });
  if (dropped.size === 0 && moved.size === 0) return undefined;
  const trimmed = subs.map((s) => trimBranch(s, dropped, moved));
  const b = g.rewrite(node);
  const kept = node.inputs.slice(1).filter((_, k) => !dropped.has(k) && !moved.has(k));
  const outs = b.op("If", [node.inputs[0]!, ...kept], { ...node.attrs, then_branch: trimmed[0]!, else_branch: trimmed[1]! }, { outputs: node.outputs, name: node.name });
  const what = [dropped.size > 0 ? `${dropped.size} unread captured value${dropped.size === 1 ? "" : "s"} dropped` : "", moved.size > 0 ? `${moved.size} captured constant${moved.size === 1 ? "" : "s"} moved into the branches` : ""].filter(Boolean).join(", ");
  return b.explain(what).replaceWith(...outs);
}, "trim-if-captures");

function trimBranch(s: Graph, dropped: ReadonlySet<number>, moved: ReadonlyMap<number, Tensor>): Graph {
  const types = { ...s.types };
  const constants = { ...s.constants };
  s.inputs.forEach((n, k) => {
    if (dropped.has(k)) delete types[n];
    const c = moved.get(k);
    if (c) constants[n] = c;
  });
  return makeGraph({ ...s, inputs: s.inputs.filter((_, k) => !dropped.has(k) && !moved.has(k)), types, constants });
}

export const ifRules: readonly Rule[] = [inlineKnownIf, trimIfCaptures];

