// Cycles of basic blocks on a modelled core, from llvm-mca: every block becomes one code region
// (`# LLVM-MCA-BEGIN` / `# LLVM-MCA-END`), llvm-mca simulates each region run back to back
// `iterations` times on the core's scheduling model, and a block's cost is its total cycles
// over the iterations (the steady state of a loop body, which is what a hot block is). A block
// llvm-mca cannot read (an instruction its assembler or the model lacks) is left out and
// reported, and the caller prices it at the average cycles per instruction of the others.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface McaCore {
  /** Shown in tables, e.g. "Cortex-A55". */
  readonly label: string;
  readonly triple: string;
  readonly cpu: string;
  readonly mattr?: string;
}

export interface McaBlock {
  readonly id: number;
  /** Instructions in LLVM syntax; targets already replaced by `label`. */
  readonly lines: readonly string[];
  /** The label the block's targets name (defined at the block's start). */
  readonly label: string;
}

export interface McaResult {
  /** Block id -> cycles per execution. */
  readonly cycles: Map<number, number>;
  /** Blocks llvm-mca could not read, with its reason. */
  readonly rejected: Map<number, string>;
}

export const MCA_ITERATIONS = 100;

/** The assembly file: one region per block. Returns the text and, per line, the block it belongs to. */
export function regionsSource(blocks: readonly McaBlock[]): { text: string; lineBlock: number[] } {
  const lines: string[] = [];
  const lineBlock: number[] = [];
  const push = (l: string, id: number) => {
    lines.push(l);
    lineBlock.push(id);
  };
  for (const b of blocks) {
    push(`# LLVM-MCA-BEGIN b${b.id}`, b.id);
    push(`${b.label}:`, b.id);
    for (const l of b.lines) push(l, b.id);
    push(`# LLVM-MCA-END b${b.id}`, b.id);
  }
  return { text: lines.join("\n") + "\n", lineBlock };
}

/** Reads llvm-mca's text report: region name -> total cycles / iterations. */
export function parseMcaReport(out: string): Map<string, number> {
  const res = new Map<string, number>();
  const parts = out.split(/^\[\d+\] Code Region - /m).slice(1);
  for (const p of parts) {
    const name = p.slice(0, p.indexOf("\n")).trim();
    const it = /^Iterations:\s+(\d+)/m.exec(p);
    const cyc = /^Total Cycles:\s+(\d+)/m.exec(p);
    if (!it || !cyc) throw new Error(`llvm-mca's report of region ${name} has no Iterations or Total Cycles`);
    res.set(name, Number(cyc[1]) / Number(it[1]));
  }
  return res;
}

/** The blocks an llvm-mca error names: by line number, or by the instruction it quotes. */
function blamed(stderr: string, source: { text: string; lineBlock: number[] }): Map<number, string> {
  const out = new Map<number, string>();
  const srcLines = source.text.split("\n");
  for (const m of stderr.matchAll(/:(\d+):\d+: error: (.*)$/gm)) {
    const id = source.lineBlock[Number(m[1]) - 1];
    if (id !== undefined) out.set(id, `${m[2]}: ${srcLines[Number(m[1]) - 1]?.trim()}`);
  }
  if (out.size === 0) {
    const q = /instruction:\s*(.+)$/m.exec(stderr)?.[1]?.replace(/\s+/g, " ").trim();
    if (q) srcLines.forEach((l, i) => {
      if (l.replace(/\s+/g, " ").trim() === q) out.set(source.lineBlock[i]!, `${stderr.split("\n")[0]!.replace(/^.*error: /, "")}: ${q}`);
    });
  }
  return out;
}

type McaRun = { kind: "ok"; cycles: Map<number, number> } | { kind: "rejected"; blocks: Map<number, string> } | { kind: "crashed"; why: string };

/** One llvm-mca process over some blocks. */
function runMca(mca: string, core: McaCore, blocks: readonly McaBlock[], iterations: number, dir: string): McaRun {
  const source = regionsSource(blocks);
  const file = path.join(dir, "blocks.s");
  writeFileSync(file, source.text);
  const args = [`-mtriple=${core.triple}`, `-mcpu=${core.cpu}`, ...(core.mattr ? [`-mattr=${core.mattr}`] : []), `-iterations=${iterations}`, "-instruction-info=false", "-resource-pressure=false", file];
  const r = spawnSync(mca, args, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`cannot run ${mca}: ${r.error.message}`);
  if (r.status === 0) {
    const byName = parseMcaReport(r.stdout);
    const cycles = new Map<number, number>();
    for (const b of blocks) {
      const c = byName.get(`b${b.id}`);
      if (c === undefined) throw new Error(`llvm-mca reported no region b${b.id}`);
      cycles.set(b.id, c);
    }
    return { kind: "ok", cycles };
  }
  const bad = blamed(r.stderr, source);
  if (bad.size > 0) return { kind: "rejected", blocks: bad };
  // No error names a line: llvm-mca itself failed (LLVM 14 aborts on a few Cortex-A9 blocks).
  return { kind: "crashed", why: `llvm-mca failed (${r.signal ?? `exit ${r.status}`}): ${r.stderr.trim().split("\n").filter((l) => !/^(PLEASE|Stack dump|\s*\d+\.|#\d)/.test(l))[0] ?? ""}`.trim() };
}

/**
 * Runs llvm-mca on the blocks for one core. Blocks whose text it rejects are left out; when it
 * fails without naming a line, the blocks are split in halves until the failing ones are alone.
 */
export function mcaCycles(mca: string, core: McaCore, blocks: readonly McaBlock[], iterations = MCA_ITERATIONS): McaResult {
  const cycles = new Map<number, number>();
  const rejected = new Map<number, string>();
  const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-mca-"));
  const solve = (some: readonly McaBlock[]): void => {
    let todo = [...some];
    while (todo.length > 0) {
      const r = runMca(mca, core, todo, iterations, dir);
      if (r.kind === "ok") {
        for (const [id, c] of r.cycles) cycles.set(id, c);
        return;
      }
      if (r.kind === "rejected") {
        for (const [id, why] of r.blocks) rejected.set(id, why);
        todo = todo.filter((b) => !r.blocks.has(b.id));
        continue;
      }
      if (todo.length === 1) {
        rejected.set(todo[0]!.id, r.why);
        return;
      }
      const half = todo.length >> 1;
      solve(todo.slice(0, half));
      solve(todo.slice(half));
      return;
    }
  };
  try {
    solve(blocks);
    return { cycles, rejected };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
