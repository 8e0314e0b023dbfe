// `npm run bench:sparsity`: the accuracy of block pruning (the prune pass, magnitude) on
// ../shared/asr-digits. The 500 dev utterances run through the generated C (c99, -O3
// -march=native) of the model pruned to each sparsity (after -O1, before quantization), in fp32
// and in int8 (calibrated on dev 0400-0499, min/max); greedy CTC WER against fp32 unpruned, and
// the share of the weights' squared norm the pruning kept. `--limit N` scores the first N
// utterances; `--sparsities 0.5,0.7`, `--block 8x1` and `--method magnitude|wanda` choose the
// settings (default 0.5,0.7,0.8, 8x1, magnitude; wanda measures input norms on 16 of the
// calibration utterances).
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { calibrate, CEngine, errorRates, greedyDecode, importOnnxFile, observerByName, parseVocabulary, quantizeGraph, readTensorFile, runPipeline, type Graph } from "neonc";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.resolve(root, "../shared/asr-digits");
const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const limit = Number(arg("--limit") ?? Infinity);
const sparsities = (arg("--sparsities") ?? "0.5,0.7,0.8").split(",").map(Number);
const block = arg("--block") ?? "8x1";
const method = arg("--method") ?? "magnitude";

const vocab = parseVocabulary(readFileSync(path.join(dir, "vocab.json"), "utf8"));
const refs = new Map(readFileSync(path.join(dir, "dev", "transcripts.tsv"), "utf8").split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]));
const all = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).sort();
const ids = all.slice(0, limit);
const load = (id: string) => readTensorFile(path.join(dir, "dev", `${id}.input.pb`)).tensor;

const imported = importOnnxFile(path.join(dir, "model.onnx"));
const input = imported.inputs[0]!, output = imported.outputs[0]!;
const sets = ids.map((id) => ({ [input]: load(id) }));
const calib = all.filter((id) => id >= "0400" && id < "0500").map((id) => ({ [input]: load(id) }));
const maxT = Math.max(...sets.map((s) => s[input]!.shape[2]!));
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function wer(g: Graph): { wer: number; words: string } {
  const e = CEngine.create(g, { target: "c99", maxDims: { T: maxT }, opt: "-O3", extraFlags: ["-march=native"] });
  const r = errorRates(ids.map((id) => refs.get(id) ?? ""), e.run(sets).runs.map((x) => greedyDecode(x.outputs[output]!, vocab)));
  return { wer: r.wer, words: `${r.wordErrors}/${r.words}` };
}

/** Share of zero weights among the pruned layers' weights. */
function zeroShare(g: Graph): number {
  let zero = 0, total = 0;
  for (const n of g.nodes) {
    if (!["Conv", "MatMul", "Gemm"].includes(n.op)) continue;
    const w = g.constants[n.inputs[1] ?? ""];
    if (!w) continue;
    const d = w.data as Float32Array;
    total += d.length;
    for (const v of d) if (v === 0) zero++;
  }
  return total === 0 ? 0 : zero / total;
}

const rows: string[] = [];
let base = 0;
for (const s of [0, ...sparsities]) {
  const t0 = performance.now();
  const calibrationSamples = Object.assign([...calib], { length: calib.length });
  const fp32 = runPipeline(imported, s === 0 ? "-O1" : `-O1,prune{sparsity=${s}, block=${block}, method=${method}, samples=16}`, { log: () => {}, host: { calibrationSamples } });
  const f = wer(fp32);
  if (s === 0) base = f.wer;
  const q = wer(quantizeGraph(fp32, calibrate(fp32, calib, { observer: observerByName("minmax") }).ranges));
  rows.push(`| ${s === 0 ? "dense" : `${(100 * s).toFixed(0)}% ${block} ${method}`} | ${pct(zeroShare(fp32))} | ${pct(f.wer)} (${f.words}) | ${((f.wer - base) * 100).toFixed(2)} | ${pct(q.wer)} (${q.words}) | ${((q.wer - base) * 100).toFixed(2)} |`);
  console.error(`sparsity ${s}: fp32 WER ${pct(f.wer)}, int8 ${pct(q.wer)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

console.log(`# neonc block pruning (${method}) on asr-digits dev (${ids.length} utterances), ${new Date().toISOString().slice(0, 16)} UTC`);
console.log(`machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores; generated C (c99) built with -O3 -march=native; int8 calibrated on dev 0400-0499 (min/max); ΔWER in percentage points against dense fp32\n`);
console.log("| pruning | zero weights (Conv/MatMul/Gemm) | fp32 WER | ΔWER | int8 WER | ΔWER |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
