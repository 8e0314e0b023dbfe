// Shared helpers of the CLI tests: run the compiled `neonc` as a user would, and write small
// ONNX models and TensorProto files to a temporary folder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { fromNumbers, toNumbers, type Tensor } from "../../../ir/types.js";
import { encodeTensorFile, readTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { buildModel, type ModelSpec } from "../../helpers/onnx-builder.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** The package's `neonc` executable (package.json "bin": the bundled CLI, scripts/bundle-cli.mjs). */
export const MAIN = path.join(ROOT, "dist/neonc.mjs");
export const SHARED = path.resolve(ROOT, "../shared");

/** Builds the project when the CLI has not been built yet (npm test builds it first). */
export function ensureBuilt(): void {
  if (existsSync(MAIN)) return;
  // Type errors elsewhere in the tree do not stop tsc from emitting, so the status is ignored.
  spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "ignore" });
  spawnSync("node", ["scripts/bundle-cli.mjs"], { cwd: ROOT, stdio: "ignore" });
  if (!existsSync(MAIN)) throw new Error(`building the CLI did not produce ${MAIN}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `neonc ARGS` with stdin, stdout and stderr as pipes (so not a TTY). */
export function neonc(...args: string[]): CliResult {
  return neoncEnv({}, ...args);
}

/** neonc with more environment variables (NEONC_FAST_ENGINE, CC, TMPDIR...). */
export function neoncEnv(env: Readonly<Record<string, string>>, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the same command line inside the test process (no spawn: fast enough for long tables of
 * usage errors); stdout and stderr are captured while it runs.
 */
export async function neoncInProcess(...args: string[]): Promise<CliResult> {
  const { runCli } = await import("../../../src/app/cli/program.js");
  let stdout = "", stderr = "";
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export function tempDir(prefix = "neonc-cli-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export type { ModelSpec } from "../../helpers/onnx-builder.js";

/** Writes an ONNX model file (built by test/helpers/onnx-builder.ts) and returns its path. */
export function writeModel(file: string, spec: ModelSpec): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, buildModel(spec));
  return file;
}

export function f32(shape: number[], values: number[]): Tensor {
  return fromNumbers("f32", shape, values);
}

/** Writes a TensorProto file and returns its path. */
export function writeTensor(file: string, t: Tensor, name: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, encodeTensorFile(t, name));
  return file;
}

export function readTensor(file: string): { name: string; shape: readonly number[]; dtype: string; values: number[] } {
  const { name, tensor } = readTensorFile(file);
  return { name, shape: tensor.shape, dtype: tensor.dtype, values: toNumbers(tensor) };
}

export function readJson(text: string): Record<string, any> {
  return JSON.parse(text) as Record<string, any>;
}

/** Checks the error contract: one line on stderr, prefixed "neonc: ", no stack trace. */
export function oneLineError(r: CliResult): string {
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}:\n${r.stderr}`);
  if (!lines[0]!.startsWith("neonc: ")) throw new Error(`stderr does not start with "neonc: ": ${lines[0]}`);
  return lines[0]!;
}

/** Largest |a - b| over the largest |b| (the lengths must agree). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}
