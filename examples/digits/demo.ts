// The demo (`npm run demo`): the spoken-digits model in this folder, compiled to C for this
// machine, transcribes a dozen dev utterances. It prints each transcript beside the reference,
// the word error rate, the speed (real-time factor: compute time / audio time, 10 ms per input
// frame) and the sizes (model file, weights, arena).
//
// The model goes through -O1, then the C generator for the host: the aarch64 NEON code through
// SIMDe when its headers are installed, else portable C99; only a C compiler (gcc or cc) is
// needed. The reference interpreter runs the same utterances as a cross-check, and is the
// engine of last resort when no C compiler is found.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Tensor } from "../../ir/types.js";
import { hasTool } from "../../codegen/build.js";
import { runPipelineFromOptions } from "../../passes/index.js";
import { importOnnxFile, readTensorFile } from "../../src/frontend/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { greedyDecode, parseVocabulary } from "../../src/asr/ctc.js";
import { errorRates } from "../../src/asr/wer.js";
import { CEngine, hostTarget } from "../../src/cli/c-engine.js";
import { errorMessage } from "../../src/errors.js";

// dist/examples/digits/demo.js -> examples/digits (the data is not copied into dist)
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, "../../../examples/digits");
const modelFile = path.join(dir, "model.onnx");
/** Timed runs per utterance in the generated code (the median is reported). */
const RUNS = 5;

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

const input = optimized.inputs[0]!, output = optimized.outputs[0]!;
const cc = hasTool("gcc") ? "gcc" : hasTool("cc") ? "cc" : undefined;

interface Result {
  hyps: string[];
  msPerUtt: number;
}

/** The generated C: one build (cached across runs of the demo), all utterances in one process. */
function runC(compiler: string): Result & { engine: CEngine; buildMs: number } {
  const { target, mode } = hostTarget();
  const maxT = Math.max(...features.map((t) => t.shape[2]!));
  const b0 = performance.now();
  const engine = CEngine.create(optimized, { target: target.name, mode, maxDims: { T: maxT }, cc: compiler });
  const buildMs = performance.now() - b0;
  const { runs } = engine.run(features.map((x) => ({ [input]: x })), { runs: RUNS, labels: ids });
  const hyps = runs.map((r) => greedyDecode(r.outputs[output]!, vocab));
  return { hyps, msPerUtt: runs.reduce((n, r) => n + r.medianMs, 0) / runs.length, engine, buildMs };
}

function runInterpreter(): Result {
  const start = performance.now();
  const hyps = features.map((x) => greedyDecode(runGraph(graph, { [graph.inputs[0]!]: x })[graph.outputs[0]!]!, vocab));
  return { hyps, msPerUtt: (performance.now() - start) / features.length };
}

let c: ReturnType<typeof runC> | undefined;
if (!cc) {
  console.log("no C compiler found (looked for gcc and cc on PATH): install one (e.g. apt install gcc) to run the generated C; using the reference interpreter instead");
} else {
  try {
    c = runC(cc);
  } catch (e) {
    console.log(`the generated C could not be built or run (${errorMessage(e).split("\n")[0]}); using the reference interpreter instead`);
  }
}
const interp = runInterpreter();

if (c) {
  const m = c.engine.model;
  const how = c.engine.rig.mode === "simde" ? "NEON intrinsics through SIMDe on this x86 host" : "portable C99, native";
  console.log(`engine: generated C, target ${m.target.name} (${how}), ${c.engine.rig.cc} ${c.engine.rig.cflags.filter((f) => f.startsWith("-O")).join(" ")}; ${c.engine.build.cached ? "cached build" : `compiled and built in ${(c.buildMs / 1000).toFixed(1)} s`}\n`);
} else {
  console.log("engine: interpreter\n");
}

const shown = c ?? interp;
ids.forEach((id, i) => {
  const hyp = shown.hyps[i]!;
  const ref = refs.get(id) ?? "";
  console.log(`${id}  ${hyp === ref ? "ok " : "ERR"}  ref: ${ref.padEnd(38)} hyp: ${hyp}`);
});
const r = errorRates(ids.map((id) => refs.get(id) ?? ""), shown.hyps);
console.log(`\nWER ${(100 * r.wer).toFixed(2)}% (${r.wordErrors}/${r.words} words), CER ${(100 * r.cer).toFixed(2)}%`);
const speed = (x: Result) => `${x.msPerUtt.toFixed(x.msPerUtt < 10 ? 2 : 0)} ms per utterance, real-time factor ${((x.msPerUtt * ids.length) / audioMs).toFixed(4)}`;
if (c) {
  const m = c.engine.model;
  console.log(`speed: ${speed(c)} (${(audioMs / 1000).toFixed(1)} s of audio; median of ${RUNS} runs each); interpreter: ${speed(interp)}`);
  console.log(`sizes: model file ${modelBytes.toLocaleString("en")} bytes, weights ${m.weightBytes.toLocaleString("en")} bytes, arena ${m.arenaBytes.toLocaleString("en")} bytes (lower bound ${m.lowerBound.toLocaleString("en")}) for T <= ${m.maxDims.T}`);
  const agree = c.hyps.filter((h, i) => h === interp.hyps[i]).length;
  console.log(`cross-check: interpreter and generated C agree on ${agree}/${ids.length} transcripts`);
} else {
  console.log(`speed: ${speed(interp)} (${(audioMs / 1000).toFixed(1)} s of audio)`);
  console.log(`sizes: model file ${modelBytes.toLocaleString("en")} bytes`);
}
