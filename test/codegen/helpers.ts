// Shared helpers of the codegen tests: which rigs can run here (skipping with the reason, or
// failing under NEONC_REQUIRE_TARGETS=1), one test per rig, compile -> build -> run
// -> compare against the interpreter (within a tolerance, or byte for byte), the no-float check
// of integer-only C and small C drivers. Random test data comes from neonc/testing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { Graph } from "../../ir/graph.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { formatTensor } from "../../ir/text/index.js";
import { buildModel, compareTensors, rigMissing, runBuild, type Build, type BuildOptions } from "../../codegen/build.js";
import { compileGraph, type CompiledModel } from "../../codegen/emit-model.js";
import { rigFor, type Rig, type RunMode } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { skipOrFail, type Skippable } from "../helpers/skip.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const MODELS = path.resolve(ROOT, "../shared/models");

/**
 * Every rig the integer kernels are checked on: c99 natively, aarch64 through SIMDe and under
 * qemu, aarch64+dotprod and armv7 under qemu, and wasm32 as a module under Node.
 */
export const ALL_RIGS: readonly (readonly [string, RunMode])[] = [
  ["c99", "native"], ["aarch64", "simde"], ["aarch64", "qemu"], ["aarch64+dotprod", "qemu"], ["armv7", "qemu"], ["wasm32", "wasm"],
];

/**
 * The rigs a C test driver runs on (runInt32Driver: a main() that reads and writes files): all but
 * wasm32, whose modules have no WASI to do that with. The helpers such drivers test also run on
 * wasm32 inside the kernels that call them (the qint-* suites on ALL_RIGS).
 */
export const DRIVER_RIGS: readonly (readonly [string, RunMode])[] = ALL_RIGS.filter(([, mode]) => mode !== "wasm");

/** The rig for target/mode when its tools can build and run C here (probed once per process), else undefined. */
export function rigHere(target: string, mode: RunMode): Rig | undefined {
  const rig = rigFor(getTarget(target), mode);
  return rigMissing(rig) ? undefined : rig;
}

/**
 * The rig for target/mode for the running test; when its tools are missing the test is skipped
 * with the reason (and a console warning), or fails under NEONC_REQUIRE_TARGETS=1.
 */
export function rigOrSkip(ctx: Skippable, target: string, mode: RunMode): Rig {
  const rig = rigFor(getTarget(target), mode);
  const missing = rigMissing(rig);
  if (!missing) return rig;
  // `missing` is "missing <tools>" or what failed when a test program was built and run with them.
  return skipOrFail(ctx, `codegen tests for ${target} (${mode}) cannot run here: ${missing}`, "NEONC_REQUIRE_TARGETS");
}

/**
 * One test per rig, titled "[title ]target (mode)", that runs `body` when the rig's tools are
 * here (rigOrSkip: skipped with the reason, or failing under NEONC_REQUIRE_TARGETS=1).
 */
export function itOnRigs(rigs: readonly (readonly [string, RunMode])[], body: (target: string, rig: Rig) => void, title?: string): void {
  for (const [target, mode] of rigs) {
    it(`${title ? `${title} ` : ""}${target} (${mode})`, (ctx) => body(target, rigOrSkip(ctx, target, mode)));
  }
}

/** The shared models folder, or a failure naming it (tests that need it never pass silently). */
export function requireModels(): string {
  if (!existsSync(MODELS)) throw new Error(`the shared models are missing: expected them in ${MODELS}`);
  return MODELS;
}

/** A textual IR line defining constant %name as `t`. */
export function constLine(name: string, t: Tensor): string {
  return `  %${name} = const ${formatTensor(t)}`;
}

export interface Checked {
  readonly model: CompiledModel;
  readonly build: Build;
  readonly worst: number;
  readonly medianMs: number;
}

interface RunOptions {
  readonly maxDims?: Record<string, number>;
  readonly build?: BuildOptions;
}

/** Compiles g for the rig's target, builds it, runs each input set and hands the C outputs to `check`. */
function runOnRig(
  g: Graph, target: string, rig: Rig, sets: readonly Record<string, Tensor>[], opts: RunOptions,
  check: (got: Record<string, Tensor>, k: number) => void,
): { model: CompiledModel; build: Build; medianMs: number } {
  const model = compileGraph(g, { target: getTarget(target), maxDims: opts.maxDims });
  const build = buildModel(model, rig, opts.build);
  let medianMs = 0;
  sets.forEach((inputs, k) => {
    const r = runBuild(model, build, inputs, 1);
    medianMs = r.medianMs;
    check(r.outputs, k);
  });
  return { model, build, medianMs };
}

/**
 * Compiles g for the rig's target, builds, runs each input set and compares with the interpreter
 * on `ref` (or with `expected`) within `tol` of the reference's largest magnitude; `label` adds
 * context to the failure message.
 */
export function checkGraph(
  g: Graph, target: string, rig: Rig, sets: readonly Record<string, Tensor>[],
  opts: RunOptions & { ref?: Graph; expected?: readonly Record<string, Tensor>[]; tol?: number; label?: string } = {},
): Checked {
  let worst = 0;
  const where = `${target}/${rig.mode}${opts.label ? ` ${opts.label}` : ""}`;
  const run = runOnRig(g, target, rig, sets, opts, (got, k) => {
    const ref = opts.expected?.[k] ?? runGraph(opts.ref ?? g, sets[k]!);
    for (const o of g.outputs) {
      const c = compareTensors(got[o]!, ref[o]!);
      worst = Math.max(worst, c.rel);
      expect(c.rel, `${where} output ${o} of input set ${k}: max abs error ${c.maxAbs} vs max |ref| ${c.maxRef}`).toBeLessThanOrEqual(opts.tol ?? 1e-4);
    }
  });
  return { ...run, worst };
}

/**
 * How many elements of `got` differ from `want` (Object.is: -0 against 0 and NaN count as they
 * are), and the first difference as `describe(i)` words it.
 */
export function countDiffs(
  got: ArrayLike<unknown>, want: ArrayLike<unknown>,
  describe: (i: number) => string = (i) => `[${i}] C ${String(got[i])} vs interpreter ${String(want[i])}`,
): { bad: number; first: string } {
  let bad = 0, first = "";
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i]) && bad++ === 0) first = describe(i);
  return { bad, first };
}

/**
 * Expects every named output of `got` equal to `ref`'s byte for byte; `where` heads the messages
 * and `at(i)`, when given, tells more of the first difference (say, the input element behind it).
 */
export function expectBitExact(
  got: Record<string, Tensor>, ref: Record<string, Tensor>, outputs: readonly string[], where: string, at?: (i: number) => string,
): void {
  for (const o of outputs) {
    const a = got[o]!.data, b = ref[o]!.data;
    expect(a.length, `${where} output ${o}: length`).toBe(b.length);
    const { bad, first } = countDiffs(a, b, at && ((i) => `[${i}] ${at(i)}: C ${String(a[i])} vs interpreter ${String(b[i])}`));
    expect(bad, `${where} output ${o}: ${bad} of ${b.length} differ, first ${first}`).toBe(0);
  }
}

/**
 * Compiles g for the rig's target, builds, runs each input set and expects every output equal
 * byte for byte to `expected[k]` (or the interpreter's on g); `name` (say, the graph's) goes into
 * the messages after target/mode, `at(k, i)` (optional) into the first difference of set k.
 */
export function checkBitExact(
  g: Graph, target: string, rig: Rig, sets: readonly Record<string, Tensor>[],
  opts: RunOptions & { expected?: readonly Record<string, Tensor>[]; name?: string; at?: (k: number, i: number) => string } = {},
): void {
  const where = `${target}/${rig.mode}${opts.name ? ` ${opts.name}` : ""}`;
  const at = opts.at;
  runOnRig(g, target, rig, sets, opts, (got, k) =>
    expectBitExact(got, opts.expected?.[k] ?? runGraph(g, sets[k]!), g.outputs, `${where} set ${k}`, at && ((i) => at(k, i))));
}

/** Expects no floating point (types, conversions, f32 intrinsics) in g's model.c for each target. */
export function expectNoFloat(g: Graph, targets: readonly string[], maxDims?: Record<string, number>): void {
  for (const t of targets) {
    const src = compileGraph(g, { target: getTarget(t), maxDims }).files["model.c"]!;
    const code = src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/#include <[^>]+>/g, "");
    expect(code.match(/\b(float|double|float32x4_t|f32)\b|vcvt|_f32\(/g), t).toBeNull();
  }
}

/**
 * Builds a C test driver (`name`.c, main(argc, argv) reading argv[1] and writing argv[2]) for the
 * rig, runs it on `input` and returns what it wrote, read as int32 values.
 */
export function runInt32Driver(rig: Rig, name: string, source: string, input: Uint8Array): Int32Array {
  if (rig.mode === "wasm") throw new Error("a C test driver cannot run as a wasm32 module (no WASI to read and write files): use DRIVER_RIGS");
  const dir = mkdtempSync(path.join(os.tmpdir(), `neonc-${name}-`));
  try {
    writeFileSync(path.join(dir, `${name}.c`), source);
    writeFileSync(path.join(dir, "in.bin"), input);
    const cc = spawnSync(rig.cc, [...rig.cflags, "-o", name, `${name}.c`], { cwd: dir, encoding: "utf8" });
    expect(cc.status, `${rig.cc} failed:\n${cc.stderr}`).toBe(0);
    const exe = path.join(dir, name);
    const args = [exe, path.join(dir, "in.bin"), path.join(dir, "out.bin")];
    const r = rig.runPrefix.length > 0 ? spawnSync(rig.runPrefix[0]!, [...rig.runPrefix.slice(1), ...args], { encoding: "utf8" }) : spawnSync(exe, args.slice(1), { encoding: "utf8" });
    expect(r.status, `the driver failed: ${r.stderr}`).toBe(0);
    const bytes = readFileSync(path.join(dir, "out.bin"));
    return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
