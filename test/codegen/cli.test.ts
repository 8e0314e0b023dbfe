// `neonc compile` and `neonc check` as a user runs them: files written, sizes reported, usage
// errors (exit 2) and the comparison with the interpreter.
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, neonc, tempDir } from "../app/cli/helpers.js";
import { requireModels, rigOrSkip } from "./helpers.js";

let dir: string;
let models: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-codegen-cli-");
  models = requireModels();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("neonc compile", () => {
  it("writes the sources and reports arena, lower bound and weights", () => {
    const out = path.join(dir, "w2l");
    const r = neonc("compile", path.join(models, "wav2letter/model.onnx"), "-O1", "--target", "armv7", "-o", out, "--max-dim", "T=400", "--prefix", "w2l");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["Makefile", "main.c", "model.c", "model.h", "weights.c", "weights.h"]);
    expect(r.stdout).toMatch(/arena \d+ bytes, lower bound \d+ bytes .*; weights 1374592 bytes/);
  });

  it("asks for --max-dim when the model has a symbolic dim (exit 2)", () => {
    const r = neonc("compile", path.join(models, "wav2letter/model.onnx"), "--target", "c99", "-o", path.join(dir, "x"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-dim T=N/);
    expect(existsSync(path.join(dir, "x"))).toBe(false);
  });

  it("rejects an unknown target (exit 2)", () => {
    const r = neonc("compile", path.join(models, "wav2letter/model.onnx"), "--target", "x86", "-o", path.join(dir, "y"), "--max-dim", "T=10");
    expect(r.code).toBe(2);
  });
});

describe("neonc check", () => {
  it("builds, runs both test data sets and compares with the interpreter", (ctx) => {
    rigOrSkip(ctx, "c99", "native");
    const r = neonc("check", path.join(models, "convdfsmn/model.onnx"), "-O1", "--target", "c99", "--input-dir", path.join(models, "convdfsmn"), "--runs", "1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test_data_set_0: log_probs max abs error .* ms per run/);
    expect(r.stdout).toMatch(/test_data_set_1: /);
    expect(r.stdout).toMatch(/^ok: within 0.0001/m);
  });
});
