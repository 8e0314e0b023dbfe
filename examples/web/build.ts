// Builds what the browser page needs into a folder (default examples/web/out): the demo model
// (examples/digits, fp32 after -O1) and a streaming voice-activity model with LSTM state
// (test/fixtures/models/vad_lstm_state) compiled to wasm32 modules with their loaders, one
// bundled utterance as raw little-endian floats, the VAD's two chunks of features, and the
// vocabulary. Run: `node dist/examples/web/build.js [OUT]`, then serve examples/web and open
// index.html (the page reads ./out/).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileGraph, getTarget, importOnnxFile, readTensorFile, runPipeline, writeSources, writeWasmModule, type Tensor } from "neonc";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root from the sources (examples/web) or from the build (dist/examples/web). */
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../../.." : "../..");

export const UTTERANCE = "0000";

function raw(t: Tensor): Uint8Array {
  const d = t.data as Float32Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function compileTo(modelFile: string, maxDims: Record<string, number>, dir: string): void {
  const g = runPipeline(importOnnxFile(modelFile), "-O1", { log: () => {} });
  const m = compileGraph(g, { target: getTarget("wasm32"), maxDims });
  writeSources(m, dir);
  writeWasmModule(m, dir);
}

/** Writes the page's models and data into `out`. */
export function buildWebExample(out: string): void {
  const digits = path.join(root, "examples/digits");
  const utt = readTensorFile(path.join(digits, "dev", `${UTTERANCE}.input.pb`)).tensor;
  compileTo(path.join(digits, "model.onnx"), { T: 1000 }, path.join(out, "digits"));
  const vad = path.join(root, "test/fixtures/models/vad_lstm_state");
  compileTo(path.join(vad, "model.onnx"), { T: 256 }, path.join(out, "vad"));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "utterance.bin"), raw(utt));
  copyFileSync(path.join(digits, "vocab.json"), path.join(out, "vocab.json"));
  // The VAD's two test chunks: set 1 continues from set 0's final state, which the page carries over.
  const chunks = [0, 1].map((k) => readTensorFile(path.join(vad, `test_data_set_${k}`, "input_0.pb")).tensor);
  chunks.forEach((t, k) => writeFileSync(path.join(out, `vad_chunk${k}.bin`), raw(t)));
  writeFileSync(path.join(out, "data.json"), JSON.stringify({ utterance: UTTERANCE, features: utt.shape, vadChunks: chunks.map((t) => t.shape) }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(root, "examples/web/out"));
  buildWebExample(out);
  console.log(`wrote the page's models and data to ${out}; serve ${path.join(root, "examples/web")} and open index.html`);
}
