// The CLI on the real speech models of ../shared: inspect's counts against the numbers in each
// model's README, and `run` against the reference outputs shipped with the models.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedOrSkip } from "../../helpers/shared.js";
import { SHARED, ensureBuilt, neonc, readJson, readTensor, tempDir } from "./helpers.js";
import { maxAbsDiff } from "../../../src/testing/index.js";

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Parameters and MACs at T=291 (test_data_set_0) as stated in each model's README. neonc counts
// every initializer as stored, so BatchNormalization running statistics and Constant shape
// vectors add a little, and folding BatchNormalization into the convolutions removes a little.
const MODELS: [string, { params: number; macs: number; ops: Record<string, number> }][] = [
  ["wav2letter", { params: 343_165, macs: 50e6, ops: { Conv: 11, Relu: 11, LogSoftmax: 1 } }],
  ["convdfsmn", { params: 460_061, macs: 67e6, ops: { Conv: 20, Add: 11, Relu: 7, LogSoftmax: 1 } }],
  ["lstm_encoder", { params: 863_517, macs: 250e6, ops: { LSTM: 2, MatMul: 1 } }],
  ["quartznet5x5", { params: 6_713_181, macs: 976e6, ops: { Conv: 61, BatchNormalization: 33, Relu: 28, Add: 5, LogSoftmax: 1 } }],
  ["quartznet5x5_folded", { params: 6_713_181, macs: 976e6, ops: { Conv: 61, Relu: 28, Add: 5, LogSoftmax: 1 } }],
];

describe("inspect on the shared models", () => {
  for (const [name, want] of MODELS) {
    it(`${name}: ops, parameters, symbolic input and MACs at T=291`, (ctx) => {
      sharedOrSkip(ctx);
      const model = path.join(SHARED, "models", name, "model.onnx");
      const r = neonc("inspect", model, "--json", "--dim", "T=291");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const j = readJson(r.stdout);
      expect(j.imported).toBe(true);
      expect(j.unsupportedOps).toEqual([]);
      expect(j.ops).toMatchObject(want.ops);
      expect(Math.abs(j.parameters.count - want.params)).toBeLessThan(want.params * 0.01);
      expect(j.inputs[0].name).toBe("features");
      expect(j.inputs[0].shape).toContain("T");
      expect(j.dims).toEqual({ T: 291 });
      // The README rounds to 1 M.
      expect(Math.abs(j.macs.totalAtDims - want.macs)).toBeLessThan(Math.max(0.6e6, want.macs * 0.01));
    });
  }
});

describe("run on the shared models", () => {
  it("wav2letter on its model-zoo test set matches the reference output", (ctx) => {
    sharedOrSkip(ctx);
    const folder = path.join(SHARED, "models/wav2letter");
    const out = path.join(dir, "w2l");
    const r = neonc("run", path.join(folder, "model.onnx"), "--input-dir", path.join(folder, "test_data_set_0"), "--output-dir", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const got = readTensor(path.join(out, "output_0.pb"));
    const ref = readTensor(path.join(folder, "test_data_set_0/output_0.pb"));
    expect(got.name).toBe("log_probs");
    expect(got.shape).toEqual(ref.shape);
    expect(maxAbsDiff(got.values, ref.values)).toBeLessThan(1e-3);
  });

  it("asr-digits on a batch of dev utterances matches the ONNX Runtime references", (ctx) => {
    sharedOrSkip(ctx);
    const digits = path.join(SHARED, "asr-digits");
    const batch = path.join(dir, "digits-in");
    mkdirSync(batch, { recursive: true });
    const ids = ["0000", "0001", "0002"];
    for (const id of ids) copyFileSync(path.join(digits, "dev", `${id}.input.pb`), path.join(batch, `${id}.input.pb`));
    const out = path.join(dir, "digits-out");
    const r = neonc("run", path.join(digits, "model.onnx"), "--input-dir", batch, "--output-dir", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(ids.map((id) => `${id}.output.pb`));
    for (const id of ids) {
      const got = readTensor(path.join(out, `${id}.output.pb`));
      const ref = readTensor(path.join(digits, "dev_ref", `${id}.output.pb`));
      expect(got.name).toBe("log_probs");
      expect(got.shape).toEqual(ref.shape);
      expect(maxAbsDiff(got.values, ref.values)).toBeLessThan(1e-3);
    }
  });

  it("the shared assets are where the tests expect them", (ctx) => {
    sharedOrSkip(ctx);
    expect(existsSync(path.join(SHARED, "models/wav2letter/test_data_set_0/input_0.pb"))).toBe(true);
    expect(existsSync(path.join(SHARED, "asr-digits/dev_ref/0000.output.pb"))).toBe(true);
  });
});
