// Every model in ../shared/models and ../shared/asr-digits compiles to C and runs through it with
// no flags but --target and --max-dim: `neonc check` (-O1 by default, and with -O0, where no
// BatchNorm is folded) on c99, one model on aarch64 under qemu, and `neonc run --engine c`
// without -O1. The models and their symbolic dims are found, not listed: a model added to
// ../shared is checked the same way (its symbols come from `neonc inspect --json`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rigOrSkip } from "../../codegen/helpers.js";
import { sharedPath } from "../../helpers/shared.js";
import { ensureBuilt, MAIN, readJson, ROOT, SHARED, tempDir, type CliResult } from "./helpers.js";

/** Runs the built CLI with a timeout fit for building a big model's C. */
function neoncSlow(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every model.onnx directly under ../shared/models/NAME and ../shared/asr-digits. */
function sharedModels(): string[] {
  const dir = path.join(SHARED, "models");
  const found = readdirSync(dir).map((m) => path.join(dir, m, "model.onnx")).filter(existsSync);
  const digits = path.join(SHARED, "asr-digits", "model.onnx");
  return existsSync(digits) ? [...found, digits] : found;
}

/** --max-dim NAME=N for every symbolic dim of the model's inputs (N frames of audio). */
function maxDimArgs(model: string, frames = 48): string[] {
  const r = neoncSlow("inspect", model, "--json");
  expect(r.code, r.stderr).toBe(0);
  const symbols = new Set<string>();
  for (const input of readJson(r.stdout).inputs as { shape: (number | string)[] }[]) {
    for (const d of input.shape) if (typeof d === "string") for (const s of d.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (!["floor", "ceil", "min", "max"].includes(s)) symbols.add(s);
  }
  return [...symbols].flatMap((s) => ["--max-dim", `${s}=${frames}`]);
}

// Skipped with a message without ../shared (a failure under NEONC_REQUIRE_SHARED=1).
const shared = sharedPath("") !== undefined;

describe.runIf(shared)("every shared model through the generated C, with only --target and --max-dim", () => {
  const models = shared ? sharedModels() : [];
  beforeAll(() => ensureBuilt());

  it("finds the models", () => {
    expect(models.length).toBeGreaterThanOrEqual(6);
  });

  for (const model of models) {
    const name = path.relative(SHARED, model);
    it(`neonc check ${name} --target c99 (default -O1, then -O0)`, (ctx) => {
      rigOrSkip(ctx, "c99", "native");
      const dims = maxDimArgs(model);
      for (const extra of [[], ["-O0"]]) {
        const r = neoncSlow("check", model, "--target", "c99", ...dims, ...extra);
        expect(r.stderr, `${name} ${extra.join(" ")}`).toBe("");
        expect(r.code, `${name} ${extra.join(" ")}: ${r.stdout}`).toBe(0);
        expect(r.stdout).toMatch(/^ok: within 0.0001/m);
      }
    }, 600_000);
  }

  it("neonc check asr-digits --target aarch64 under qemu", (ctx) => {
    rigOrSkip(ctx, "aarch64", "qemu");
    const model = path.join(SHARED, "asr-digits", "model.onnx");
    const r = neoncSlow("check", model, "--target", "aarch64", ...maxDimArgs(model));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^target aarch64 \(qemu: /m);
    expect(r.stdout).toMatch(/^ok: /m);
  }, 600_000);

  it("neonc run --engine c on a model with BatchNorms, without -O1 (-O0)", (ctx) => {
    rigOrSkip(ctx, "c99", "native");
    const model = path.join(SHARED, "models", "quartznet5x5", "model.onnx");
    const out = tempDir();
    const r = neoncSlow("run", model, "--engine", "c", "--target", "c99", "-O0", "--input-dir", path.join(SHARED, "models", "quartznet5x5", "test_data_set_0"), "--output-dir", out);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(out, "output_0.pb"))).toBe(true);
  }, 600_000);
});
