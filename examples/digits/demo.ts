// The demo (`npm run demo`): the spoken-digits model in this folder transcribes a dozen dev
// utterances. It prints each transcript beside the reference, the word error rate, the speed
// (real-time factor: compute time / audio time, 10 ms per input frame) and the model size.
//
// Today the model runs on neonc's reference interpreter; the generated-C engine joins it here
// when the code generator lands.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importOnnxFile, readTensorFile } from "../../src/frontend/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { greedyDecode, parseVocabulary } from "../../src/asr/ctc.js";
import { errorRates } from "../../src/asr/wer.js";

// dist/examples/digits/demo.js -> examples/digits (the data is not copied into dist)
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, "../../../examples/digits");
const modelFile = path.join(dir, "model.onnx");

const vocab = parseVocabulary(readFileSync(path.join(dir, "vocab.json"), "utf8"));
const refs = new Map(
  readFileSync(path.join(dir, "dev", "transcripts.tsv"), "utf8")
    .split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]),
);

const t0 = performance.now();
const graph = importOnnxFile(modelFile);
const importMs = performance.now() - t0;
const params = Object.values(graph.constants).reduce((n, t) => n + t.data.length, 0);
console.log(`neonc demo: ${path.relative(process.cwd(), modelFile)} (${(statSync(modelFile).size / 1e6).toFixed(2)} MB, ${params.toLocaleString("en")} parameters), imported in ${importMs.toFixed(0)} ms`);
console.log(`engine: interpreter\n`);

const ids = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).sort();
const hyps: string[] = [];
let computeMs = 0;
let audioMs = 0;
for (const id of ids) {
  const { tensor } = readTensorFile(path.join(dir, "dev", `${id}.input.pb`));
  const start = performance.now();
  const out = runGraph(graph, { [graph.inputs[0]!]: tensor });
  computeMs += performance.now() - start;
  audioMs += tensor.shape[2]! * 10;
  const hyp = greedyDecode(out[graph.outputs[0]!]!, vocab);
  hyps.push(hyp);
  const ref = refs.get(id) ?? "";
  console.log(`${id}  ${hyp === ref ? "ok " : "ERR"}  ref: ${ref.padEnd(38)} hyp: ${hyp}`);
}
const r = errorRates(ids.map((id) => refs.get(id) ?? ""), hyps);
console.log(`\nWER ${(100 * r.wer).toFixed(2)}% (${r.wordErrors}/${r.words} words), CER ${(100 * r.cer).toFixed(2)}%`);
console.log(`speed: ${(computeMs / ids.length).toFixed(0)} ms per utterance, real-time factor ${(computeMs / audioMs).toFixed(3)} (${(audioMs / 1000).toFixed(1)} s of audio in ${(computeMs / 1000).toFixed(2)} s)`);
