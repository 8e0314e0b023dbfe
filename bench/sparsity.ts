// `npm run bench:sparsity`: the accuracy of block pruning (the prune pass, magnitude) on
// ../shared/asr-digits. The 500 dev utterances run through the generated C (c99, -O3
// -march=native) of the model pruned to each sparsity (after -O1, before quantization), in fp32
// and in int8 (calibrated on dev 0400-0499, min/max); greedy CTC WER against fp32 unpruned, and
// the share of the weights' squared norm the pruning kept. `--limit N` scores the first N
// utterances; `--sparsities 0.5,0.7`, `--block 8x1` and `--method magnitude|wanda` choose the
// settings (default 0.5,0.7,0.8, 8x1, magnitude; wanda measures input norms on 16 of the
// calibration utterances).
import os from "node:os";
import { calibrate, observerByName, quantizeGraph, runPipeline, type Graph } from "neonc";
import { arg, asrDigits, pct } from "./asr-digits.js";

const limit = Number(arg("--limit") ?? Infinity);
const sparsities = (arg("--sparsities") ?? "0.5,0.7,0.8").split(",").map(Number);
const block = arg("--block") ?? "8x1";
const method = arg("--method") ?? "magnitude";

const data = asrDigits(limit);
const { imported, output, ids } = data;
const calib = data.calibration();

function wer(g: Graph): { wer: number; words: string } {
  const r = data.score(data.engine(g).run(data.sets).runs.map((x) => data.decode(x.outputs[output]!)));
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
