// The demo (`npm run demo`): the spoken-digits model in this folder, compiled to C for this
// machine twice, in float32 and in integer-only int8, transcribes a dozen dev utterances. It
// prints each transcript of both beside the reference, the word error rate of each, the speed
// (ms per utterance and real-time factor: compute time / audio time, 10 ms per input frame) and
// the sizes (model file, weights of each, arena).
//
// float32 is the model after -O1. int8 is calibrated with zero-shot synthetic inputs (the Q-ASR
// method: noise optimised until its statistics match the BatchNorm statistics, so no data is
// needed and the dev utterances stay unseen), then quantized with the `quantize` pass. Both go
// through the C generator for the host: the aarch64 NEON code through SIMDe when its headers are
// installed, else portable C99; only a C compiler (gcc or cc) is needed. The reference
// interpreter runs the same utterances as a cross-check, and is the engine of last resort when
// no C compiler is found.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { calibrate, CEngine, errorMessage, errorRates, getTarget, greedyDecode, hasTool, hostTarget, importOnnxFile, parseVocabulary, quantizeGraph, readTensorFile, runGraph, runPipelineFromOptions, runSyntheticCalibration, type Graph, type Tensor } from "neonc";

// dist/examples/digits/demo.js -> examples/digits (the data is not copied into dist)
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, "../../../examples/digits");
const modelFile = path.join(dir, "model.onnx");
/** Timed runs per utterance in each round (the harness reports their median). */
const RUNS = 3;
/**
 * Rounds that take the C builds in turn, so a busy spell of the machine hits every build alike:
 * speeds are medians over rounds, and the int8/fp32 ratio is given with its spread over rounds
 * (one run each flipped between "1.19x faster" and "1.23x slower" on a shared 2-core machine).
 */
const ROUNDS = 7;
/** Zero-shot calibration kept small so the demo stays quick: 4 synthetic inputs of T = 200, 20 Adam steps, seeded. */
const SYNTHETIC = { count: 4, steps: 20, seed: 0, dims: { T: 200 } } as const;

const vocab = parseVocabulary(readFileSync(path.join(dir, "vocab.json"), "utf8"));
const refs = new Map(
  readFileSync(path.join(dir, "dev", "transcripts.tsv"), "utf8")
    .split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]),
);
const ids = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, -".input.pb".length)).sort();
const features: Tensor[] = ids.map((id) => readTensorFile(path.join(dir, "dev", `${id}.input.pb`)).tensor);
const audioMs = features.reduce((n, t) => n + t.shape[2]! * 10, 0);

const t0 = performance.now();
const graph = importOnnxFile(modelFile);
const optimized = await runPipelineFromOptions(graph, { passes: "-O1" });
const prepMs = performance.now() - t0;
const params = Object.values(graph.constants).reduce((n, t) => n + t.data.length, 0);
const modelBytes = statSync(modelFile).size;
console.log(`neonc demo: ${path.relative(process.cwd(), modelFile) || modelFile} (${(modelBytes / 1e6).toFixed(2)} MB, ${params.toLocaleString("en")} parameters), imported and optimized (-O1) in ${prepMs.toFixed(0)} ms`);

// Synthetic inputs come from the imported graph: -O1 has folded the BatchNorms whose statistics they match.
const q0 = performance.now();
const synthetic = runSyntheticCalibration(graph, SYNTHETIC);
const quantized = quantizeGraph(optimized, calibrate(optimized, synthetic.inputs).ranges);
const quantMs = performance.now() - q0;
console.log(
  `int8: zero-shot calibration on ${synthetic.inputs.length} synthetic inputs (BatchNorm loss ${synthetic.initialLoss.toPrecision(3)} -> ${synthetic.finalLoss.toPrecision(3)} in ${SYNTHETIC.steps} steps, seed ${SYNTHETIC.seed}; ` +
    `no dev data used), quantized in ${(quantMs / 1000).toFixed(1)} s`,
);

const input = optimized.inputs[0]!, output = optimized.outputs[0]!;
const cc = hasTool("gcc") ? "gcc" : hasTool("cc") ? "cc" : undefined;

interface Result {
  hyps: string[];
  /** Median over rounds of the mean time per utterance. */
  msPerUtt: number;
  outputs: Tensor[];
}

interface CResult extends Result {
  engine: CEngine;
  buildMs: number;
  /** Mean ms per utterance in each round. */
  rounds: number[];
}

/** The generated C: one build (cached across runs of the demo), all utterances in one process per round. */
function buildC(g: Graph, compiler: string, { target, mode } = hostTarget()): { engine: CEngine; buildMs: number } {
  const maxT = Math.max(...features.map((t) => t.shape[2]!));
  const b0 = performance.now();
  // Built for this machine, as `npm run bench` builds: the c99 kernels are written for GCC's
  // auto-vectorizer, which needs -march to use the host's vector width and dot-product instructions.
  const engine = CEngine.create(g, { target: target.name, mode, maxDims: { T: maxT }, cc: compiler, opt: "-O3", extraFlags: [HOST_ARCH] });
  return { engine, buildMs: performance.now() - b0 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs every build on every utterance ROUNDS times, taking the builds in turn within each round. */
function timeC(builds: readonly { engine: CEngine; buildMs: number }[]): CResult[] {
  const rounds: number[][] = builds.map(() => []);
  const outputs: Tensor[][] = builds.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    builds.forEach(({ engine }, k) => {
      const { runs } = engine.run(features.map((x) => ({ [input]: x })), { runs: RUNS, labels: ids });
      rounds[k]!.push(runs.reduce((n, x) => n + x.medianMs, 0) / runs.length);
      if (r === 0) outputs[k] = runs.map((x) => x.outputs[output]!);
    });
  }
  return builds.map((b, k) => ({
    ...b, outputs: outputs[k]!, hyps: outputs[k]!.map((o) => greedyDecode(o, vocab)), rounds: rounds[k]!, msPerUtt: median(rounds[k]!),
  }));
}

function runInterpreter(g: Graph): Result {
  const start = performance.now();
  const outputs = features.map((x) => runGraph(g, { [g.inputs[0]!]: x })[g.outputs[0]!]!);
  const msPerUtt = (performance.now() - start) / features.length;
  return { hyps: outputs.map((o) => greedyDecode(o, vocab)), outputs, msPerUtt };
}

const HOST_ARCH = "-march=native";
let c: { fp32: CResult; int8: CResult } | undefined;
// On x86 the host target is NEON through SIMDe, whose emulation of the int8 NEON instructions
// says little about ARM speed; the portable c99 build runs natively beside it for comparison.
let native: { fp32: CResult; int8: CResult } | undefined;
if (!cc) {
  console.log("no C compiler found (looked for gcc and cc on PATH): install one (e.g. apt install gcc) to run the generated C; using the reference interpreter instead");
} else {
  try {
    const builds = [buildC(optimized, cc), buildC(quantized, cc)];
    if (builds[0]!.engine.rig.mode === "simde") {
      const c99 = { target: getTarget("c99"), mode: "native" as const };
      builds.push(buildC(optimized, cc, c99), buildC(quantized, cc, c99));
    }
    const timed = timeC(builds);
    c = { fp32: timed[0]!, int8: timed[1]! };
    if (timed.length > 2) native = { fp32: timed[2]!, int8: timed[3]! };
  } catch (e) {
    console.log(`the generated C could not be built or run (${errorMessage(e).split("\n")[0]}); using the reference interpreter instead`);
  }
}
const interp = { fp32: runInterpreter(graph), int8: runInterpreter(quantized) };

if (c) {
  const e = c.fp32.engine;
  const how = e.rig.mode === "simde" ? "NEON intrinsics through SIMDe on this x86 host" : "portable C99, native";
  const built = (x: CResult) => (x.engine.build.cached ? "cached build" : `built in ${(x.buildMs / 1000).toFixed(1)} s`);
  console.log(`engine: generated C, target ${e.model.target.name} (${how}), ${e.rig.cc} ${[...e.rig.cflags.filter((f) => f.startsWith("-O")), HOST_ARCH].join(" ")}; fp32 ${built(c.fp32)}, int8 ${built(c.int8)}\n`);
} else {
  console.log("engine: interpreter\n");
}

const shown = c ?? interp;
const mark = (hyp: string, ref: string) => (hyp === ref ? "ok " : "ERR");
const width = Math.max(...ids.map((id) => (refs.get(id) ?? "").length), 10);
console.log(`${"id".padEnd(4)}  ${"reference".padEnd(width)}  ${"fp32".padEnd(width + 4)}  int8`);
ids.forEach((id, i) => {
  const ref = refs.get(id) ?? "";
  const f = shown.fp32.hyps[i]!, q = shown.int8.hyps[i]!;
  console.log(`${id}  ${ref.padEnd(width)}  ${mark(f, ref)} ${f.padEnd(width)}  ${mark(q, ref)} ${q}`);
});
const refList = ids.map((id) => refs.get(id) ?? "");
const speed = (x: Result) => `${x.msPerUtt.toFixed(x.msPerUtt < 10 ? 2 : 0)} ms/utt (RTF ${((x.msPerUtt * ids.length) / audioMs).toFixed(4)})`;
const rates = (x: Result) => {
  const r = errorRates(refList, x.hyps);
  return `WER ${(100 * r.wer).toFixed(2)}% (${r.wordErrors}/${r.words} words), CER ${(100 * r.cer).toFixed(2)}%`;
};
console.log("");
for (const k of ["fp32", "int8"] as const) {
  const x = shown[k];
  const size = c ? `, weights ${c[k].engine.model.weightBytes.toLocaleString("en")} bytes, arena ${c[k].engine.model.arenaBytes.toLocaleString("en")} bytes` : "";
  const viaInterp = c ? `; interpreter ${speed(interp[k])}` : "";
  console.log(`${k}: ${rates(x)}, ${speed(x)}${viaInterp}${size}`);
}
console.log(`(${(audioMs / 1000).toFixed(1)} s of audio${c ? `; generated C times: median over ${ROUNDS} rounds taking the builds in turn, each utterance the median of ${RUNS} runs` : ""})`);
if (c) {
  const wf = c.fp32.engine.model.weightBytes, wi = c.int8.engine.model.weightBytes;
  // The speed-up in each round (fp32 time / int8 time of the same round); when the rounds do not
  // agree on which is faster, the difference is within this machine's noise and is called so.
  const versus = (x: { fp32: CResult; int8: CResult }) => {
    const ratios = x.fp32.rounds.map((f, r) => f / x.int8.rounds[r]!);
    const lo = Math.min(...ratios), hi = Math.max(...ratios), mid = median(ratios);
    const spread = `${lo.toFixed(2)}-${hi.toFixed(2)}x over ${ROUNDS} rounds`;
    if (lo < 1 && hi > 1) return `level with fp32 within this machine's noise (speed-up ${mid.toFixed(2)}x median, ${spread})`;
    return mid >= 1 ? `${mid.toFixed(2)}x faster (median; ${spread})` : `${(1 / mid).toFixed(2)}x slower (median; speed-up ${spread})`;
  };
  if (native) {
    console.log(`portable c99 build, native: fp32 ${speed(native.fp32)}, int8 ${speed(native.int8)}: int8 ${versus(native)} (${native.int8.hyps.filter((h, i) => h === c!.int8.hyps[i]).length}/${ids.length} int8 transcripts equal to the NEON build's)`);
  }
  console.log(`int8 vs fp32${native ? " (NEON through SIMDe)" : ""}: ${versus(c)}, weights ${(100 * wi / wf).toFixed(1)}% of the size; model file ${modelBytes.toLocaleString("en")} bytes, arena lower bound ${c.fp32.engine.model.lowerBound.toLocaleString("en")} bytes (fp32) for T <= ${c.fp32.engine.model.maxDims.T}`);
  const agree = (k: "fp32" | "int8") => c![k].hyps.filter((h, i) => h === interp[k].hyps[i]).length;
  // The int8 graph ends in a float LogSoftmax after its Dequantize, so its outputs match to float rounding, not bit for bit.
  const diff = (k: "fp32" | "int8") => Math.max(...c![k].outputs.map((o, i) => maxAbsDiff(o, interp[k].outputs[i]!))).toExponential(1);
  console.log(`cross-check: interpreter and generated C agree on ${agree("fp32")}/${ids.length} fp32 and ${agree("int8")}/${ids.length} int8 transcripts (largest output difference ${diff("fp32")} fp32, ${diff("int8")} int8)`);
} else {
  console.log(`sizes: model file ${modelBytes.toLocaleString("en")} bytes`);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return d;
}
