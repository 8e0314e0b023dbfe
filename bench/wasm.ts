// `npm run bench:wasm`: neonc's wasm32 modules against onnxruntime-web (its wasm backend with
// SIMD, one thread) in Node, on every model of ../shared/models and ../shared/asr-digits, fp32 and
// int8, on the same inputs (each model's test_data_set_0 and _1; asr-digits: its first two dev
// utterances).
//
// fp32: neonc compiles the model after -O1; onnxruntime-web runs the original file. int8: the
// model after -O1 is calibrated on its first input set (min/max) and quantized; neonc compiles
// that integer graph, and onnxruntime-web runs neonc's QDQ export of the same graph (`neonc
// optimize --int8`), so both run the same quantized model.
//
// Speed: both engines run in this process, in the same WebAssembly engine. Each is warmed up
// (WARMUP runs per input: Node compiles WebAssembly with a baseline compiler first and optimizes
// hot functions in the background), then timed in ROUNDS rounds that take the engines in turn,
// RUNS runs per input each; an engine's figure is the median over every timed run. neonc is
// timed around `model.run` (copying inputs in and outputs out), onnxruntime-web around
// `session.run`.
//
// Bytes shipped: what a page downloads to run the model. neonc: model.wasm (code and weights)
// and model.js. onnxruntime-web: its wasm binary, its JS (the wasm-only entry ort.wasm.min.mjs and
// the Emscripten glue it loads) and the .onnx file. Raw and gzip -9 sizes.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import * as ort from "onnxruntime-web";
import {
  calibrate, compareTensors, compileGraph, exportOnnx, getTarget, importOnnxFile, observerByName, quantizeGraph, readTensorFile,
  runPipeline, writeSources, writeWasmModule, type Graph, type Tensor, type TensorData,
} from "neonc";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const shared = path.resolve(root, "../shared");
const WARMUP = 10;
const ROUNDS = 3;
const RUNS = 5;

interface Loaded {
  readonly arenaBytes: number;
  run(inputs: Record<string, TensorData>, dims?: Record<string, number>): Record<string, { data: TensorData; shape: number[] }>;
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly sets: Record<string, Tensor>[];
}

function cases(): Case[] {
  const models = path.join(shared, "models");
  const out: Case[] = readdirSync(models).filter((d) => statSync(path.join(models, d)).isDirectory()).sort().map((d) => ({
    name: d,
    file: path.join(models, d, "model.onnx"),
    sets: [0, 1].map((k) => {
      const t = readTensorFile(path.join(models, d, `test_data_set_${k}`, "input_0.pb"));
      return { [t.name]: t.tensor };
    }),
  }));
  const digits = path.join(shared, "asr-digits");
  const utts = readdirSync(path.join(digits, "dev")).filter((f) => f.endsWith(".input.pb")).sort().slice(0, 2);
  const g = importOnnxFile(path.join(digits, "model.onnx"));
  out.push({ name: "asr-digits", file: path.join(digits, "model.onnx"), sets: utts.map((f) => ({ [g.inputs[0]!]: readTensorFile(path.join(digits, "dev", f)).tensor })) });
  return out;
}

const ORT_TYPES: Readonly<Record<string, ort.Tensor.Type>> = { f32: "float32", i64: "int64", i32: "int32", i8: "int8", u8: "uint8" };

async function ortSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all", executionMode: "sequential" });
}

function ortFeeds(set: Record<string, Tensor>): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(set).map(([n, t]) => [n, new ort.Tensor(ORT_TYPES[t.dtype]!, t.data as Float32Array, [...t.shape])]));
}

async function neoncModule(g: Graph, sets: readonly Record<string, Tensor>[], dir: string): Promise<{ model: Loaded; bytes: number; gz: number }> {
  const maxDims: Record<string, number> = {};
  for (const s of sets) for (const [n, t] of Object.entries(s)) g.types[n]!.shape.forEach((d, i) => {
    if (typeof d !== "number" && d.terms.length === 1 && d.terms[0]!.atom.kind === "sym" && d.c === 0) maxDims[d.terms[0]!.atom.name] = Math.max(maxDims[d.terms[0]!.atom.name] ?? 0, t.shape[i]!);
  });
  const m = compileGraph(g, { target: getTarget("wasm32"), maxDims });
  writeSources(m, dir);
  const wasm = readFileSync(writeWasmModule(m, dir));
  const js = readFileSync(path.join(dir, "model.js"));
  const loader = (await import(pathToFileURL(path.join(dir, "model.js")).href)) as { load(src: Uint8Array): Promise<Loaded> };
  return { model: await loader.load(wasm), bytes: wasm.length + js.length, gz: gzipSync(wasm, { level: 9 }).length + gzipSync(js, { level: 9 }).length };
}

/** onnxruntime-web's files a page loads for the wasm backend (beside the model). */
function ortRuntimeFiles(): string[] {
  const dist = path.dirname(createRequire(import.meta.url).resolve("onnxruntime-web/wasm"));
  return ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"].map((f) => path.join(dist, f));
}

function sizes(buffers: readonly Uint8Array[]): { bytes: number; gz: number } {
  return { bytes: buffers.reduce((a, b) => a + b.length, 0), gz: buffers.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Row { model: string; kind: string; neoncMs: number; ortMs: number; neoncBytes: number; neoncGz: number; ortBytes: number; ortGz: number; agree: string }

async function measure(name: string, kind: string, g: Graph, ortModel: Uint8Array, sets: Record<string, Tensor>[], tmp: string, runtime: Uint8Array[]): Promise<Row> {
  const dir = path.join(tmp, `${name}-${kind}`);
  const ours = await neoncModule(g, sets, dir);
  const session = await ortSession(ortModel);
  const plain = sets.map((s) => Object.fromEntries(Object.entries(s).map(([n, t]) => [n, t.data])));
  // Agreement: the largest difference of the first output relative to its largest magnitude.
  let worst = 0;
  for (let k = 0; k < sets.length; k++) {
    const a = ours.model.run(plain[k]!);
    const b = await session.run(ortFeeds(sets[k]!));
    const o = g.outputs[0]!;
    const ref = b[o]!;
    const mine: Tensor = { dtype: "f32", shape: a[o]!.shape, data: a[o]!.data };
    worst = Math.max(worst, compareTensors(mine, { dtype: "f32", shape: ref.dims.map(Number), data: ref.data as Float32Array }).rel);
  }
  const ms = { neonc: [] as number[], ort: [] as number[] };
  for (let w = 0; w < WARMUP; w++) {
    for (let k = 0; k < sets.length; k++) {
      ours.model.run(plain[k]!);
      await session.run(ortFeeds(sets[k]!));
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < sets.length; k++) {
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        ours.model.run(plain[k]!);
        ms.neonc.push(performance.now() - t0);
      }
      const feeds = ortFeeds(sets[k]!);
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await session.run(feeds);
        ms.ort.push(performance.now() - t0);
      }
    }
  }
  await session.release();
  const ortSize = sizes([...runtime, ortModel]);
  return { model: name, kind, neoncMs: median(ms.neonc), ortMs: median(ms.ort), neoncBytes: ours.bytes, neoncGz: ours.gz, ortBytes: ortSize.bytes, ortGz: ortSize.gz, agree: worst.toExponential(1) };
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mb = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;

async function main(): Promise<void> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const runtime = ortRuntimeFiles().map((f) => new Uint8Array(readFileSync(f)));
  const tmp = mkdtempSync(path.join(os.tmpdir(), "neonc-bench-wasm-"));
  const rows: Row[] = [];
  try {
    for (const c of cases().filter((c) => only.length === 0 || only.includes(c.name))) {
      const imported = importOnnxFile(c.file);
      const fp32 = runPipeline(imported, "-O1", { log: () => {} });
      rows.push(await measure(c.name, "fp32", fp32, new Uint8Array(readFileSync(c.file)), c.sets, tmp, runtime));
      console.error(`${c.name} fp32 done`);
      const q = quantizeGraph(fp32, calibrate(fp32, [c.sets[0]!], { observer: observerByName("minmax") }).ranges);
      const qdq = exportOnnx(q);
      writeFileSync(path.join(tmp, `${c.name}-int8.onnx`), qdq);
      try {
        rows.push(await measure(c.name, "int8", q, qdq, c.sets, tmp, runtime));
      } catch (e) {
        console.error(`${c.name} int8: ${(e as Error).message.split("\n")[0]}`);
      }
      console.error(`${c.name} int8 done`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const lines = [
    `| model | | neonc wasm32 ms | onnxruntime-web ms | speed-up | neonc bytes (gzip) | onnxruntime-web bytes (gzip) | fewer bytes | max diff / max |out| |`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:|`,
    ...rows.map((r) => `| ${r.model} | ${r.kind} | ${r.neoncMs.toFixed(2)} | ${r.ortMs.toFixed(2)} | ${(r.ortMs / r.neoncMs).toFixed(2)}x | ${kb(r.neoncBytes)} (${kb(r.neoncGz)}) | ${mb(r.ortBytes)} (${mb(r.ortGz)}) | ${(r.ortBytes / r.neoncBytes).toFixed(1)}x (${(r.ortGz / r.neoncGz).toFixed(1)}x) | ${r.agree} |`),
  ];
  console.log(`onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}, wasm backend, SIMD, 1 thread; Node ${process.version}; ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores`);
  console.log(`median ms per run over ${ROUNDS} rounds x ${RUNS} runs x 2 inputs after ${WARMUP} warm-up runs per input\n`);
  console.log(lines.join("\n"));
}

await main();
