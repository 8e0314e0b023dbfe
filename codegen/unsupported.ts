// The one sentence for a graph the C generator cannot handle. Nodes of an op without a kernel
// are grouped by op, and nodes a kernel refuses are grouped by op and reason, so that a model
// with many of them (33 unfolded BatchNorms, every attention MatMul) still reads as one line:
// "cannot generate C for 35 nodes: no C kernel for BatchNormalization (33 nodes: bn1, bn2, bn3,
// ... 30 more); MatMul (2 nodes: qk, av): only a 2-D B is generated".
import type { Node } from "../ir/graph.js";

/** A node the generator cannot handle: `why` is its kernel's reason, undefined when the op has no kernel. */
export interface Refusal {
  readonly node: Node;
  readonly why?: string;
}

/** The sentence for the refused nodes (no-kernel groups first, then the others in graph order), or undefined for none. */
export function unsupportedMessage(refusals: readonly Refusal[]): string | undefined {
  if (refusals.length === 0) return undefined;
  const groups = new Map<string, { head: string; why?: string; names: string[] }>();
  const ordered = [...refusals.filter((r) => r.why === undefined), ...refusals.filter((r) => r.why !== undefined)];
  for (const { node, why } of ordered) {
    // A reason is a clause inside the sentence: a line break in it would split the sentence.
    const reason = why?.replace(/\s*\n\s*/g, " ");
    const key = JSON.stringify([node.op, reason ?? null]);
    const group = groups.get(key) ?? { head: reason === undefined ? `no C kernel for ${node.op}` : node.op, why: reason, names: [] };
    group.names.push(node.name);
    groups.set(key, group);
  }
  const clauses = [...groups.values()].map(({ head, why, names }) => {
    const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? `, ... ${names.length - 3} more` : "");
    const nodes = names.length === 1 ? `node ${shown}` : `${names.length} nodes: ${shown}`;
    return `${head} (${nodes})${why === undefined ? "" : `: ${why}`}`;
  });
  const count = refusals.length;
  return `cannot generate C for ${count} node${count === 1 ? "" : "s"}: ${clauses.join("; ")}`;
}
