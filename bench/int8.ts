// `npm run bench:int8`: accuracy, size and speed of INT8 against fp32 on ../shared/asr-digits,
// through the generated C and, as the yardstick, through onnxruntime-node. Scores the 500 dev
// utterances with greedy CTC and WER (the rule of ../shared/asr-digits/wer.py), for: fp32
// (-O1), int8 calibrated on 100 dev utterances (0400-0499, min/max), and int8 with zero-shot
// synthetic calibration (no data).
//
// ONNX Runtime (single-threaded, every graph optimization, as bench/ort.ts creates it) runs the
// original fp32 model and, for each int8 graph, neonc's QDQ export of it (src/adapters/onnx/export.ts):
// its WER over all utterances checks that the export means the same thing, and its time per
// utterance is the bar the int8 C is measured against.
//
// Speed: every engine (generated C for c99 and for aarch64 NEON through SIMDe, ORT) is timed on
// the first 50 utterances, 3 runs each, in 3 rounds that take the engines in turn, so load from
// other processes on this shared machine falls on all of them alike. An engine's figure is the
// median over the utterances of each utterance's fastest of those 9 runs: the fastest, because
// on a loaded machine a run of a millisecond or two is often preempted, and load only ever adds
// time. The C harness times inside its process, so no process start is counted; ORT is timed
// around session.run, after the WER pass warmed it up. Prints two markdown tables for the README. `--limit N` scores
// the first N utterances only.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { calibrate, CEngine, errorRates, exportOnnx, greedyDecode, importOnnxFile, observerByName, parseVocabulary, quantizeGraph, readTensorFile, runPipeline, runSyntheticCalibration, type Graph, type Tensor } from "neonc";
import { createOrtSession, ortVersion, runOrt } from "./ort.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.resolve(root, "../shared/asr-digits");
const limitArg = process.argv.indexOf("--limit");
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Infinity;
/** Utterances timed (from the first), timed runs of each per round, and rounds. */
const SPEED_UTTERANCES = 50;
const SPEED_RUNS = 3;
const SPEED_ROUNDS = 3;

const vocab = parseVocabulary(readFileSync(path.join(dir, "vocab.json"), "utf8"));
const refs = new Map(readFileSync(path.join(dir, "dev", "transcripts.tsv"), "utf8").split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]));
const ids = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).sort().slice(0, limit);
const load = (id: string) => readTensorFile(path.join(dir, "dev", `${id}.input.pb`)).tensor;

const modelFile = path.join(dir, "model.onnx");
const imported = importOnnxFile(modelFile);
const input = imported.inputs[0]!;
const output = imported.outputs[0]!;
const fp32 = runPipeline(imported, "-O1");
const sets = ids.map((id) => ({ [input]: load(id) }));
const speedSets = sets.slice(0, SPEED_UTTERANCES);
const maxT = Math.max(...sets.map((s) => s[input]!.shape[2]!));
const tmp = mkdtempSync(path.join(os.tmpdir(), "neonc-bench-int8-"));

interface Scored { wer: number; words: string }
interface Row extends Scored {
  name: string; weights: number; arena: number;
  /** ONNX Runtime on the original model (fp32) or on the QDQ export (int8). */
  ort: Scored;
  /** ms/utt of each engine (filled in by the timing rounds). */
  ms: { c99: number; simde: number; ort: number };
}

/** One round of an engine over speedSets: each utterance's fastest of SPEED_RUNS runs. */
type Round = () => Promise<number[]>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
function score(hyps: readonly string[]): Scored {
  const r = errorRates(ids.map((id) => refs.get(id) ?? ""), hyps);
  return { wer: r.wer, words: `${r.wordErrors}/${r.words}` };
}

const rows: Row[] = [];
const rounds = new Map<string, Round>();
const sessions: { release(): Promise<void> }[] = [];

/** Scores g through its generated C (SIMDe) and ortFile through ORT; registers the three engines for timing. */
async function evaluate(name: string, g: Graph, ortFile: string): Promise<void> {
  const t0 = performance.now();
  const simde = CEngine.create(g, { maxDims: { T: maxT }, opt: "-O3", extraFlags: ["-march=native"] });
  const c99 = CEngine.create(g, { target: "c99", maxDims: { T: maxT }, opt: "-O3", extraFlags: ["-march=native"] });
  const c = score(simde.run(sets).runs.map((r) => greedyDecode(r.outputs[output]!, vocab)));
  console.error(`${name}: WER ${pct(c.wer)} (${c.words}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const t1 = performance.now();
  const session = await createOrtSession(ortFile);
  sessions.push(session);
  const [inName] = session.inputNames, [outName] = session.outputNames;
  const feed = (s: Record<string, Tensor>) => ({ [inName!]: s[input]! });
  const hyps: string[] = [];
  for (const s of sets) hyps.push(greedyDecode((await runOrt(session, feed(s)))[outName!]!, vocab));
  const o = score(hyps);
  console.error(`ORT ${name}: WER ${pct(o.wer)} (${o.words}) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const k = rows.length;
  rows.push({ name, ...c, weights: simde.model.weightBytes, arena: simde.model.arenaBytes, ort: o, ms: { c99: NaN, simde: NaN, ort: NaN } });
  const cRound = (e: CEngine): Round => async () => e.run(speedSets, { runs: SPEED_RUNS }).runs.map((r) => r.minMs);
  rounds.set(`${k}:c99`, cRound(c99));
  rounds.set(`${k}:simde`, cRound(simde));
  rounds.set(`${k}:ort`, async () => {
    const out: number[] = [];
    for (const s of speedSets) {
      const times: number[] = [];
      for (let r = 0; r < SPEED_RUNS; r++) {
        const t = performance.now();
        await runOrt(session, feed(s));
        times.push(performance.now() - t);
      }
      out.push(Math.min(...times));
    }
    return out;
  });
}

/** An int8 graph, ONNX Runtime running its QDQ export. */
async function evaluateInt8(name: string, q: Graph, file: string): Promise<void> {
  const onnxFile = path.join(tmp, file);
  writeFileSync(onnxFile, exportOnnx(q));
  await evaluate(name, q, onnxFile);
}

/** SPEED_ROUNDS rounds over every engine in turn; each engine's ms/utt into its row. */
async function timeEngines(): Promise<void> {
  const t0 = performance.now();
  const per = new Map<string, number[][]>([...rounds.keys()].map((k) => [k, []]));
  for (let r = 0; r < SPEED_ROUNDS; r++) for (const [k, round] of rounds) per.get(k)!.push(await round());
  for (const [k, rs] of per) {
    const [row, engine] = k.split(":") as [string, keyof Row["ms"]];
    rows[Number(row)]!.ms[engine] = median(speedSets.map((_, i) => Math.min(...rs.map((x) => x[i]!))));
  }
  console.error(`timing: ${rounds.size} engines x ${SPEED_ROUNDS} rounds x ${speedSets.length} utterances in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

try {
  await evaluate("fp32", fp32, modelFile);

  const calibIds = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).filter((id) => id >= "0400" && id < "0500");
  const dataRanges = calibrate(fp32, calibIds.map((id) => ({ [input]: load(id) })), { observer: observerByName("minmax") });
  await evaluateInt8("int8, data calibration (100 dev utterances, min/max)", quantizeGraph(fp32, dataRanges.ranges), "int8-data.onnx");

  const t0 = performance.now();
  const synthetic = runSyntheticCalibration(imported, { seed: 0 });
  console.error(`synthetic calibration: BN loss ${synthetic.initialLoss.toPrecision(4)} -> ${synthetic.finalLoss.toPrecision(4)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const synthRanges = calibrate(fp32, synthetic.inputs as Record<string, Tensor>[], { observer: observerByName("minmax") });
  await evaluateInt8("int8, synthetic calibration (no data)", quantizeGraph(fp32, synthRanges.ranges), "int8-synthetic.onnx");

  await timeEngines();
} finally {
  for (const s of sessions) await s.release();
  rmSync(tmp, { recursive: true, force: true });
}

const base = rows[0]!;
console.log(`# neonc INT8 on asr-digits dev (${ids.length} utterances), ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores; generated C built with -O3 -march=native; onnxruntime-node ${ortVersion()} (1 thread, graph optimization "all"); ms/utt: median over the first ${speedSets.length} utterances\n`);
console.log("| model | WER | word errors | WER in ORT (fp32: original model; int8: QDQ export) | weights bytes | size vs fp32 | arena bytes | ms/utt NEON via SIMDe | speed-up | ms/utt c99 | speed-up |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.name} | ${pct(r.wer)} | ${r.words} | ${pct(r.ort.wer)} (${r.ort.words}) | ${r.weights.toLocaleString("en")} | ${(100 * r.weights / base.weights).toFixed(1)}% | ${r.arena.toLocaleString("en")} | ${r.ms.simde.toFixed(2)} | ${(base.ms.simde / r.ms.simde).toFixed(2)}x | ${r.ms.c99.toFixed(2)} | ${(base.ms.c99 / r.ms.c99).toFixed(2)}x |`);
}

// Ratios are neonc's time over ORT's: below 1.00 means the generated C is faster.
const x = (a: number, b: number) => (a / b).toFixed(2);
console.log(`\n## speed against onnxruntime (ms/utt, median over the first ${speedSets.length} utterances; ratio = neonc / ORT, below 1.00 means neonc is faster)\n`);
console.log("| int8 model | ORT fp32 | ORT int8 (QDQ) | neonc fp32 c99 | neonc fp32 SIMDe | neonc int8 c99 | neonc int8 SIMDe | int8 c99 / ORT int8 | int8 SIMDe / ORT int8 | int8 c99 / ORT fp32 | fp32 c99 / ORT fp32 | ORT int8 / ORT fp32 |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows.slice(1)) {
  const o = r.ms.ort, f = base.ms.ort;
  console.log(`| ${r.name} | ${f.toFixed(2)} | ${o.toFixed(2)} | ${base.ms.c99.toFixed(2)} | ${base.ms.simde.toFixed(2)} | ${r.ms.c99.toFixed(2)} | ${r.ms.simde.toFixed(2)} | ${x(r.ms.c99, o)} | ${x(r.ms.simde, o)} | ${x(r.ms.c99, f)} | ${x(base.ms.c99, f)} | ${x(o, f)} |`);
}
