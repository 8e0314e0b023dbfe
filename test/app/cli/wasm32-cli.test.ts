// The wasm32 target from the command line: `neonc compile --target wasm32` writes model.wasm with
// its loader, whose output from Node matches the model's reference output; `neonc check` and
// `neonc run --engine c` run the module under Node; --profile is refused with one sentence.
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rigOrSkip } from "../../codegen/helpers.js";
import { sharedOrSkip } from "../../helpers/shared.js";
import { readTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { ensureBuilt, neonc, oneLineError, readTensor, SHARED, tempDir, relError } from "./helpers.js";

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-wasm32-cli-");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("wasm32 from the command line", () => {
  it("compile writes model.wasm, model.js and model.d.ts; the loader's output matches output_0.pb", async (ctx) => {
    sharedOrSkip(ctx);
    rigOrSkip(ctx, "wasm32", "wasm");
    const model = path.join(SHARED, "models/wav2letter");
    const out = path.join(dir, "w2l");
    const r = neonc("compile", path.join(model, "model.onnx"), "--target", "wasm32", "--max-dim", "T=300", "-o", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("wrote Makefile, main.mjs, model.c, model.d.ts, model.h, model.js, model.wasm, wasm.c, weights.c, weights.h");
    expect(existsSync(path.join(out, "main.c"))).toBe(false);
    const loader = (await import(pathToFileURL(path.join(out, "model.js")).href)) as { load(): Promise<{ run(i: Record<string, Float32Array>): Record<string, { data: Float32Array; shape: number[] }> }> };
    const m = await loader.load();
    const input = readTensorFile(path.join(model, "test_data_set_0/input_0.pb"));
    const got = m.run({ [input.name]: input.tensor.data as Float32Array });
    const want = readTensor(path.join(model, "test_data_set_0/output_0.pb"));
    expect(got[want.name]!.shape).toEqual(want.shape);
    expect(relError(got[want.name]!.data, want.values)).toBeLessThanOrEqual(1e-4);
  });

  it("check runs the module under Node and run --engine c writes the same output files", (ctx) => {
    sharedOrSkip(ctx);
    rigOrSkip(ctx, "wasm32", "wasm");
    const model = path.join(SHARED, "models/wav2letter");
    const c = neonc("check", path.join(model, "model.onnx"), "--target", "wasm32", "--input-dir", path.join(model, "test_data_set_1"), "--runs", "1");
    expect(c.stderr).toBe("");
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^target wasm32 \(wasm: /);
    expect(c.stdout).toContain("ok: within 0.0001");
    const out = path.join(dir, "run");
    const r = neonc("run", path.join(model, "model.onnx"), "--engine", "c", "--target", "wasm32", "--input-dir", path.join(model, "test_data_set_0"), "--output-dir", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(["output_0.pb"]);
    const got = readTensor(path.join(out, "output_0.pb"));
    expect(relError(got.values, readTensor(path.join(model, "test_data_set_0/output_0.pb")).values)).toBeLessThanOrEqual(1e-4);
  });

  it("check --profile on wasm32 is a usage error in one sentence", (ctx) => {
    sharedOrSkip(ctx);
    rigOrSkip(ctx, "wasm32", "wasm");
    const r = neonc("check", path.join(SHARED, "models/wav2letter/model.onnx"), "--target", "wasm32", "--max-dim", "T=20", "--profile");
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toBe("neonc: per-node profiles are not made for wasm32: the module has no clock (profile the same model on another target)");
  });
});
