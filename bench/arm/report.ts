// The tables `npm run bench:arm` prints (markdown): one line per model, precision and target
// with the dynamic instruction count and the estimated cycles per modelled core; per kernel (C
// function) and per kind of node for each measurement; optionally every node.
import type { ArmCost, Cost } from "./measure.js";

export interface Measured {
  readonly model: string;
  /** "fp32" or "int8". */
  readonly precision: string;
  readonly input: string;
  readonly cost: ArmCost;
}

const M = (x: number) => (x / 1e6).toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const cyclesText = (c: Cost, cores: readonly string[]) => cores.map((k) => M(c.cycles[k]!)).join(" | ");

/** Per model: instructions and cycles per core (millions per run), and what llvm-mca priced. */
export function modelTable(rows: readonly Measured[]): string {
  const out: string[] = [];
  const targets = [...new Set(rows.map((r) => r.cost.target))];
  for (const t of targets) {
    const mine = rows.filter((r) => r.cost.target === t);
    const cores = mine[0]!.cost.cores;
    out.push(`${t}: millions per run (input: ${[...new Set(mine.map((r) => r.input))].join(", ")})`, "");
    out.push(`| model | precision | instructions | ${cores.map((c) => `cycles ${c}`).join(" | ")} | IPC ${cores.join(" / ")} | priced by llvm-mca |`);
    out.push(`|---|---|---:|${cores.map(() => "---:").join("|")}|---:|---:|`);
    for (const r of mine) {
      const c = r.cost;
      const ipc = cores.map((k) => (c.total.instructions / c.total.cycles[k]!).toFixed(2)).join(" / ");
      const priced = cores.map((k) => pct(c.coverage[k]!.priced)).join(" / ");
      out.push(`| ${r.model} | ${r.precision} | ${M(c.total.instructions)} | ${cyclesText(c.total, cores)} | ${ipc} | ${priced} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** Parts whose instructions are below this share of the run are summed into one line. */
const SMALL = 0.005;

function costTable(title: string, parts: readonly Cost[], total: Cost, cores: readonly string[]): string[] {
  const out = [title, "", `| ${title.startsWith("by kind") ? "kind of node" : "function"} | instructions (M) | share | ${cores.map((c) => `cycles ${c} (M)`).join(" | ")} |`, `|---|---:|---:|${cores.map(() => "---:").join("|")}|`];
  const big = parts.filter((p) => p.instructions >= SMALL * total.instructions);
  const rest = parts.filter((p) => p.instructions < SMALL * total.instructions);
  for (const p of big) out.push(`| ${p.name} | ${M(p.instructions)} | ${pct(p.instructions / total.instructions)} | ${cyclesText(p, cores)} |`);
  if (rest.length > 0) {
    const other: Cost = { name: `${rest.length} others`, instructions: 0, cycles: Object.fromEntries(cores.map((k) => [k, 0])) };
    for (const p of rest) {
      other.instructions += p.instructions;
      for (const k of cores) other.cycles[k]! += p.cycles[k]!;
    }
    out.push(`| (${other.name}) | ${M(other.instructions)} | ${pct(other.instructions / total.instructions)} | ${cyclesText(other, cores)} |`);
  }
  out.push("");
  return out;
}

/** Totals per kind of node (convolutions by algorithm and kernel size), largest first. */
export function byKind(c: ArmCost): Cost[] {
  const by = new Map<string, Cost>();
  for (const n of c.nodes) {
    let e = by.get(n.kind);
    if (!e) by.set(n.kind, (e = { name: n.kind, instructions: 0, cycles: Object.fromEntries(c.cores.map((k) => [k, 0])) }));
    e.instructions += n.instructions;
    for (const k of c.cores) e.cycles[k]! += n.cycles[k]!;
  }
  return [...by.values()].sort((a, b) => b.instructions - a.instructions);
}

/** Per kernel (C function) and per kind of node, for one measurement; with `nodes`, every node too. */
export function kernelTables(r: Measured, nodes: boolean): string {
  const c = r.cost;
  const head = `### ${r.model} ${r.precision} ${c.target} (${r.input})`;
  const notes: string[] = [];
  for (const k of c.cores) {
    const rej = c.coverage[k]!.rejected;
    if (rej.length > 0) notes.push(`${k}: ${rej.length} hot blocks llvm-mca could not read, priced at the average cycles per instruction (first: ${rej[0]})`);
  }
  const out = [head, "", `${c.blocks.executed} distinct blocks executed, the ${c.blocks.hot} hottest given to llvm-mca.`, ...notes, ""];
  out.push(...costTable("by function (kernel)", c.functions, c.total, c.cores));
  out.push(...costTable("by kind of node", byKind(c), c.total, c.cores));
  if (nodes) {
    out.push("every node", "", `| # | op | node | instructions (M) | ${c.cores.map((k) => `cycles ${k} (M)`).join(" | ")} |`, `|---:|---|---|---:|${c.cores.map(() => "---:").join("|")}|`);
    for (const n of c.nodes) out.push(`| ${n.index} | ${n.kind} | ${n.name} | ${M(n.instructions)} | ${cyclesText(n, c.cores)} |`);
    out.push("");
  }
  return out.join("\n");
}
