// The model zoo (test/fixtures/models, made by make.py): small speech-model exports in
// configurations the models of ../shared do not have, run through the built `neonc` command as a
// user would (the same argv, through runCli in this process; see "running the CLI"), with the
// commands the issue runs on the shared models:
//
//   inspect        neonc inspect MODEL --json: imported, no unsupported op, the file's op
//                  histogram and parameter count, symbolic inputs, a MAC count for every
//                  Conv/ConvTranspose/MatMul/Gemm/Einsum/LSTM/GRU/RNN node
//   run            neonc run MODEL --input-dir test_data_set_N: every output within 1e-4 of its
//                  largest magnitude of the torch reference (which onnxruntime reproduces)
//   check-c99      neonc check MODEL --target c99 --max-dim T=...  (nothing else: the C against
//                  the interpreter on seeded random inputs)
//   check-aarch64  the same with --target aarch64, for a few models (qemu-user)
//   check-wasm32   the same with --target wasm32 for those models (the module under Node)
//   optimize       neonc optimize MODEL -O1 -o OUT.onnx, and onnxruntime-node runs OUT.onnx on
//                  test_data_set_0 within 1e-4 of the reference
//   check-int8     neonc check MODEL --target c99 --int8 --max-dim T=...: synthetic calibration
//                  (of 2 inputs) when the model has BatchNorm, else --calibration
//                  MODEL/test_data_set_0
//
// (`neonc compile --explain lower` is not run yet: main has no `lower` pass.)
//
// Known failures are listed in zoo-expected-failures.txt as `model/check: reason`. The suite fails
// when an unlisted check fails, when a listed one passes (so the list stays true), and when a
// listed one fails in a way a user must never see: an exit code other than 1 or 2, or anything but
// one `neonc: ` sentence on stderr.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunMode } from "../../codegen/targets.js";
import { CommandFailed, describeModelChecks, readCheckList } from "../helpers/model-checks.js";
import { neoncInProcess, readJson, readTensor, ROOT, tempDir, type CliResult } from "../app/cli/helpers.js";
import { maxAbsDiff } from "../../src/testing/index.js";

const ZOO = path.join(ROOT, "test/fixtures/models");

interface ZooModel {
  name: string;
  doc: string;
  opset: number;
  batchnorm: number;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  /** Symbols of the inputs' dynamic axes (T, and N for a dynamic batch). */
  symbolic: string[];
  /** Each symbol's largest value over the test sets: what --max-dim is given. */
  maxDim: Record<string, number>;
  testSets: number;
  ops: Record<string, number>;
  onnxParameters: number;
  modelBytes: number;
}

const MODELS: ZooModel[] = JSON.parse(readFileSync(path.join(ZOO, "zoo.json"), "utf8"));
/** The models also checked for aarch64 under qemu: an LSTM with state, attention, and 2-D convs with pooling. */
const AARCH64 = new Set(["vad_lstm_state", "conformer_block", "wakeword_dscnn", "conformer_lengths"]);
/** Ops whose nodes have a MAC count in `inspect`. */
const HEAVY = new Set(["Conv", "ConvTranspose", "MatMul", "Gemm", "Einsum", "LSTM", "GRU", "RNN"]);

const EXPECTED = readCheckList(new URL("./zoo-expected-failures.txt", import.meta.url));

function checksOf(m: ZooModel): string[] {
  return ["inspect", "run", "optimize", "check-c99", ...(AARCH64.has(m.name) ? ["check-aarch64", "check-wasm32"] : []), "check-int8"];
}

// ---- running the CLI ----

// Each command runs through runCli, the function the `neonc` executable calls with its argv
// (dist/src/app/cli/main.js is `process.exitCode = await runCli(argv)`), inside this process:
// starting node and loading neonc for each of the ~90 commands would cost about 0.4 s of CPU
// each, more than the commands themselves. Commands run one at a time (stdout and stderr are
// captured while one runs).
const neoncAsync = (...args: string[]): Promise<CliResult> => neoncInProcess(...args);

async function neoncOk(...args: string[]): Promise<CliResult> {
  const r = await neoncAsync(...args);
  if (r.code !== 0) throw new CommandFailed(r, args);
  return r;
}

const maxDimFlags = (m: ZooModel) => Object.entries(m.maxDim).flatMap(([s, v]) => ["--max-dim", `${s}=${v}`]);
const modelFile = (m: ZooModel) => path.join(ZOO, m.name, "model.onnx");

// ---- the checks: each resolves when it passes and throws saying what went wrong ----

let out: string;

async function inspect(m: ZooModel): Promise<void> {
  const dims = Object.entries(m.maxDim).flatMap(([s, v]) => ["--dim", `${s}=${v}`]);
  const r = await neoncOk("inspect", modelFile(m), "--json", ...dims);
  expect(r.stderr).toBe("");
  const j = readJson(r.stdout);
  expect(j.imported, j.importError).toBe(true);
  expect(j.unsupportedOps).toEqual([]);
  expect(j.opset).toBe(m.opset);
  expect(j.ops).toEqual(m.ops);
  expect(j.parameters.count).toBe(m.onnxParameters);
  // Inputs as exported: names, and the symbols on the dynamic axes.
  expect(j.inputs.map((i: { name: string }) => i.name)).toEqual(m.inputs.map((i) => i.name));
  for (const s of m.symbolic) expect(j.inputs.some((i: { shape: unknown[] }) => i.shape.includes(s)), `an input with the symbolic dim ${s}`).toBe(true);
  const heavy = Object.entries(m.ops).filter(([op]) => HEAVY.has(op)).reduce((n, [, c]) => n + c, 0);
  const layers = j.macs.layers.filter((l: { op: string }) => HEAVY.has(l.op));
  expect(layers.length, "MAC counts of the Conv/MatMul/Gemm/RNN nodes").toBe(heavy);
  for (const l of layers) expect(l.macsAtDims, `${l.node}: ${l.error ?? "no MACs at the max dims"}`).toBeGreaterThan(0);
  expect(j.macs.totalAtDims).toBeGreaterThan(0);
}

async function run(m: ZooModel): Promise<void> {
  for (let s = 0; s < m.testSets; s++) {
    const set = path.join(ZOO, m.name, `test_data_set_${s}`);
    const dir = path.join(out, m.name, `run${s}`);
    const r = await neoncOk("run", modelFile(m), "--input-dir", set, "--output-dir", dir);
    expect(r.stderr).toBe("");
    m.outputs.forEach((o, k) => {
      const got = readTensor(path.join(dir, `output_${k}.pb`));
      const ref = readTensor(path.join(set, `output_${k}.pb`));
      const what = `test_data_set_${s} output ${o.name}`;
      expect(got.name, what).toBe(ref.name);
      expectClose(got, ref, what);
    });
  }
}

/** Max |a - ref| over max |ref| of every output (integers exactly: any difference fails). */
function expectClose(got: { dtype: string; shape: readonly number[]; values: readonly number[] }, ref: { dtype: string; shape: readonly number[]; values: readonly number[] }, what: string): void {
  expect(got.dtype, what).toBe(ref.dtype);
  expect(got.shape, what).toEqual(ref.shape);
  const err = maxAbsDiff(ref.values, got.values), mag = maxAbsDiff(ref.values, new Float64Array(ref.values.length));
  expect(err, `${what}: max abs error against the reference (max |ref| ${mag})`).toBeLessThanOrEqual(ref.dtype === "f32" ? 1e-4 * mag : 0);
}

async function optimize(m: ZooModel): Promise<void> {
  const file = path.join(out, m.name, "optimized.onnx");
  await neoncOk("optimize", modelFile(m), "-O1", "-o", file);
  const set = path.join(ZOO, m.name, "test_data_set_0");
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    m.inputs.forEach((input, k) => {
      const t = readTensor(path.join(set, `input_${k}.pb`));
      feeds[input.name] = t.dtype === "i64"
        ? new ort.Tensor("int64", BigInt64Array.from(t.values, (v) => BigInt(v)), [...t.shape])
        : new ort.Tensor("float32", Float32Array.from(t.values), [...t.shape]);
    });
    const res = await session.run(feeds);
    m.outputs.forEach((o, k) => {
      const ref = readTensor(path.join(set, `output_${k}.pb`));
      const r = res[o.name]!;
      const got = { dtype: r.type === "int64" ? "i64" : r.type === "float32" ? "f32" : r.type, shape: r.dims, values: Array.from(r.data as ArrayLike<number | bigint>, Number) };
      expectClose(got, ref, `onnxruntime on the -O1 export, output ${o.name}`);
    });
  } finally {
    await session.release();
  }
}

/** `neonc check` passes: exit 0 and the final "ok:" line. */
async function check(m: ZooModel, ...flags: string[]): Promise<CliResult> {
  const r = await neoncOk("check", modelFile(m), ...flags, ...maxDimFlags(m));
  expect(r.stdout.trim().split("\n").pop()).toMatch(/^ok: within/);
  return r;
}

async function checkAarch64(m: ZooModel): Promise<void> {
  const r = await check(m, "--target", "aarch64");
  expect(r.stdout).toMatch(/^target aarch64 \(qemu: /);
}

async function checkWasm32(m: ZooModel): Promise<void> {
  const r = await check(m, "--target", "wasm32");
  expect(r.stdout).toMatch(/^target wasm32 \(wasm: /);
}

async function checkInt8(m: ZooModel): Promise<void> {
  // Synthetic calibration makes 2 inputs instead of 8: its 50 gradient steps through a Conv2d
  // front end cost about 2 s per input on this machine, and 2 are enough to test that it works.
  const calibration = m.batchnorm > 0 ? ["--calibration-samples", "2"] : ["--calibration", path.join(ZOO, m.name, "test_data_set_0")];
  await check(m, "--target", "c99", "--int8", ...calibration);
}

const CHECKS: Record<string, (m: ZooModel) => Promise<unknown>> = {
  inspect,
  run,
  optimize,
  "check-c99": (m) => check(m, "--target", "c99"),
  "check-aarch64": checkAarch64,
  "check-wasm32": checkWasm32,
  "check-int8": checkInt8,
};

/** The rig each check builds C with (the checks not listed build none). */
const RIG_OF: Record<string, readonly [string, RunMode]> = {
  "check-c99": ["c99", "native"],
  "check-aarch64": ["aarch64", "qemu"],
  "check-wasm32": ["wasm32", "wasm"],
  "check-int8": ["c99", "native"],
};

beforeAll(() => {
  out = tempDir("neonc-zoo-");
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the zoo fixtures", () => {
  it("every model is in the model-zoo layout, small, and listed in zoo.json", () => {
    const folders = readdirSync(ZOO).filter((d) => existsSync(path.join(ZOO, d, "model.onnx"))).sort();
    expect(folders).toEqual(MODELS.map((m) => m.name).sort());
    let total = 0;
    for (const m of MODELS) {
      const size = statSync(modelFile(m)).size;
      expect(size, `${m.name}/model.onnx`).toBe(m.modelBytes);
      expect(size, `${m.name}/model.onnx`).toBeLessThan(200_000);
      for (let s = 0; s < m.testSets; s++) {
        const set = path.join(ZOO, m.name, `test_data_set_${s}`);
        const files = readdirSync(set).sort();
        expect(files).toEqual([...m.inputs.map((_, k) => `input_${k}.pb`), ...m.outputs.map((_, k) => `output_${k}.pb`)].sort());
        total += files.reduce((n, f) => n + statSync(path.join(set, f)).size, 0);
      }
      total += size;
    }
    expect(total).toBeLessThan(2_500_000);
  });
});

describeModelChecks({
  title: "the issue's commands on the zoo models",
  models: MODELS, checksOf, checks: CHECKS, rigOf: RIG_OF, expected: EXPECTED,
  listFile: "test/models/zoo-expected-failures.txt",
});
