// `npm run bench:winograd-int8`: the accuracy of integer Winograd on ../shared/asr-digits. The 500
// dev utterances run through the generated C (c99, -O3 -march=native) of int8 direct and of int8
// with the winograd pass in both integer schemes (exact: the direct output bit for bit by
// construction, which this checks on every utterance; scaled: int8 operands in the Winograd
// domain, input scales picked on the calibration samples), for both calibrations (100 dev
// utterances 0400-0499 with min/max, and zero-shot synthetic inputs). Scores greedy CTC WER
// and prints one markdown table: WER, word errors, ΔWER against int8 direct, the Winograd layers
// taken, (exact) whether every output equals direct's, and the c99 time per utterance. `--limit N` scores the first N
// utterances; x86 speed: ms/utt of the c99 build, the median over the first 50 utterances of each
// one's fastest of 5 runs (timed inside the harness). `--tiles 4,6,auto` chooses the tiles (default 4,6,auto); each forced tile is also
// measured on the 3-tap layers alone (the others back to direct), where Winograd pays on ARM;
// `--samples N`: calibration samples the scaled scheme picks its input scales on (default 4).
import os from "node:os";
import { calibrate, observerByName, quantizeGraph, runPipeline, runSyntheticCalibration, type Graph, type Tensor } from "neonc";
import { arg, asrDigits, pct } from "./asr-digits.js";

const limit = Number(arg("--limit") ?? Infinity);
const tiles = (arg("--tiles") ?? "4,6,auto").split(",");
const scaleSamples = Number(arg("--samples") ?? 4);

const data = asrDigits(limit);
const { imported, output, ids, sets } = data;
const fp32 = runPipeline(imported, "-O1", { log: () => {} });

/** Utterances timed (the first ones) and runs of each; a figure is the median over them of each one's fastest run. */
const SPEED_UTTERANCES = 50, SPEED_RUNS = 5;
interface Run { hyps: string[]; outputs: Float32Array[]; ms: number }
function runC(g: Graph): Run {
  const e = data.engine(g);
  const runs = e.run(sets).runs;
  const timed = e.run(sets.slice(0, SPEED_UTTERANCES), { runs: SPEED_RUNS }).runs.map((r) => r.minMs).sort((a, b) => a - b);
  return { hyps: runs.map((r) => data.decode(r.outputs[output]!)), outputs: runs.map((r) => r.outputs[output]!.data as Float32Array), ms: timed[Math.floor(timed.length / 2)]! };
}
const sameOutputs = (a: Run, b: Run) => a.outputs.every((x, i) => x.length === b.outputs[i]!.length && x.every((v, k) => Object.is(v, b.outputs[i]![k])));

const rows: string[] = [];
function calibration(name: string, samples: Record<string, Tensor>[]): void {
  const t0 = performance.now();
  const q = quantizeGraph(fp32, calibrate(fp32, samples, { observer: observerByName("minmax") }).ranges);
  const direct = runC(q);
  const base = data.score(direct.hyps);
  rows.push(`| ${name} | int8 direct | ${pct(base.wer)} | ${base.wordErrors}/${base.words} | | | | ${direct.ms.toFixed(3)} | |`);
  console.error(`${name}: int8 direct WER ${pct(base.wer)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const calibrationSamples = Object.assign([...samples], { length: samples.length });
  for (const scheme of ["exact", "scaled"]) {
    for (const m of [...tiles, ...tiles.filter((t) => t !== "auto").map((t) => `${t} (k = 3 only)`)]) {
      const t1 = performance.now();
      const tile = m.split(" ")[0]!;
      let w = runPipeline(q, `winograd{m=${tile}, int8=${scheme}, samples=${scaleSamples}}`, { host: { calibrationSamples }, log: () => {} });
      // "k = 3 only": the 3-tap layers keep their Winograd form, every other goes back to direct.
      if (m.includes("k = 3")) w = { ...w, nodes: w.nodes.map((n) => (n.op.startsWith("QConvWinograd") && taps(w, n.inputs[1]!) !== 3 ? backToDirect(n) : n)) };
      const taken = w.nodes.filter((n) => n.op.startsWith("QConvWinograd")).map((n) => `F(${n.attrs.m}, ${n.attrs.segment || taps(w, n.inputs[1]!)})`);
      const r = runC(w);
      const s = data.score(r.hyps);
      const same = scheme === "exact" ? (sameOutputs(direct, r) ? "yes" : "NO") : "";
      rows.push(`| ${name} | ${scheme}, m = ${m} | ${pct(s.wer)} | ${s.wordErrors}/${s.words} | ${((s.wer - base.wer) * 100).toFixed(2)} | ${taken.length ? `${taken.length}: ${[...new Set(taken)].join(", ")}` : "none"} | ${same} | ${r.ms.toFixed(3)} | ${(direct.ms / r.ms).toFixed(2)}x |`);
      console.error(`${name}: ${scheme} m=${m}: WER ${pct(s.wer)}, ${taken.length} layers (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
    }
  }
}
/** The kernel length of a conv's weights. */
function taps(g: Graph, w: string): number {
  return g.types[w]!.shape[2] as number;
}
/** A Winograd conv as the QConv it implements. */
function backToDirect(n: Graph["nodes"][number]): Graph["nodes"][number] {
  const { m: _m, segment: _s, input_scales: _i, ...attrs } = n.attrs;
  return { ...n, op: "QConv", attrs };
}

calibration("data (100 dev utterances)", data.calibration());
const synthetic = runSyntheticCalibration(imported, { seed: 0 });
calibration("synthetic (no data)", synthetic.inputs as Record<string, Tensor>[]);

console.log(`# neonc int8 Winograd on asr-digits dev (${ids.length} utterances), ${new Date().toISOString().slice(0, 16)} UTC`);
console.log(`machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores; generated C (c99) built with -O3 -march=native; scaled input scales picked on ${scaleSamples} calibration samples; ΔWER in percentage points against int8 direct with the same calibration\n`);
console.log("| calibration | convolution | WER | word errors | ΔWER | Winograd layers | output = direct's | ms/utt c99 | speed-up |");
console.log("|---|---|---:|---:|---:|---|---|---:|---:|");
for (const r of rows) console.log(r);
