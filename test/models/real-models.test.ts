// Real trained speech models that npm packages ship (test/fixtures/real-models: Silero VAD in
// five exports, openWakeWord's front end and embedding, a wake-word head; manifest.json says where
// each comes from, its licence and sha256; make.mjs made the inputs from espeak-ng speech, sox
// noise and silence, and the reference outputs with onnxruntime-node). Each model gets:
//
//   ort      the interpreter on every test set against onnxruntime-node run here (each output
//            within 1e-4 of its largest magnitude), and the stored references are onnxruntime's
//   optimize neonc's -O1 graph exported to ONNX (opset 21) and run by onnxruntime-node on every
//            test set, within 1e-4 of the stored references
//   stream   (streaming models) the interpreter runs the chunks in order, each from the state
//            outputs of the chunk before, and stays within 1e-4 of onnxruntime's stream
//   c99      the generated C (-O1, c99, built natively) against the interpreter, within 1e-4,
//            the state carried through the C for streaming models
//   aarch64  the same for the NEON code under qemu-user
//   int8     --int8 calibrated on the model's test sets: the integer C against the interpreter
//            on the int8 graph (within 1e-4, as `neonc check` asks), and the int8 outputs against
//            onnxruntime's float ones at the task: for a VAD the same speech / no-speech decision
//            (p > 0.5) on every chunk, the same speech segments under the detector's hysteresis,
//            and a mean |p - p_float| <= 0.1 over each stream (vadTask says why not per chunk);
//            for the head the same detection (score > 0.5)
//            and |score - score_float| <= 0.1 for the head; SQNR >= 30 dB for the mel features
//            and >= 20 dB for the embedding; and the int8 graph computes in integers: no Conv,
//            MatMul, Gemm, LSTM or GRU layer is left in float, If branches included (a model
//            whose network sits in an If would otherwise pass as a float model)
//   check    `neonc check MODEL --target c99` with no other flag than the model's specialization
//
// A model whose graph needs known input dims (torch's squeeze(-1) exported as an If on a shape,
// whose branches differ in rank) has a specialization in the manifest: input shapes and bound
// inputs, which every check passes to neonc (the import options inputShapes and bind, the CLI's
// --input-shape and --bind). A stream may have its own (v5 runs at 512 samples with sr 16000 and
// at 256 with sr 8000): each stream's sets then go through their own import.
//
// Known failures are listed in real-models-expected-failures.txt as `model/check: reason`. The
// suite fails when an unlisted check fails, when a listed one passes (so the list stays true),
// and when a listed one fails in a way a user must never see: anything but a neonc error (or a
// numeric assertion), or for the CLI an exit code other than 1 or 2 or more than one
// `neonc: ` sentence on stderr.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { allNodes, type Graph } from "../../ir/graph.js";
import { implementedOp } from "../../ir/traits.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { loadModel } from "../../src/adapters/onnx/load-model.js";
import { readTensorFile } from "../../src/adapters/onnx/tensor.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { exportOnnx, runModelPipeline } from "../../src/index.js";
import { codegenStages } from "../../codegen/stages.js";
import { CEngine, largestDims } from "../../codegen/engine.js";
import { getTarget } from "../../ir/target.js";
import type { RunMode } from "../../codegen/targets.js";
import { sqnrDb } from "../../src/testing/metrics.js";
import { CommandFailed, describeModelChecks, readCheckList } from "../helpers/model-checks.js";
import { neoncInProcess, ROOT, type CliResult } from "../app/cli/helpers.js";

const DIR = path.join(ROOT, "test/fixtures/real-models");

interface RealModel {
  name: string;
  package: string;
  version: string;
  file: string;
  packageLicence: string;
  weightsLicence: string;
  sha256: string;
  bytes: number;
  kind: "vad" | "mel" | "embedding" | "head";
  inputs: string[];
  outputs: string[];
  /** Streaming models: each state input and the output that feeds it on the next chunk. */
  state?: Record<string, string>;
  /** Streaming models: the streams the test sets make in order (first set, count, sample rate). */
  streams?: { first: number; sets: number; sr: number; specialize?: Specialization }[];
  /** What every check fixes at import (see the header); a stream's own replaces it. */
  specialize?: Specialization;
  testSets: number;
}

/** Input dims and input values fixed at import. */
interface Specialization {
  inputShapes?: Record<string, number[]>;
  bind?: Record<string, number>;
}

/** Test sets that share one import: sets first..first+sets-1, specialized by spec. */
interface Part {
  first: number;
  sets: number;
  spec: Specialization;
}

function partsOf(m: RealModel): Part[] {
  if (m.streams?.some((st) => st.specialize)) return m.streams.map((st) => ({ first: st.first, sets: st.sets, spec: st.specialize ?? m.specialize ?? {} }));
  return [{ first: 0, sets: m.testSets, spec: m.specialize ?? {} }];
}

const partOf = (m: RealModel, i: number): number => partsOf(m).findIndex((p) => i >= p.first && i < p.first + p.sets);

/** A set's inputs without those the part binds (they are constants of its graph). */
function feeds(part: Part, inputs: Tensors): Tensors {
  return Object.fromEntries(Object.entries(inputs).filter(([k]) => !(k in (part.spec.bind ?? {}))));
}

/** The CLI flags of a specialization. */
function specFlags(spec: Specialization): string[] {
  return [
    ...Object.entries(spec.inputShapes ?? {}).flatMap(([k, d]) => ["--input-shape", `${k}=${d.join(",")}`]),
    ...Object.entries(spec.bind ?? {}).flatMap(([k, v]) => ["--bind", `${k}=${v}`]),
  ];
}

const MODELS: RealModel[] = JSON.parse(readFileSync(path.join(DIR, "manifest.json"), "utf8"));

const EXPECTED = readCheckList(new URL("./real-models-expected-failures.txt", import.meta.url));

/** Relative error every float comparison allows: of the largest |reference| of the output. */
const REL = 1e-4;
/** The int8 task thresholds (see the header). */
const PROB_TOL = 0.1;
const VAD_MEAN_TOL = 0.1;
const MIN_SQNR: Partial<Record<RealModel["kind"], number>> = { mel: 30, embedding: 20 };

function checksOf(m: RealModel): string[] {
  return ["ort", "optimize", ...(m.state ? ["stream"] : []), "c99", "aarch64", "int8", "check"];
}

// ---- the fixtures ----

type Tensors = Record<string, Tensor>;
interface TestSet {
  label: string;
  inputs: Tensors;
  outputs: Tensors;
}

const modelFile = (m: RealModel) => path.join(DIR, m.name, "model.onnx");

function readSets(m: RealModel): TestSet[] {
  return Array.from({ length: m.testSets }, (_, s) => {
    const dir = path.join(DIR, m.name, `test_data_set_${s}`);
    const read = (names: string[], kind: string) =>
      Object.fromEntries(names.map((n, k) => {
        const { name, tensor } = readTensorFile(path.join(dir, `${kind}_${k}.pb`));
        expect(name, `${dir}/${kind}_${k}.pb`).toBe(n);
        return [n, tensor];
      }));
    return { label: `test_data_set_${s}`, inputs: read(m.inputs, "input"), outputs: read(m.outputs, "output") };
  });
}

/** Imports once per model and part; an import failure is thrown again by every check that needs the graph. */
const imports = new Map<string, { graph?: Graph; error?: unknown }>();
function imported(m: RealModel, k = 0): Graph {
  const key = `${m.name}#${k}`;
  if (!imports.has(key)) {
    const { spec } = partsOf(m)[k]!;
    try {
      imports.set(key, { graph: loadModel(modelFile(m), { inputShapes: spec.inputShapes, bind: spec.bind }) });
    } catch (error) {
      imports.set(key, { error });
    }
  }
  const r = imports.get(key)!;
  if (r.error !== undefined) throw r.error;
  return r.graph!;
}

// ---- comparisons ----

function values(t: Tensor): Float64Array {
  return Float64Array.from(t.data as ArrayLike<number>);
}

/** Max |got - ref| over max |ref|: the measure `neonc check` uses. */
function relError(got: Tensor, ref: Tensor, what: string): number {
  expect(got.dtype, what).toBe(ref.dtype);
  expect(got.shape, what).toEqual(ref.shape);
  const a = values(got), b = values(ref);
  let err = 0, mag = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    err = Number.isNaN(d) ? Infinity : Math.max(err, d);
    mag = Math.max(mag, Math.abs(b[i]!));
  }
  return mag === 0 ? err : err / mag;
}

function expectClose(got: Tensors, ref: Tensors, names: string[], what: string, rel = REL): void {
  for (const n of names) {
    expect(got[n], `${what}: output ${n}`).toBeDefined();
    const e = relError(got[n]!, ref[n]!, `${what}: output ${n}`);
    expect(e, `${what}: output ${n}, max abs error over max |ref|`).toBeLessThanOrEqual(rel);
  }
}

// ---- runners ----

/** One set's run; `i` is the set's index (which part's graph runs it). */
type Step = (inputs: Tensors, i: number) => Tensors;

/**
 * Runs the sets with `step`. For a streaming model they are streams (16 kHz, then 8 kHz for the
 * models with an 8 kHz network): every set but a stream's first takes its state inputs from the
 * outputs `step` gave for the set before (a stream's first set holds the zero state); other
 * models' sets are independent.
 */
function runSets(m: RealModel, sets: TestSet[], step: Step): Tensors[] {
  const starts = new Set((m.streams ?? [{ first: 0 }]).map((st) => st.first));
  let carried: Tensors = {};
  return sets.map((s, i) => {
    const out = step(starts.has(i) || !m.state ? s.inputs : { ...s.inputs, ...carried }, i);
    if (m.state) carried = Object.fromEntries(Object.entries(m.state).map(([input, output]) => [input, out[output]!]));
    return out;
  });
}

/** The interpreter on each part's import (or on the given graphs, one per part). */
const interpreter = (m: RealModel, graphs?: Graph[]): Step => (inputs, i) => {
  const k = partOf(m, i);
  return runGraph(graphs ? graphs[k]! : imported(m, k), feeds(partsOf(m)[k]!, inputs));
};

/** One step per C run (one engine per part): a stream's next inputs depend on the outputs of the last. */
const cStep = (m: RealModel, engines: CEngine[]): Step => (inputs, i) => {
  const k = partOf(m, i);
  return engines[k]!.run([feeds(partsOf(m)[k]!, inputs)]).runs[0]!.outputs;
};

/** onnxruntime-node on each set: the model as shipped (a path) or as neonc exported it (bytes). */
async function onnxruntime(m: RealModel, model: string | Uint8Array, sets: TestSet[]): Promise<Tensors[]> {
  // Graph optimizations off, as make.mjs ran it: the reference is the graph as given.
  const session = typeof model === "string"
    ? await ort.InferenceSession.create(model, { graphOptimizationLevel: "disabled", intraOpNumThreads: 1, interOpNumThreads: 1 })
    : await ort.InferenceSession.create(model, { graphOptimizationLevel: "disabled", intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const all: Tensors[] = [];
    for (const s of sets) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [k, t] of Object.entries(s.inputs)) {
        // An input the graph no longer reads (pruned by -O1) is not fed.
        if (!session.inputNames.includes(k)) continue;
        feeds[k] = t.dtype === "i64" ? new ort.Tensor("int64", t.data as BigInt64Array, [...t.shape]) : new ort.Tensor("float32", t.data as Float32Array, [...t.shape]);
      }
      const res = await session.run(feeds);
      all.push(Object.fromEntries(m.outputs.map((n) => {
        const v = res[n]!;
        expect(v.type, `onnxruntime output ${n}`).toBe("float32");
        return [n, makeTensor("f32", v.dims, Float32Array.from(v.data as Float32Array))];
      })));
    }
    return all;
  } finally {
    await session.release();
  }
}

/** The model through the -O1 pipeline (and int8 when asked) and the C generator, built for the rig. */
function engineFor(m: RealModel, target: string, mode: RunMode, int8: boolean, k = 0): { graph: Graph; engine: CEngine } {
  const g = imported(m, k);
  const part = partsOf(m)[k]!;
  const sets = readSets(m).slice(part.first, part.first + part.sets);
  const maxDims = largestDims(g, sets.map((s) => feeds(part, s.inputs)));
  const t = getTarget(target);
  const { graph } = runModelPipeline(g, {
    preset: "O1",
    ...(int8 ? { int8: { calibration: path.join(DIR, m.name) } } : {}),
    stages: codegenStages(),
  }, { target: t, log: () => {} });
  return { graph, engine: CEngine.create(graph, { target, mode, maxDims }) };
}

// ---- the checks: each resolves when it passes and throws saying what went wrong ----

async function ortCheck(m: RealModel): Promise<void> {
  const sets = readSets(m);
  const live = await onnxruntime(m, modelFile(m), sets);
  sets.forEach((s, i) => expectClose(live[i]!, s.outputs, m.outputs, `${s.label}: the stored reference against onnxruntime-node now`, 1e-6));
  const run = interpreter(m);
  sets.forEach((s, i) => expectClose(run(s.inputs, i), live[i]!, m.outputs, `${s.label}: the interpreter against onnxruntime-node`));
}

async function optimizeCheck(m: RealModel): Promise<void> {
  const all = readSets(m);
  for (const [k, part] of partsOf(m).entries()) {
    const sets = all.slice(part.first, part.first + part.sets);
    const { graph } = runModelPipeline(imported(m, k), { preset: "O1" }, { log: () => {} });
    const got = await onnxruntime(m, exportOnnx(graph), sets);
    sets.forEach((s, i) => expectClose(got[i]!, s.outputs, m.outputs, `${s.label}: onnxruntime on neonc's -O1 export`));
  }
}

async function streamCheck(m: RealModel): Promise<void> {
  const sets = readSets(m);
  const got = runSets(m, sets, interpreter(m));
  sets.forEach((s, i) => expectClose(got[i]!, s.outputs, m.outputs, `chunk ${i} of the stream, state carried by the interpreter`));
}

async function cCheck(m: RealModel, target: string, mode: RunMode): Promise<void> {
  const sets = readSets(m);
  const engines = partsOf(m).map((_, k) => engineFor(m, target, mode, false, k).engine);
  const want = runSets(m, sets, interpreter(m));
  const got = runSets(m, sets, cStep(m, engines));
  sets.forEach((s, i) => expectClose(got[i]!, want[i]!, m.outputs, `${s.label}: the ${target} C against the interpreter`));
}

/** The layers --int8 must compute in integers (int8 weights at least): what a float op left means a float model. */
const INT8_LAYERS = new Set(["Conv", "MatMul", "Gemm", "LSTM", "GRU", "RNN"]);

async function int8Check(m: RealModel): Promise<void> {
  const sets = readSets(m);
  const built = partsOf(m).map((_, k) => engineFor(m, "c99", "native", true, k));
  const float = built.flatMap((b) => allNodes(b.graph)).filter((n) => INT8_LAYERS.has(implementedOp(n.op) ?? n.op));
  const byOp = [...new Set(float.map((n) => implementedOp(n.op) ?? n.op))].map((op) => `${float.filter((n) => (implementedOp(n.op) ?? n.op) === op).length} ${op}`);
  expect(byOp, `the int8 graph's layers left in float (in ${float.length > 0 ? float[0]!.name + ", ..." : "none"})`).toEqual([]);
  const want = runSets(m, sets, interpreter(m, built.map((b) => b.graph)));
  const got = runSets(m, sets, cStep(m, built.map((b) => b.engine)));
  sets.forEach((s, i) => expectClose(got[i]!, want[i]!, m.outputs, `${s.label}: the int8 C against the interpreter on the int8 graph`));
  // At the task: the first output against onnxruntime's float one.
  const out = m.outputs[0]!;
  if (m.kind === "vad" || m.kind === "head") {
    const show = (ts: Tensors[]) => ts.map((t, i) => (m.streams?.some((st) => st.first === i && i > 0) ? "| " : "") + values(t[out]!)[0]!.toFixed(m.kind === "head" ? 4 : 2)).join(" ");
    console.log(`${m.name} --int8 ${out}: ${show(got)}\n${m.name} float  ${out}: ${show(sets.map((s) => s.outputs))}`);
  }
  if (m.kind === "vad") return vadTask(m, sets.map((s) => values(s.outputs[out]!)[0]!), got.map((t) => values(t[out]!)[0]!));
  sets.forEach((s, i) => {
    const q = values(got[i]![out]!), f = values(s.outputs[out]!);
    const what = `${s.label}: int8 ${out} against the float reference`;
    if (m.kind === "head") {
      for (let k = 0; k < f.length; k++) {
        expect(q[k]! > 0.5, `${what}: the decision (${q[k]} vs ${f[k]})`).toBe(f[k]! > 0.5);
        expect(Math.abs(q[k]! - f[k]!), `${what}: |p - p_float|`).toBeLessThanOrEqual(PROB_TOL);
      }
    } else {
      expect(sqnrDb(f, q), `${what}: SQNR in dB`).toBeGreaterThanOrEqual(MIN_SQNR[m.kind]!);
    }
  });
}

/**
 * A detector's int8 stream against its float stream, per stream of chunks: the same decision
 * (p > 0.5) on every chunk, the same speech segments under the detector's hysteresis (speech
 * starts at p >= 0.5 and ends below 0.35, as Silero's own iterator has it), and a mean |p -
 * p_float| of at most VAD_MEAN_TOL. Not a bound per chunk: on the quiet chunks these networks
 * move p by 0.1-0.25 under any 8-bit (even 10-bit) rounding of their activations, by an amount
 * that depends on which layers round, not on how well (docs/measurements/2026-12-07-int8-magnitude.md).
 */
function vadTask(m: RealModel, float: number[], int8: number[]): void {
  for (const st of m.streams ?? [{ first: 0, sets: m.testSets }]) {
    const f = float.slice(st.first, st.first + st.sets), q = int8.slice(st.first, st.first + st.sets);
    const what = `the int8 stream from chunk ${st.first} (${q.map((v) => v.toFixed(2)).join(" ")}) against float (${f.map((v) => v.toFixed(2)).join(" ")})`;
    f.forEach((p, k) => expect(q[k]! > 0.5, `${what}: the decision on chunk ${st.first + k}`).toBe(p > 0.5));
    expect(speechSegments(q), `${what}: the speech segments`).toEqual(speechSegments(f));
    const mean = q.reduce((a, p, k) => a + Math.abs(p - f[k]!), 0) / q.length;
    expect(mean, `${what}: mean |p - p_float|`).toBeLessThanOrEqual(VAD_MEAN_TOL);
  }
}

/** [start, end) chunk ranges of speech: speech starts at p >= 0.5 and ends at the first chunk below 0.35. */
function speechSegments(p: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  p.forEach((v, k) => {
    if (start < 0 && v >= 0.5) start = k;
    else if (start >= 0 && v < 0.35) {
      out.push([start, k]);
      start = -1;
    }
  });
  if (start >= 0) out.push([start, p.length]);
  return out;
}

/** A failed command as one line: its arguments, exit code and the last line of stderr. */
async function cliCheck(m: RealModel): Promise<void> {
  const args = ["check", modelFile(m), "--target", "c99", ...specFlags(partsOf(m)[0]!.spec)];
  const r = await neoncInProcess(...args);
  if (r.code !== 0) throw new CommandFailed(r, args);
  expect(r.stdout.trim().split("\n").pop()).toMatch(/^ok: within/);
}

const CHECKS: Record<string, (m: RealModel) => Promise<void>> = {
  ort: ortCheck,
  optimize: optimizeCheck,
  stream: streamCheck,
  c99: (m) => cCheck(m, "c99", "native"),
  aarch64: (m) => cCheck(m, "aarch64", "qemu"),
  int8: int8Check,
  check: cliCheck,
};

/** The rig each check builds C with (the checks not listed build none). */
const RIG_OF: Record<string, readonly [string, RunMode]> = {
  c99: ["c99", "native"],
  aarch64: ["aarch64", "qemu"],
  int8: ["c99", "native"],
  check: ["c99", "native"],
};

describe("the real-model fixtures", () => {
  it("every model is the file its package ships, with its test sets, under 5 MB", () => {
    for (const m of MODELS) {
      const bytes = readFileSync(modelFile(m));
      expect(bytes.length, m.name).toBe(m.bytes);
      expect(bytes.length, m.name).toBeLessThan(5_000_000);
      expect(createHash("sha256").update(bytes).digest("hex"), `${m.name}: sha256 of ${m.package}@${m.version}/${m.file}`).toBe(m.sha256);
      expect(m.packageLicence, m.name).toMatch(/^(MIT|ISC|Apache-2\.0|BSD)/);
      expect(m.weightsLicence, m.name).toMatch(/^(MIT|ISC|Apache-2\.0|BSD)/);
      for (let s = 0; s < m.testSets; s++) statSync(path.join(DIR, m.name, `test_data_set_${s}`, "output_0.pb"));
    }
  });

  it("the streams of every streaming model cover its test sets in order", () => {
    for (const m of MODELS.filter((x) => x.state)) {
      expect(m.streams!.map((st) => st.first), m.name).toEqual(m.streams!.map((_, k) => m.streams!.slice(0, k).reduce((n, st) => n + st.sets, 0)));
      expect(m.streams!.reduce((n, st) => n + st.sets, 0), m.name).toBe(m.testSets);
    }
  });
});

describeModelChecks({
  title: "real trained models: onnxruntime, the interpreter, the C, int8, streaming state",
  models: MODELS, checksOf, checks: CHECKS, rigOf: RIG_OF, expected: EXPECTED,
  listFile: "test/models/real-models-expected-failures.txt",
  timeoutMs: 300000,
});
