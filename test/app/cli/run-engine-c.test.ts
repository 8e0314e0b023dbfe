// `neonc run --engine c`: the same file contract as the interpreter, through the generated C
// (compiled and built once, a batch in one harness process), and its usage errors.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostTarget } from "../../../codegen/engine.js";
import { rigOrSkip } from "../../codegen/helpers.js";
import { sharedOrSkip } from "../../helpers/shared.js";
import { ensureBuilt, neonc, oneLineError, readTensor, SHARED, tempDir, relError } from "./helpers.js";

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-run-c-");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("neonc run --engine c", () => {
  it("wav2letter test_data_set_0 on c99 matches output_0.pb", (ctx) => {
    sharedOrSkip(ctx);
    rigOrSkip(ctx, "c99", "native");
    const model = path.join(SHARED, "models/wav2letter");
    const out = path.join(dir, "w2l");
    const r = neonc("run", path.join(model, "model.onnx"), "--input-dir", path.join(model, "test_data_set_0"), "--output-dir", out, "--engine", "c", "--target", "c99");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(["output_0.pb"]);
    const got = readTensor(path.join(out, "output_0.pb"));
    const want = readTensor(path.join(model, "test_data_set_0/output_0.pb"));
    expect(got.shape).toEqual(want.shape);
    expect(got.name).toBe(want.name);
    expect(relError(got.values, want.values)).toBeLessThanOrEqual(1e-4);
  });

  it("a batch of 3 asr-digits dev utterances (default host target, -O1) agrees with the interpreter", (ctx) => {
    sharedOrSkip(ctx);
    const host = hostTarget();
    rigOrSkip(ctx, host.target.name, host.mode);
    const dev = path.join(SHARED, "asr-digits/dev");
    const names = readdirSync(dev).filter((f) => f.endsWith(".input.pb")).sort().slice(0, 3);
    expect(names).toHaveLength(3);
    const inDir = path.join(dir, "dev3");
    mkdirSync(inDir, { recursive: true });
    for (const f of names) copyFileSync(path.join(dev, f), path.join(inDir, f));
    const model = path.join(SHARED, "asr-digits/model.onnx");
    const cOut = path.join(dir, "dev3-c"), iOut = path.join(dir, "dev3-interp");
    const c = neonc("run", model, "-O1", "--input-dir", inDir, "--output-dir", cOut, "--engine", "c");
    expect(c.stderr).toBe("");
    expect(c.code).toBe(0);
    const i = neonc("run", model, "--input-dir", inDir, "--output-dir", iOut);
    expect(i.code).toBe(0);
    const outs = names.map((f) => f.replace(".input.pb", ".output.pb"));
    expect(readdirSync(cOut).sort()).toEqual(outs);
    // Utterances have different lengths: each runs at its own T under one --max-dim.
    const lengths = new Set<number>();
    for (const f of outs) {
      const got = readTensor(path.join(cOut, f)), want = readTensor(path.join(iOut, f));
      expect(got.shape).toEqual(want.shape);
      lengths.add(got.shape[2]!);
      expect(relError(got.values, want.values), f).toBeLessThanOrEqual(1e-4);
    }
    expect(lengths.size).toBeGreaterThan(1);
  });

  it("an input longer than --max-dim is a bad input (exit 1)", (ctx) => {
    sharedOrSkip(ctx);
    rigOrSkip(ctx, "c99", "native");
    const model = path.join(SHARED, "models/wav2letter");
    const r = neonc("run", path.join(model, "model.onnx"), "--input-dir", path.join(model, "test_data_set_0"), "--output-dir", path.join(dir, "w2l-short"), "--engine", "c", "--target", "c99", "--max-dim", "T=10");
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/above the compiled maximum 10 \(raise it with --max-dim T=\d+\)/);
  });
});

describe("usage errors (exit 2)", () => {
  it("a bad target", () => {
    const r = neonc("run", "m.onnx", "--input", "x.pb", "--output-dir", path.join(dir, "o"), "--engine", "c", "--target", "pdp11");
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/pdp11/);
  });

  it("--target or --max-dim without --engine c", () => {
    const a = neonc("run", "m.onnx", "--input", "x.pb", "--output-dir", path.join(dir, "o"), "--target", "c99");
    expect(a.code).toBe(2);
    expect(oneLineError(a)).toMatch(/add --engine c/);
    const b = neonc("run", "m.onnx", "--input", "x.pb", "--output-dir", path.join(dir, "o"), "--max-dim", "T=5");
    expect(b.code).toBe(2);
    expect(oneLineError(b)).toMatch(/add --engine c/);
  });
});
