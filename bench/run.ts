// `npm run bench`: neonc's interpreter and its generated C against ONNX Runtime on the shared
// speech models.
//
// For each ../shared/models/*/model.onnx (on test_data_set_0) and ../shared/asr-digits (on the
// first dev utterance) it measures the import time (median of 3), the interpreter's time per run
// and ORT's (single-threaded, all graph optimizations; medians over as many runs as fit in a few
// seconds), their ratio, and the largest difference between the two engines' outputs. Then the
// generated C of the -O1 graph, built on this machine with -O3 -march=native, twice: the c99
// target natively and the aarch64 NEON code through SIMDe; each is timed by its own harness
// (median over repeated runs of the same input, no process start inside the timing) and
// compared with ORT (ratio C/ORT, below 1 means faster). Prints a markdown table with the date
// and the machine. Arguments filter the models by name.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bindInputs, CEngine, errorMessage, hasTool, haveSimde, importOnnxFile, packageRoot, readTensorFile, runGraph, runPipelineFromOptions, type GivenTensor, type Graph, type Tensor } from "neonc";
import { createOrtSession, ortVersion, runOrt } from "./ort.js";
import { median } from "./stats.js";

/** Wall time the timed runs of one engine on one model may take (the first run is extra). */
const NEONC_BUDGET_MS = 3000;
const ORT_BUDGET_MS = 1500;
const C_BUDGET_MS = 2000;

/** The generated-C variants measured: the portable target and the NEON code through SIMDe. */
const C_VARIANTS = [
  { key: "c99", target: "c99", mode: "native" },
  { key: "simde", target: "aarch64", mode: "simde" },
] as const;
type CKey = (typeof C_VARIANTS)[number]["key"];

interface Case {
  name: string;
  model: string;
  inputs: string[];
  /** What the input is, for the table (e.g. "test_data_set_0"). */
  inputLabel: string;
}

interface Row {
  name: string;
  input: string;
  importMs?: number;
  neonc?: { ms: number; runs: number };
  ort?: { ms: number; runs: number };
  maxAbsDiff?: number;
  c: Partial<Record<CKey, { ms: number; runs: number; maxAbsDiff?: number }>>;
  errors: string[];
}


function runsFor(firstMs: number, budgetMs: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(budgetMs / Math.max(firstMs, 1e-3))));
}

async function timeRuns(first: number, budget: number, min: number, max: number, once: () => unknown): Promise<{ ms: number; runs: number }> {
  const runs = runsFor(first, budget, min, max);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), runs };
}

function findCases(shared: string): Case[] {
  const cases: Case[] = [];
  const modelsDir = path.join(shared, "models");
  if (existsSync(modelsDir)) {
    for (const name of readdirSync(modelsDir).sort()) {
      const model = path.join(modelsDir, name, "model.onnx");
      const set = path.join(modelsDir, name, "test_data_set_0");
      if (!existsSync(model) || !existsSync(set)) continue;
      const inputs = readdirSync(set).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)));
      cases.push({ name, model, inputs: inputs.map((f) => path.join(set, f)), inputLabel: "test_data_set_0" });
    }
  }
  const digits = path.join(shared, "asr-digits");
  if (existsSync(path.join(digits, "model.onnx"))) {
    const dev = path.join(digits, "dev");
    const first = existsSync(dev) ? readdirSync(dev).filter((f) => f.endsWith(".input.pb")).sort()[0] : undefined;
    if (first) cases.push({ name: "asr-digits", model: path.join(digits, "model.onnx"), inputs: [path.join(dev, first)], inputLabel: `dev/${first}` });
  }
  return cases;
}

function maxAbsDiff(a: Record<string, Tensor>, b: Record<string, Tensor>): number {
  let m = 0;
  for (const [name, x] of Object.entries(a)) {
    const y = b[name];
    if (!y) throw new Error(`ONNX Runtime gave no output "${name}"`);
    if (x.data.length !== y.data.length) throw new Error(`output "${name}" has ${x.data.length} elements in neonc and ${y.data.length} in ONNX Runtime`);
    for (let i = 0; i < x.data.length; i++) m = Math.max(m, Math.abs(Number(x.data[i]) - Number(y.data[i])));
  }
  return m;
}

async function benchCase(c: Case): Promise<Row> {
  const row: Row = { name: c.name, input: c.inputLabel, errors: [], c: {} };
  const given: GivenTensor[] = c.inputs.map((file) => ({ file, ...readTensorFile(file) }));
  const shape = given.map((g) => `[${g.tensor.shape.join(",")}]`).join(" ");
  row.input = `${c.inputLabel} ${shape}`;

  let neoncOut: Record<string, Tensor> | undefined;
  try {
    const importTimes: number[] = [];
    let graph: Graph | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      graph = importOnnxFile(c.model);
      importTimes.push(performance.now() - t0);
    }
    row.importMs = median(importTimes);
    const g = graph!;
    const feeds = bindInputs(g.inputs, given);
    const t0 = performance.now();
    neoncOut = runGraph(g, feeds);
    row.neonc = await timeRuns(performance.now() - t0, NEONC_BUDGET_MS, 3, 50, () => runGraph(g, feeds));
  } catch (e) {
    row.errors.push(`neonc: ${errorMessage(e)}`);
  }

  let ortOut: Record<string, Tensor> | undefined;
  try {
    const session = await createOrtSession(c.model);
    const feeds = bindInputs(session.inputNames, given);
    const t0 = performance.now();
    ortOut = await runOrt(session, feeds);
    row.ort = await timeRuns(performance.now() - t0, ORT_BUDGET_MS, 5, 500, () => runOrt(session, feeds));
    await session.release();
  } catch (e) {
    row.errors.push(`ONNX Runtime: ${errorMessage(e)}`);
  }

  if (neoncOut && ortOut) {
    try {
      row.maxAbsDiff = maxAbsDiff(neoncOut, ortOut);
    } catch (e) {
      row.errors.push(`comparing outputs: ${errorMessage(e)}`);
    }
  }
  await benchC(c, given, row, ortOut);
  return row;
}

/** The generated C of the -O1 graph, -O3 -march=native, each variant timed by its harness. */
async function benchC(c: Case, given: readonly GivenTensor[], row: Row, ortOut: Record<string, Tensor> | undefined): Promise<void> {
  let graph: Graph;
  try {
    graph = await runPipelineFromOptions(importOnnxFile(c.model), { passes: "-O1" });
  } catch (e) {
    row.errors.push(`-O1: ${errorMessage(e)}`);
    return;
  }
  const feeds = bindInputs(graph.inputs, given);
  const maxDims: Record<string, number> = {};
  for (const name of graph.inputs) {
    graph.types[name]!.shape.forEach((d, i) => {
      if (typeof d !== "number" && d.terms.length === 1 && d.c === 0 && d.terms[0]!.atom.kind === "sym") maxDims[d.terms[0]!.atom.name] = feeds[name]!.shape[i]!;
    });
  }
  for (const v of C_VARIANTS) {
    if (v.mode === "simde" && !haveSimde()) {
      row.errors.push(`C ${v.key}: skipped, the SIMDe headers are not installed (libsimde-dev)`);
      continue;
    }
    try {
      const engine = CEngine.create(graph, { target: v.target, mode: v.mode, maxDims, opt: "-O3", extraFlags: ["-march=native"] });
      const first = engine.run([feeds], { runs: 1 }).runs[0]!;
      const runs = runsFor(first.medianMs, C_BUDGET_MS, 5, 200);
      const timed = engine.run([feeds], { runs }).runs[0]!;
      row.c[v.key] = { ms: timed.medianMs, runs, maxAbsDiff: ortOut ? maxAbsDiff(timed.outputs, ortOut) : undefined };
    } catch (e) {
      row.errors.push(`C ${v.key}: ${errorMessage(e)}`);
    }
  }
}

const ms = (v: number | undefined): string => (v === undefined ? "-" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function formatTable(rows: readonly Row[]): string {
  const lines = [
    "| model | input | import ms | interpreter ms/run (runs) | ORT ms/run (runs) | interpreter/ORT | max abs diff |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const ratio = r.neonc && r.ort ? `${(r.neonc.ms / r.ort.ms).toFixed(1)}x` : "-";
    lines.push(
      `| ${r.name} | ${r.input} | ${ms(r.importMs)} | ${r.neonc ? `${ms(r.neonc.ms)} (${r.neonc.runs})` : "failed"} | ` +
        `${r.ort ? `${ms(r.ort.ms)} (${r.ort.runs})` : "failed"} | ${ratio} | ${r.maxAbsDiff === undefined ? "-" : r.maxAbsDiff.toExponential(2)} |`,
    );
  }
  return lines.join("\n");
}

/** Generated C beside ORT: the ratio is C time over ORT time (below 1.00 means C is faster). */
function formatCTable(rows: readonly Row[]): string {
  const lines = [
    "| model | ORT ms/run | C c99 ms/run (runs) | c99/ORT | C NEON via SIMDe ms/run (runs) | SIMDe/ORT | max abs diff vs ORT |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const cell = (r: Row, k: CKey) => {
    const v = r.c[k];
    return v ? `${ms(v.ms)} (${v.runs})` : "-";
  };
  const ratio = (r: Row, k: CKey) => (r.c[k] && r.ort ? (r.c[k]!.ms / r.ort.ms).toFixed(2) : "-");
  for (const r of rows) {
    const diffs = C_VARIANTS.map((v) => r.c[v.key]?.maxAbsDiff).filter((d): d is number => d !== undefined);
    lines.push(`| ${r.name} | ${r.ort ? ms(r.ort.ms) : "-"} | ${cell(r, "c99")} | ${ratio(r, "c99")} | ${cell(r, "simde")} | ${ratio(r, "simde")} | ${diffs.length ? Math.max(...diffs).toExponential(2) : "-"} |`);
  }
  return lines.join("\n");
}

function gccVersion(): string {
  const r = spawnSync("gcc", ["-dumpfullversion"], { encoding: "utf8" });
  return `gcc ${(r.stdout || "").trim() || "?"}`;
}

async function main(): Promise<void> {
  const shared = path.resolve(packageRoot(), "../shared");
  const filters = process.argv.slice(2);
  if (!existsSync(shared)) {
    console.log(`skipping: ../shared not found (looked in ${shared})`);
    return;
  }
  const cases = findCases(shared).filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
  if (cases.length === 0) {
    console.log(`no models to benchmark in ${shared}${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
    return;
  }
  const rows: Row[] = [];
  for (const c of cases) {
    process.stderr.write(`benchmarking ${c.name}...\n`);
    rows.push(await benchCase(c));
  }
  const cpus = os.cpus();
  console.log(`# neonc benchmark, ${new Date().toISOString()}`);
  console.log("");
  console.log(
    `machine: ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${os.platform()} ${os.release()}; ` +
      `node ${process.version}; onnxruntime-node ${ortVersion()} (1 thread, graph optimization "all")`,
  );
  console.log("");
  console.log(formatTable(rows));
  console.log("");
  console.log(`generated C (-O1 graph; ${hasTool("gcc") ? gccVersion() : "gcc missing"} -O3 -march=native; median of the harness's timed runs on the same input):`);
  console.log("");
  console.log(formatCTable(rows));
  const notes = rows.flatMap((r) => r.errors.map((e) => `- ${r.name}: ${e.replace(/\s*\n\s*/g, " ")}`));
  if (notes.length > 0) console.log(["", "errors:", ...notes].join("\n"));
}

await main();
