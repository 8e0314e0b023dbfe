// `npm run bench:int8`: accuracy, size and speed of INT8 against fp32 on ../shared/asr-digits,
// all through the generated C. Scores the 500 dev utterances with greedy CTC and WER (the
// rule of ../shared/asr-digits/wer.py), for: fp32 (-O1), int8 calibrated on 100 dev utterances
// (0400-0499, min/max), and int8 with zero-shot synthetic calibration (no data). Prints a
// markdown table for the README. `--limit N` scores the first N utterances only.
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Graph } from "../ir/graph.js";
import type { Tensor } from "../ir/types.js";
import { runPipeline } from "../passes/index.js";
import { quantizeGraph } from "../passes/quantize/index.js";
import { greedyDecode, parseVocabulary } from "../src/asr/ctc.js";
import { errorRates } from "../src/asr/wer.js";
import { calibrate } from "../src/calibration/calibrate.js";
import { observerByName } from "../src/calibration/observers.js";
import { runSyntheticCalibration } from "../src/calibration/synthetic/index.js";
import { CEngine } from "../src/cli/c-engine.js";
import { importOnnxFile, readTensorFile } from "../src/frontend/onnx/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.resolve(root, "../shared/asr-digits");
const limitArg = process.argv.indexOf("--limit");
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Infinity;

const vocab = parseVocabulary(readFileSync(path.join(dir, "vocab.json"), "utf8"));
const refs = new Map(readFileSync(path.join(dir, "dev", "transcripts.tsv"), "utf8").split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]));
const ids = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).sort().slice(0, limit);
const load = (id: string) => readTensorFile(path.join(dir, "dev", `${id}.input.pb`)).tensor;

const imported = importOnnxFile(path.join(dir, "model.onnx"));
const input = imported.inputs[0]!;
const output = imported.outputs[0]!;
const fp32 = runPipeline(imported, "-O1");
const sets = ids.map((id) => ({ [input]: load(id) }));
const maxT = Math.max(...sets.map((s) => s[input]!.shape[2]!));

interface Row { name: string; wer: number; words: string; weights: number; arena: number; msSimde: number; msC99: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function evaluate(name: string, g: Graph): Row {
  const t0 = performance.now();
  const simde = CEngine.create(g, { maxDims: { T: maxT }, opt: "-O3", extraFlags: ["-march=native"] });
  const c99 = CEngine.create(g, { target: "c99", maxDims: { T: maxT }, opt: "-O3", extraFlags: ["-march=native"] });
  const runs = simde.run(sets, { runs: 3 }).runs;
  const hyps = runs.map((r) => greedyDecode(r.outputs[output]!, vocab));
  const speedSets = sets.slice(0, 50);
  const msC99 = median(c99.run(speedSets, { runs: 3 }).runs.map((r) => r.medianMs));
  const rates = errorRates(ids.map((id) => refs.get(id) ?? ""), hyps);
  console.error(`${name}: WER ${(100 * rates.wer).toFixed(2)}% (${rates.wordErrors}/${rates.words}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return {
    name, wer: rates.wer, words: `${rates.wordErrors}/${rates.words}`, weights: simde.model.weightBytes, arena: simde.model.arenaBytes,
    msSimde: median(runs.map((r) => r.medianMs)), msC99,
  };
}

const rows: Row[] = [evaluate("fp32", fp32)];

const calibIds = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).filter((id) => id >= "0400" && id < "0500");
const dataRanges = calibrate(fp32, calibIds.map((id) => ({ [input]: load(id) })), { observer: observerByName("minmax") });
rows.push(evaluate("int8, data calibration (100 dev utterances, min/max)", quantizeGraph(fp32, dataRanges.ranges)));

const t0 = performance.now();
const synthetic = runSyntheticCalibration(imported, { seed: 0 });
console.error(`synthetic calibration: BN loss ${synthetic.initialLoss.toPrecision(4)} -> ${synthetic.finalLoss.toPrecision(4)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const synthRanges = calibrate(fp32, synthetic.inputs as Record<string, Tensor>[], { observer: observerByName("minmax") });
rows.push(evaluate("int8, synthetic calibration (no data)", quantizeGraph(fp32, synthRanges.ranges)));

const base = rows[0]!;
console.log(`# neonc INT8 on asr-digits dev (${ids.length} utterances), ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores; generated C built with -O3 -march=native\n`);
console.log("| model | WER | word errors | weights bytes | size vs fp32 | arena bytes | ms/utt NEON via SIMDe | speed-up | ms/utt c99 | speed-up |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.name} | ${(100 * r.wer).toFixed(2)}% | ${r.words} | ${r.weights.toLocaleString("en")} | ${(100 * r.weights / base.weights).toFixed(1)}% | ${r.arena.toLocaleString("en")} | ${r.msSimde.toFixed(2)} | ${(base.msSimde / r.msSimde).toFixed(2)}x | ${r.msC99.toFixed(2)} | ${(base.msC99 / r.msC99).toFixed(2)}x |`);
}
