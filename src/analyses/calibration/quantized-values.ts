// The records the quantize pass leaves in a quantized graph's metadata: for each float value, the
// integer value that stands for it and its scale and zero point (the SQNR report reads it to
// compare every layer of the quantized graph with its float original); and the nodes that stayed
// in float, with why (the report lists them, as the pass's log line does).

/** Metadata key of the float-name -> int-version map. */
export const QUANTIZED_VALUES_META = "neonc.quantized-values";

/** Where an integer version of a float value came from (float name -> int name). */
/** Metadata key of the list of nodes left in float (FloatNode[] as JSON). */
export const FLOAT_NODES_META = "neonc.float-nodes";

/** A node of the float graph that the quantized graph still computes in float. */
export interface FloatNode {
  readonly node: string;
  readonly op: string;
  /** Why: "no integer kernel", "kept in float (keep_float)", or the lowering's own reason. */
  readonly reason: string;
}

/** The float nodes recorded in a quantized graph's metadata (none when it has no record). */
export function floatNodesOf(meta: Readonly<Record<string, string>> | undefined): FloatNode[] {
  const text = meta?.[FLOAT_NODES_META];
  return text ? (JSON.parse(text) as FloatNode[]) : [];
}

/**
 * One line listing the float nodes, grouped by reason and op type, each with at most three node
 * names: "3 nodes stay in float between Dequantize and Quantize: no integer kernel: Div (/Div),
 * Split (/Split); kept in float (keep_float): Softmax (/Softmax)".
 */
export function describeFloatNodes(nodes: readonly FloatNode[]): string {
  const byReason = new Map<string, Map<string, string[]>>();
  for (const n of nodes) {
    let ops = byReason.get(n.reason);
    if (!ops) byReason.set(n.reason, (ops = new Map()));
    ops.set(n.op, [...(ops.get(n.op) ?? []), n.node]);
  }
  const groups = [...byReason].map(([reason, ops]) => `${reason}: ${[...ops].map(([op, names]) => {
    const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? ` and ${names.length - 3} more` : "");
    return `${op} (${names.length > 1 ? `${names.length}: ` : ""}${shown})`;
  }).join(", ")}`);
  return `${nodes.length} node${nodes.length === 1 ? "" : "s"} stay${nodes.length === 1 ? "s" : ""} in float between Dequantize and Quantize: ${groups.join("; ")}`;
}

export interface QuantizedValue {
  readonly int: string;
  readonly scale: number;
  readonly zeroPoint: number;
}
