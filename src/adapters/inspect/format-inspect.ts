// The human-readable form of an inspect report: aligned plain-text sections, no colour, so it
// reads the same in a terminal, a log file and a diff.
import type { InspectReport } from "./inspect-onnx.js";
import type { ValueSummary } from "./onnx-summary.js";

const grouped = new Intl.NumberFormat("en-US");

/** 1234567 -> "1,234,567". */
export function groupDigits(n: number): string {
  return grouped.format(n);
}

/** Short magnitude with a decimal SI prefix: 1.23 G, 45.6 M, 789 k. */
export function siUnits(n: number, unit = ""): string {
  const steps: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [v, p] of steps) {
    if (Math.abs(n) >= v) return `${(n / v).toPrecision(3)} ${p}${unit}`;
  }
  return `${n} ${unit}`.trimEnd();
}

/** Left-aligned columns separated by two spaces; columns listed in `right` are right-aligned. */
export function table(rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd(),
  );
}

function valueLine(v: ValueSummary, nameWidth: number): string {
  return `${v.name.padEnd(nameWidth)}  ${v.dtype}[${v.shape.join(",")}]`;
}

function macsCell(v: number | string | null): string {
  if (v === null) return "?";
  return typeof v === "number" ? groupDigits(v) : v;
}

export function formatInspectText(r: InspectReport): string {
  const out: string[] = [];
  const at = Object.entries(r.dims).map(([k, v]) => `${k}=${v}`).join(", ");
  const header: string[][] = [["model", r.model]];
  if (r.producer || r.opset !== null) {
    header.push(["source", [r.producer, r.opset !== null ? `opset ${r.opset}` : ""].filter(Boolean).join(", ")]);
  }
  const nameWidth = Math.max(0, ...[...r.inputs, ...r.outputs].map((v) => v.name.length));
  r.inputs.forEach((v, i) => header.push([i === 0 ? "inputs" : "", valueLine(v, nameWidth)]));
  if (r.inputs.length === 0) header.push(["inputs", "(none)"]);
  r.outputs.forEach((v, i) => header.push([i === 0 ? "outputs" : "", valueLine(v, nameWidth)]));
  const p = r.parameters;
  header.push(["params", `${groupDigits(p.count)} in ${p.tensors} tensors (${siUnits(p.bytes, "B")})`]);
  header.push(["nodes", String(r.nodes)]);
  out.push(...table(header));

  out.push("", "ops");
  out.push(...table(Object.entries(r.ops).map(([op, n]) => [`  ${op}`, String(n)]), new Set([1])));

  out.push("");
  if (r.macs) {
    out.push(at ? `MACs per layer (evaluated at ${at})` : "MACs per layer");
    if (r.macs.layers.length === 0) {
      out.push("  (no node of this model has a MAC count)");
    } else {
      // A value column when a count is an expression, or exists only at the given dims.
      const symbolic = r.macs.layers.some((l) => typeof l.macs === "string" || (l.macs === null && l.macsAtDims !== null));
      const rows: string[][] = [["  node", "op", "MACs", ...(symbolic ? [at ? `at ${at}` : "value"] : [])]];
      for (const l of r.macs.layers) {
        const cell = l.macs === null && l.macsAtDims !== null ? "(not linear in the dims)" : l.error ? `? (${l.error})` : macsCell(l.macs);
        rows.push([`  ${l.node}`, l.op, cell, ...(symbolic ? [macsCell(l.macsAtDims)] : [])]);
      }
      rows.push(["  total", "", macsCell(r.macs.total), ...(symbolic ? [macsCell(r.macs.totalAtDims)] : [])]);
      out.push(...table(rows, new Set(symbolic ? [3] : [2])));
      if (r.macs.totalAtDims !== null) out.push(`  (${siUnits(r.macs.totalAtDims)} MACs per run${symbolic && at ? ` at ${at}` : ""})`);
      if (r.unboundDims.length > 0) {
        out.push(`  (give --dim ${r.unboundDims.map((s) => `${s}=N`).join(" --dim ")} to evaluate the expressions over ${r.unboundDims.join(", ")})`);
      }
    }
  } else {
    out.push("MACs per layer: not available, the model did not import");
  }

  out.push("");
  if (r.unsupportedOps.length === 0) {
    out.push("unsupported ops: none");
  } else {
    out.push("unsupported ops");
    const rows = r.unsupportedOps.map((u) => {
      const names = u.nodes.slice(0, 3).join(", ") + (u.nodes.length > 3 ? ", ..." : "");
      return [`  ${u.domain ? `${u.domain}:` : ""}${u.op}`, `${u.count} node${u.count === 1 ? "" : "s"} (${names})`];
    });
    out.push(...table(rows));
  }
  if (r.importError) out.push("", `import failed: ${r.importError}`);
  return out.join("\n") + "\n";
}
