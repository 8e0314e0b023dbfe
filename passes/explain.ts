// Turns the explain events of one pass run into the per-node report `--explain NAME` prints:
// for every node a rule looked at, the rule that fired (with, indented below, why each rule that
// declined it first did not), or each rule's last reason to decline.
import type { ExplainEvent } from "./pass.js";

export function formatExplanation(pass: string, label: string, events: readonly ExplainEvent[]): string {
  const byNode = new Map<string, { op: string; fired?: ExplainEvent; declined: Map<string, string> }>();
  for (const e of events) {
    let entry = byNode.get(e.node);
    if (!entry) byNode.set(e.node, (entry = { op: e.op, declined: new Map() }));
    if (e.fired) entry.fired ??= e;
    else entry.declined.set(e.rule, e.message);
  }
  const lines = [`// explain ${pass}${label}: ${byNode.size === 0 ? "no node matched its rules" : `${byNode.size} node${byNode.size === 1 ? "" : "s"}`}`];
  for (const [node, entry] of byNode) {
    if (entry.fired) {
      lines.push(`${entry.op} ${node}: fired ${entry.fired.rule}: ${entry.fired.message}`);
      // Why not the rules tried before it (lower's earlier algorithms, say), one per line.
      for (const [rule, why] of entry.declined) if (rule !== entry.fired.rule) lines.push(`  not ${rule}: ${why}`);
      continue;
    }
    const reasons = [...entry.declined].map(([rule, why]) => `${rule}: ${why}`);
    lines.push(`${entry.op} ${node}: did not fire (${reasons.join("; ")})`);
  }
  return lines.join("\n") + "\n";
}
