// The generated-C engine behind `neonc run --engine c`, the benchmark and the demo: compiles a
// graph once for a target, builds it once (cached by codegen/build.ts under os.tmpdir(), keyed
// by a hash of the generated sources and flags), then runs many input sets through the harness,
// several sets per process so a batch does not pay one process start per utterance.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { evalDim } from "../ir/dim.js";
import type { Graph } from "../ir/graph.js";
import { makeTensor, type Tensor } from "../ir/types.js";
import { buildModel, BuildError, rigMissing, type Build } from "./build.js";
import type { CompiledModel } from "./emit-model.js";
import { compileChecked } from "./compile-model.js";
import { parseProfile, PROFILE_FLAG, profiledModel, type NodeTime } from "./profile.js";
import { rigFor, runModes, type Rig, type RunMode } from "./targets.js";
import { getTarget, type Target } from "../ir/target.js";
import { ModelError, NeoncError, UsageError } from "../ir/errors.js";
import { bindSymbols } from "../src/runtime/interpreter.js";

/** Input sets per harness process: bounded so command lines stay far below the OS limit. */
const SETS_PER_PROCESS = 64;

/** True when the NEON code builds and runs here through SIMDe (libsimde-dev and a working gcc: rigMissing probes it). */
export function haveSimde(): boolean {
  return rigMissing(rigFor(getTarget("aarch64"), "simde")) === undefined;
}

/** The host's own target: the NEON code through SIMDe when it is installed, else portable C99. */
export function hostTarget(): { target: Target; mode: RunMode } {
  return haveSimde() ? { target: getTarget("aarch64"), mode: "simde" } : { target: getTarget("c99"), mode: "native" };
}

/** How a named target runs here, as `neonc check` picks it: qemu when installed, else SIMDe; c99 natively. */
export function modeFor(t: Target): RunMode {
  const modes = runModes(t);
  return modes.find((m) => !rigMissing(rigFor(t, m))) ?? modes[0]!;
}

/** Largest value of each symbol bound by the inputs (e.g. T), over every input set. */
export function largestDims(g: Graph, sets: readonly Readonly<Record<string, Tensor>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const inputs of sets) for (const [s, v] of Object.entries(bindSymbols(g, inputs))) out[s] = Math.max(out[s] ?? 0, v);
  return out;
}

export interface CEngineOptions {
  /** Target name; default: the host's (hostTarget). */
  readonly target?: string;
  /** How to run; default: native for c99, simde for the host default, else as modeFor picks. */
  readonly mode?: RunMode;
  /** Compile-time maxima of the symbolic dims. */
  readonly maxDims?: Readonly<Record<string, number>>;
  /** Optimisation flag for the rig (default -O2). */
  readonly opt?: string;
  /** More compile flags (e.g. -march=native). */
  readonly extraFlags?: readonly string[];
  /** Build the per-node profiling variant (codegen/profile.ts). */
  readonly profile?: boolean;
  readonly prefix?: string;
  /** C compiler for native and SIMDe runs (default gcc; the demo falls back to cc). */
  readonly cc?: string;
}

export interface CRun {
  readonly outputs: Record<string, Tensor>;
  readonly medianMs: number;
  readonly minMs: number;
}

export interface CBatch {
  readonly runs: CRun[];
  /** Per-node times when the engine was built with `profile` (mean per run in the last harness process). */
  readonly profile?: NodeTime[];
}

/** A compiled and built model, ready to run input sets. */
export class CEngine {
  private constructor(
    readonly graph: Graph,
    readonly model: CompiledModel,
    readonly build: Build,
    readonly rig: Rig,
    private readonly profile: boolean,
  ) {}

  /**
   * Compiles and builds. Usage problems (a rig that makes no sense for the target, a missing
   * --max-dim) are UsageErrors; a model the generator cannot handle, or a missing compiler, are
   * errors with exit 1.
   */
  static create(graph: Graph, opts: CEngineOptions = {}): CEngine {
    const host = hostTarget();
    const target = opts.target === undefined ? host.target : getTarget(opts.target);
    const mode = opts.mode ?? (opts.target === undefined ? host.mode : modeFor(target));
    let rig: Rig;
    try {
      rig = rigFor(target, mode, opts.opt ?? "-O2");
      if (opts.cc !== undefined && rig.mode !== "qemu") rig = { ...rig, cc: opts.cc };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const missing = rigMissing(rig);
    if (missing) throw new NeoncError(`cannot run ${target.name} code (${mode}) on this machine: ${missing}`);
    const model = compileChecked(graph, { target, maxDims: opts.maxDims, prefix: opts.prefix });
    return CEngine.fromCompiled(graph, model, rig, opts);
  }

  /** Builds an already compiled model of `graph` with a rig (e.g. `neonc check` reusing its compile). */
  static fromCompiled(graph: Graph, model: CompiledModel, rig: Rig, opts: Pick<CEngineOptions, "extraFlags" | "profile"> = {}): CEngine {
    // The per-node timing reads clock_gettime, which a module without WASI does not have.
    if (opts.profile && rig.mode === "wasm") throw new UsageError(`per-node profiles are not made for ${model.target.name}: the module has no clock (profile the same model on another target)`);
    const toBuild = opts.profile ? profiledModel(model, graph.nodes.length) : model;
    const flags = [...(opts.extraFlags ?? []), ...(opts.profile ? [PROFILE_FLAG] : [])];
    let build: Build;
    try {
      build = buildModel(toBuild, rig, { extraFlags: flags });
    } catch (e) {
      if (e instanceof BuildError) throw new NeoncError(e.message);
      throw e;
    }
    return new CEngine(graph, toBuild, build, rig, opts.profile === true);
  }

  /** Symbol values of one input set, checked against the model's shapes and the compiled maxima. */
  private dimsOf(inputs: Readonly<Record<string, Tensor>>, label: string): Record<string, number> {
    let env: Record<string, number>;
    try {
      env = bindSymbols(this.graph, inputs);
    } catch (e) {
      throw new ModelError(`${label}: ${(e as Error).message}`);
    }
    for (const s of this.model.symbols) {
      const v = env[s];
      if (v === undefined) throw new ModelError(`${label}: no input determines the symbolic dim ${s}, which the generated C takes at run time`);
      if (v > this.model.maxDims[s]!) throw new ModelError(`${label}: ${s} = ${v} is above the compiled maximum ${this.model.maxDims[s]} (raise it with --max-dim ${s}=${v})`);
    }
    return env;
  }

  /**
   * Runs every input set `runs` times (timing each) and returns the outputs of each. Labels
   * name the sets in error messages. `onChunk` is called with the number of sets finished.
   */
  run(sets: readonly Readonly<Record<string, Tensor>>[], opts: { runs?: number; labels?: readonly string[]; onChunk?: (done: number) => void } = {}): CBatch {
    const runs = Math.max(1, Math.floor(opts.runs ?? 1));
    const label = (i: number) => opts.labels?.[i] ?? `input set ${i}`;
    const envs = sets.map((s, i) => this.dimsOf(s, label(i)));
    const results: CRun[] = [];
    let stdoutAll = "";
    const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-c-run-"));
    try {
      for (let start = 0; start < sets.length; start += SETS_PER_PROCESS) {
        const end = Math.min(sets.length, start + SETS_PER_PROCESS);
        const args: string[] = [String(runs)];
        const outFiles: string[][] = [];
        for (let i = start; i < end; i++) {
          args.push(...this.model.symbols.map((s) => String(envs[i]![s])));
          this.model.inputs.forEach((d, k) => {
            const t = sets[i]![d.name]!;
            const f = path.join(dir, `in_${i}_${k}.bin`);
            writeFileSync(f, bytesOf(t));
            args.push(f);
          });
          const outs = this.model.outputs.map((_, k) => path.join(dir, `out_${i}_${k}.bin`));
          outFiles.push(outs);
          args.push(...outs);
        }
        const stdout = this.exec(args, label(start) + (end - start > 1 ? ` .. ${label(end - 1)}` : ""));
        stdoutAll += stdout;
        const medians = [...stdout.matchAll(/^median_ms ([0-9.]+)$/gm)].map((m) => Number(m[1]));
        const mins = [...stdout.matchAll(/^min_ms ([0-9.]+)$/gm)].map((m) => Number(m[1]));
        for (let i = start; i < end; i++) {
          const outputs: Record<string, Tensor> = {};
          this.model.outputs.forEach((d, k) => {
            const t = makeTensor(d.dtype, d.shape.map((x) => evalDim(x, envs[i]!)));
            const file = outFiles[i - start]![k]!;
            const bytes = readFileSync(file);
            const view = bytesOf(t);
            if (bytes.length !== view.length) throw new ModelError(`${label(i)}: the generated code wrote ${bytes.length} bytes for ${d.name}, expected ${view.length}`);
            view.set(bytes);
            outputs[d.name] = t;
            rmSync(file, { force: true });
          });
          results.push({ outputs, medianMs: medians[i - start] ?? NaN, minMs: mins[i - start] ?? NaN });
        }
        opts.onChunk?.(end);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { runs: results, profile: this.profile ? parseProfile(stdoutAll, this.graph) : undefined };
  }

  private exec(args: readonly string[], what: string): string {
    const prefix = this.rig.runPrefix;
    const cmd = prefix[0] ?? this.build.exe;
    const argv = prefix.length > 0 ? [...prefix.slice(1), this.build.exe, ...args] : [...args];
    const r = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) throw new NeoncError(`cannot run ${cmd}: ${r.error.message}`);
    if (r.status !== 0) {
      const why = (r.stderr || r.stdout || "").trim().split("\n").slice(0, 3).join("; ");
      throw new ModelError(`${what}: the generated code failed (exit ${r.status ?? r.signal}): ${why}`);
    }
    return r.stdout;
  }
}

/** The bytes of a numeric tensor (the harness reads and writes raw little-endian data). */
function bytesOf(t: Tensor): Uint8Array {
  const d = t.data;
  if (Array.isArray(d)) throw new ModelError(`a ${t.dtype} tensor cannot be passed to the generated C`);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}
