// What `import-qdq` did to an imported model, for the one line the CLI prints and for tests:
// which integer ops the original nodes became, and which stayed float and why.

export interface QdqFloatNode {
  readonly node: string;
  readonly op: string;
  readonly reason: string;
}

export interface QdqSummary {
  /** Original nodes written as integer ops, counted by integer op (QConv, QMatMul, ...). */
  readonly integer: Readonly<Record<string, number>>;
  /** Original compute nodes left in float (or in their QLinear form), with the reason. */
  readonly float: readonly QdqFloatNode[];
  /** Weight tensors with blocked scales that were dequantized to float32. */
  readonly blockedWeights: readonly string[];
}

export function integerCount(s: QdqSummary): number {
  return Object.values(s.integer).reduce((a, b) => a + b, 0);
}

/** "12 nodes became integer ops (QConv 6, ...); 2 stayed float (Softmax, LogSoftmax)". */
export function formatQdqSummary(s: QdqSummary): string {
  const n = integerCount(s);
  const ops = Object.entries(s.integer).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op, k]) => `${op} ${k}`);
  const parts = [`${n} node${n === 1 ? "" : "s"} became integer ops${ops.length ? ` (${ops.join(", ")})` : ""}`];
  const counts = new Map<string, number>();
  for (const f of s.float) counts.set(f.op, (counts.get(f.op) ?? 0) + 1);
  const float = [...counts].map(([op, k]) => (k > 1 ? `${op} x${k}` : op));
  parts.push(s.float.length === 0 ? "none stayed float" : `${s.float.length} stayed float (${float.join(", ")})`);
  if (s.blockedWeights.length > 0) parts.push(`${s.blockedWeights.length} blocked weight tensor${s.blockedWeights.length === 1 ? "" : "s"} dequantized to float`);
  return parts.join("; ");
}
