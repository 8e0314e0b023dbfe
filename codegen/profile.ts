// Per-node timing of generated C (`neonc check --profile`, the benchmark's "where the time goes").
//
// The profiling build is a variant of a compiled model, never what `neonc compile` ships: its
// model.c gets a clock read before every node block and mutable timing globals (so it is not
// reentrant), and the harness is built with -DNEONC_PROFILE so it prints one `profile_node I MS`
// line per node (mean ms per run over every run of the process). Rewriting the emitted text
// keeps the generator itself free of profiling concerns: each node block starts with its
// `/* [I] Op name: ... */` header at the run function's indentation.
import type { Graph, Node } from "../ir/graph.js";
import { implementedOp } from "../ir/traits.js";
import type { CompiledModel } from "./emit-model.js";

/** Compile flag the harness needs to print the profile. */
export const PROFILE_FLAG = "-DNEONC_PROFILE";

const NODE_HEADER = /^ {2}\/\* \[(\d+)\] /;

/** How markNodeBlocks instruments model.c. */
export interface NodeMarks {
  /** Lines put right after model.c's first line (before any system header). */
  readonly head?: readonly string[];
  /** Lines put before the run function (the functions the marks call). */
  readonly prelude: readonly string[];
  /** The statement before node i's block (i = node count: after the last block). */
  mark(i: number): string;
}

/**
 * The model with a statement before every node block of its run function and one after the
 * last (per-node profiling here, bench/arm's trace markers): each block starts with its
 * `/* [I] Op ...` header at two spaces, and the run function ends with `return 0;`.
 */
export function markNodeBlocks(m: CompiledModel, nodeCount: number, marks: NodeMarks): CompiledModel {
  const src = m.files["model.c"];
  if (src === undefined) throw new Error("the compiled model has no model.c");
  const lines = src.split("\n");
  const runStart = lines.findIndex((l) => l.startsWith(`int ${m.prefix}_run(`));
  if (runStart < 0) throw new Error(`model.c has no ${m.prefix}_run`);
  const runEnd = lines.indexOf("}", runStart);
  // The last statement of the run function is its `return 0;`.
  if (runEnd < 1 || lines[runEnd - 1] !== "  return 0;") throw new Error(`model.c: cannot find the end of ${m.prefix}_run`);
  const out: string[] = [];
  let seen = 0;
  lines.forEach((line, i) => {
    if (i === runStart) out.push(...marks.prelude);
    if (i > runStart && i < runEnd) {
      const h = NODE_HEADER.exec(line);
      if (h) {
        out.push(marks.mark(Number(h[1])));
        seen++;
      }
      if (i === runEnd - 1) out.push(marks.mark(nodeCount));
    }
    out.push(line);
    if (i === 0 && marks.head) out.push(...marks.head);
  });
  if (seen !== nodeCount) throw new Error(`model.c has ${seen} node blocks, the graph ${nodeCount} nodes`);
  return { ...m, files: { ...m.files, "model.c": out.join("\n") } };
}

/** The same model with model.c instrumented per node; build it with PROFILE_FLAG. */
export function profiledModel(m: CompiledModel, nodeCount: number): CompiledModel {
  return markNodeBlocks(m, nodeCount, {
    // Before any system header: clock_gettime needs POSIX under -std=c99.
    head: ["#define _POSIX_C_SOURCE 199309L", "#include <stdio.h>", "#include <time.h>"],
    prelude: profileRuntime(nodeCount),
    mark: (i) => `  neonc_prof_mark(${i});`,
  });
}

/** Timing state and the functions the marks and the harness call (C). */
function profileRuntime(n: number): string[] {
  const slots = Math.max(n, 1);
  return [
    `/* Profiling build: mutable timing state, not reentrant. */`,
    `static double neonc_prof_ms[${slots}];`,
    `static double neonc_prof_t;`,
    `static long neonc_prof_runs;`,
    ``,
    `static void neonc_prof_mark(int i) {`,
    `  struct timespec ts;`,
    `  double t;`,
    `  clock_gettime(CLOCK_MONOTONIC, &ts);`,
    `  t = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;`,
    `  /* Marks come in node order, so the time since the last one belongs to node i - 1. */`,
    `  if (i == 0) neonc_prof_runs++;`,
    `  else neonc_prof_ms[i - 1] += t - neonc_prof_t;`,
    `  neonc_prof_t = t;`,
    `}`,
    ``,
    `void neonc_profile_print(void);`,
    `void neonc_profile_print(void) {`,
    `  int i;`,
    `  double runs = neonc_prof_runs > 0 ? (double)neonc_prof_runs : 1.0;`,
    `  printf("profile_runs %ld\\n", neonc_prof_runs);`,
    `  for (i = 0; i < ${n}; i++) printf("profile_node %d %.6f\\n", i, neonc_prof_ms[i] / runs);`,
    `}`,
    ``,
  ];
}

export interface NodeTime {
  readonly index: number;
  readonly op: string;
  /** The op with what decides its cost, e.g. "Conv depthwise k=5" or "Conv pointwise". */
  readonly kind: string;
  readonly name: string;
  /** Mean milliseconds per run. */
  readonly ms: number;
  /** Fraction of the sum over all nodes. */
  readonly share: number;
}

/** Reads the harness's profile lines and names each node from the compiled graph. */
export function parseProfile(stdout: string, g: Graph): NodeTime[] {
  const ms = new Array<number>(g.nodes.length).fill(NaN);
  for (const m of stdout.matchAll(/^profile_node (\d+) ([0-9.eE+-]+)$/gm)) {
    const i = Number(m[1]);
    if (i < ms.length) ms[i] = Number(m[2]);
  }
  if (ms.some((x) => Number.isNaN(x))) throw new Error("the harness printed no profile for some nodes (was it built with -DNEONC_PROFILE?)");
  const total = ms.reduce((a, b) => a + b, 0);
  return g.nodes.map((n, i) => ({ index: i, op: n.op, kind: kindOf(n, g), name: n.name, ms: ms[i]!, share: total > 0 ? ms[i]! / total : 0 }));
}

/**
 * Convolutions differ most in cost by algorithm and filter size, so the summary groups them by
 * their algorithm op (ConvDepthwise, QConvGemmRows, ...) and kernel size.
 */
function kindOf(n: Node, g: Graph): string {
  const base = implementedOp(n.op);
  if (base !== "Conv" && base !== "QConv") return n.op;
  const w = g.types[n.inputs[1] ?? ""]?.shape;
  if (!w) return n.op;
  return `${n.op} k=${w.slice(2).map((d) => (typeof d === "number" ? String(d) : "?")).join("x")}`;
}

/** Totals per kind of node, largest first: where the time goes at a glance. */
export function profileByOp(times: readonly NodeTime[]): { op: string; count: number; ms: number; share: number }[] {
  const by = new Map<string, { op: string; count: number; ms: number; share: number }>();
  for (const t of times) {
    const e = by.get(t.kind) ?? { op: t.kind, count: 0, ms: 0, share: 0 };
    e.count++;
    e.ms += t.ms;
    e.share += t.share;
    by.set(t.kind, e);
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms || a.op.localeCompare(b.op));
}

/** A text table: one line per node in graph order (views show as ~0), then the per-op summary. */
export function formatProfile(times: readonly NodeTime[]): string {
  const total = times.reduce((a, t) => a + t.ms, 0);
  const opW = Math.max(2, ...times.map((t) => t.op.length));
  const nameW = Math.min(40, Math.max(4, ...times.map((t) => t.name.length)));
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)}%`;
  const lines = [`${"#".padStart(4)}  ${"op".padEnd(opW)}  ${"node".padEnd(nameW)}  ${"ms".padStart(9)}  share`];
  for (const t of times) lines.push(`${String(t.index).padStart(4)}  ${t.op.padEnd(opW)}  ${t.name.slice(0, nameW).padEnd(nameW)}  ${t.ms.toFixed(4).padStart(9)}  ${pct(t.share)}`);
  const by = profileByOp(times);
  const kindW = Math.max(2, ...by.map((o) => o.op.length));
  lines.push(`total ${total.toFixed(3)} ms per run over ${times.length} nodes; by kind:`);
  for (const o of by) lines.push(`  ${o.op.padEnd(kindW)}  ${String(o.count).padStart(3)} nodes  ${o.ms.toFixed(3).padStart(9)} ms  ${pct(o.share)}`);
  return lines.join("\n");
}
