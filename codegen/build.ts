// The test rig: writes generated sources, builds them with a target's compiler (caching builds
// by a hash of the sources and flags, and the weights object separately because it is large
// and the same for every target built by one compiler), runs the harness natively, through
// SIMDe or under qemu-user, and reads the outputs back.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { evalDim, isSymbolic } from "../ir/dim.js";
import { makeTensor, type Tensor } from "../ir/types.js";
import { tensorToF64 } from "../ir/float-formats.js";
import type { CompiledModel } from "./emit-model.js";
import { rigFor, rigTools, type Rig } from "./targets.js";
import { probeRig } from "./toolchain.js";
import { simdeIncludeDir, WASM_LDFLAGS, wasmImports } from "./wasm-toolchain.js";

export class BuildError extends Error {}

/** Writes every generated file into dir (created if missing). */
export function writeSources(m: CompiledModel, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(m.files)) writeFileSync(path.join(dir, name), text);
}

const toolCache = new Map<string, boolean>();

/** True when `cmd --version` runs. */
export function hasTool(cmd: string): boolean {
  let ok = toolCache.get(cmd);
  if (ok === undefined) {
    ok = spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
    toolCache.set(cmd, ok);
  }
  return ok;
}

/**
 * Why a rig cannot run on this machine, or undefined when it can: first the programs and folders
 * it needs ("missing ..."), then a tiny C program built, linked and run with it (probeRig), so a
 * compiler without its C library counts as missing too. Cached per rig within the process.
 */
export function rigMissing(r: Rig): string | undefined {
  const missing = rigTools(r).filter((t) => !hasTool(t));
  if (r.mode === "qemu" && !existsSync(r.runPrefix[2]!)) missing.push(`the sysroot ${r.runPrefix[2]}`);
  if ((r.mode === "simde" || r.mode === "wasm") && !existsSync("/usr/include/simde/arm/neon.h")) missing.push("the SIMDe headers (libsimde-dev)");
  return missing.length > 0 ? `missing ${missing.join(", ")}` : probeRig(r);
}

function sha(...parts: (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 24);
}

function run(cmd: string, args: readonly string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new BuildError(`${cmd} could not be run: ${r.error.message}`);
  if (r.status !== 0) {
    const err = (r.stderr || r.stdout || "").split("\n").slice(0, 30).join("\n");
    throw new BuildError(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${err}`);
  }
}

export interface BuildOptions {
  /** Extra compile and link flags (e.g. sanitizers). */
  readonly extraFlags?: readonly string[];
  /** Where builds are cached (default: os.tmpdir()/neonc-build). */
  readonly cacheRoot?: string;
}

export interface Build {
  readonly dir: string;
  readonly exe: string;
  readonly rig: Rig;
  readonly cached: boolean;
}

/** Builds the harness for a compiled model with a rig, reusing an identical earlier build. */
export function buildModel(m: CompiledModel, rig: Rig, opts: BuildOptions = {}): Build {
  const why = rigMissing(rig);
  if (why) throw new BuildError(`cannot build for ${m.target.name} (${rig.mode}): ${why}`);
  const root = opts.cacheRoot ?? path.join(os.tmpdir(), "neonc-build");
  mkdirSync(root, { recursive: true });
  const flags = [...rig.cflags, ...(opts.extraFlags ?? [])];
  const files = m.files;
  const weightsKey = sha(files["weights.c"]!, files["weights.h"]!, rig.cc, ...rig.cflags.filter((f) => f.startsWith("-m") || f.startsWith("--target")));
  // Every file but the weights (main.c or, for wasm32, main.mjs, wasm.c and the loader).
  const others = Object.keys(files).filter((f) => !f.startsWith("weights.")).sort();
  const key = sha(...others.flatMap((f) => [f, files[f]!]), weightsKey, rig.cc, ...flags);
  const dir = path.join(root, key);
  const wasm = rig.mode === "wasm";
  // A wasm32 build is run by Node through its harness main.mjs, beside model.wasm.
  const exe = path.join(dir, wasm ? "main.mjs" : "model");
  const done = path.join(dir, wasm ? "model.wasm" : "model");
  if (existsSync(done)) return { dir, exe, rig, cached: true };

  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeSources(m, tmp);
  const weightsObj = path.join(root, `weights-${weightsKey}.o`);
  try {
    if (!existsSync(weightsObj)) {
      // Data only: optimisation and sanitizers do not matter, so one object serves every build.
      const wtmp = `${weightsObj}.tmp-${process.pid}`;
      run(rig.cc, [...rig.cflags.filter((f) => !f.startsWith("-O")), "-O0", "-c", "weights.c", "-o", wtmp], tmp);
      renameSync(wtmp, weightsObj);
    }
    copyFileSync(weightsObj, path.join(tmp, "weights.o"));
    if (wasm) {
      linkWasm(rig, flags, tmp);
    } else {
      run(rig.cc, [...flags, "-c", "model.c", "-o", "model.o"], tmp);
      run(rig.cc, [...flags, "-c", "main.c", "-o", "main.o"], tmp);
      run(rig.cc, [...flags, "-o", "model", "main.o", "model.o", "weights.o", "-lm"], tmp);
    }
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process built the same thing first: use theirs.
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, exe, rig, cached: false };
}

/**
 * model.wasm from model.c, wasm.c and weights.o (already in `dir`), with SIMDe alone on the include
 * path; a module that imports anything would need a runtime the loader does not give, so that is
 * an error naming the imports.
 */
function linkWasm(rig: Rig, flags: readonly string[], dir: string): void {
  const inc = ["-I", simdeIncludeDir()];
  run(rig.cc, [...flags, ...inc, "-c", "model.c", "-o", "model.o"], dir);
  run(rig.cc, [...flags, "-c", "wasm.c", "-o", "wasm.o"], dir);
  run(rig.cc, [...flags, ...WASM_LDFLAGS, "-o", "model.wasm", "wasm.o", "model.o", "weights.o", "-lm"], dir);
  const imports = wasmImports(readFileSync(path.join(dir, "model.wasm")));
  if (imports.length > 0) throw new BuildError(`model.wasm imports ${imports.join(", ")}, which its loader does not provide (the module must need no runtime)`);
}

/**
 * For a wasm32 model: builds model.wasm (-O2, cached like every build) and copies it into `dir`
 * beside the sources and the loader; returns its path. A missing toolchain is a BuildError naming it.
 */
export function writeWasmModule(m: CompiledModel, dir: string): string {
  const b = buildModel(m, rigFor(m.target, "wasm"));
  const out = path.join(dir, "model.wasm");
  copyFileSync(path.join(b.dir, "model.wasm"), out);
  return out;
}

/** Values of the symbolic dims, read from the input tensors' shapes. */
export function bindDims(m: CompiledModel, inputs: Readonly<Record<string, Tensor>>): Record<string, number> {
  const env: Record<string, number> = {};
  for (const d of m.inputs) {
    const t = inputs[d.name];
    if (!t) throw new BuildError(`missing input "${d.name}"`);
    d.shape.forEach((s, i) => {
      if (isSymbolic(s) && s.c === 0 && s.terms.length === 1 && s.terms[0]!.coef === 1 && s.terms[0]!.atom.kind === "sym") env[s.terms[0]!.atom.name] = t.shape[i]!;
    });
  }
  for (const s of m.symbols) if (env[s] === undefined) throw new BuildError(`no input determines the symbolic dim ${s}`);
  return env;
}

export interface RunResult {
  readonly outputs: Record<string, Tensor>;
  readonly medianMs: number;
  readonly minMs: number;
}

/** Runs a built harness `runs` times on the given inputs and returns its outputs and timing. */
export function runBuild(m: CompiledModel, b: Build, inputs: Readonly<Record<string, Tensor>>, runs = 1, workDir?: string): RunResult {
  const env = bindDims(m, inputs);
  const dir = workDir ?? path.join(os.tmpdir(), `neonc-run-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  try {
    const inFiles = m.inputs.map((d, k) => {
      const t = inputs[d.name]!;
      if (t.dtype !== d.dtype) throw new BuildError(`input "${d.name}" is ${t.dtype}, the model expects ${d.dtype}`);
      const f = path.join(dir, `input_${k}.bin`);
      const data = t.data as Float32Array;
      writeFileSync(f, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return f;
    });
    const outFiles = m.outputs.map((_, k) => path.join(dir, `output_${k}.bin`));
    const args = [...b.rig.runPrefix.slice(1), b.exe, String(runs), ...m.symbols.map((s) => String(env[s])), ...inFiles, ...outFiles];
    const cmd = b.rig.runPrefix[0] ?? b.exe;
    const r = spawnSync(cmd, b.rig.runPrefix.length > 0 ? args : args.slice(1), { encoding: "utf8", maxBuffer: 16 << 20 });
    if (r.error) throw new BuildError(`cannot run ${cmd}: ${r.error.message}`);
    if (r.status !== 0) throw new BuildError(`the generated code failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(0, 20).join("\n")}`);
    const stat = (k: string) => Number(new RegExp(`^${k} ([0-9.]+)$`, "m").exec(r.stdout)?.[1] ?? NaN);
    const outputs: Record<string, Tensor> = {};
    m.outputs.forEach((d, k) => {
      const shape = d.shape.map((x) => evalDim(x, env));
      const bytes = readFileSync(outFiles[k]!);
      const t = makeTensor(d.dtype, shape);
      const view = t.data as Float32Array;
      new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(bytes);
      outputs[d.name] = t;
    });
    return { outputs, medianMs: stat("median_ms"), minMs: stat("min_ms") };
  } finally {
    if (!workDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Largest absolute difference and the largest reference magnitude, over the real values of any
 * dtype (f16/bf16/float8 decoded from their bits, bool as 0/1); 64-bit integers are subtracted as
 * integers, so a difference of 1 between large values still counts.
 */
export function compareTensors(got: Tensor, ref: Tensor): { maxAbs: number; maxRef: number; rel: number } {
  if (got.data.length !== ref.data.length) throw new BuildError(`output has ${got.data.length} elements, the reference ${ref.data.length}`);
  let maxAbs = 0, maxRef = 0;
  const take = (d: number, r: number) => {
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
    if (r > maxRef) maxRef = r;
  };
  const ga = got.data, ra = ref.data;
  if ((ga instanceof BigInt64Array || ga instanceof BigUint64Array) && (ra instanceof BigInt64Array || ra instanceof BigUint64Array)) {
    const abs = (v: bigint) => (v < 0n ? -v : v);
    for (let i = 0; i < ra.length; i++) take(Number(abs(ga[i]! - ra[i]!)), Number(abs(ra[i]!)));
  } else {
    const a = tensorToF64(got), b = tensorToF64(ref);
    for (let i = 0; i < b.length; i++) take(Math.abs(a[i]! - b[i]!), Math.abs(b[i]!));
  }
  return { maxAbs, maxRef, rel: maxRef > 0 ? maxAbs / maxRef : maxAbs };
}
