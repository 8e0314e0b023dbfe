// `neonc check MODEL [PIPELINE] --target T [--input-dir DIR]`: compiles, builds with the
// target's compiler, runs (natively, through SIMDe, or under qemu-user), compares with the
// interpreter on the imported model, and prints the error, the arena and the time per run.
// Exits 1 when an output differs by more than --tolerance times its largest magnitude.
import { readdirSync } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { dimSymbols, evalDim, isSymbolic } from "../../../../ir/dim.js";
import type { Graph } from "../../../../ir/graph.js";
import { makeTensor, type Tensor } from "../../../../ir/types.js";
import { buildModel, BuildError, compareTensors, rigMissing, runBuild } from "../../../../codegen/build.js";
import { rigFor, runModes, type RunMode } from "../../../../codegen/targets.js";
import { getTarget } from "../../../../ir/target.js";
import { ModelError, NeoncError, UsageError } from "../../../../ir/errors.js";
import { readTensorFile } from "../../../adapters/onnx/tensor.js";
import { runGraph } from "../../../runtime/interpreter.js";
import { formatProfile } from "../../../../codegen/profile.js";
import { CEngine } from "../../../../codegen/engine.js";
import { bindInputs } from "../../../adapters/onnx/run-plan.js";
import { addCodegenOptions, compileForFlags, formatSizes, loadAndOptimize, type CodegenFlags } from "./compile.js";

interface CheckFlags extends CodegenFlags {
  inputDir?: string;
  run?: RunMode;
  runs: string;
  tolerance: string;
  profile?: boolean;
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command("check")
    .summary("compile, build, run the generated C and compare it with the interpreter")
    .description(
      "Compile for a target, build with its compiler, run (c99 natively; NEON targets under qemu-user, or through SIMDe " +
        "on this machine), and compare every output with the interpreter on the imported model. --input-dir takes a " +
        "model-zoo folder (input_K.pb) or a folder of them (test_data_set_N); without it, seeded random inputs at --max-dim.",
    );
  addCodegenOptions(cmd)
    .option("--input-dir <dir>", "input_K.pb files, or a model folder with test_data_set_N subfolders")
    .addOption(new Option("--run <mode>", "how to run: native (c99), simde or qemu (NEON targets)").choices(["native", "simde", "qemu"]))
    .option("--runs <n>", "runs to time per input", "3")
    .option("--tolerance <x>", "largest allowed max|c - ref| / max|ref|", "1e-4")
    .option("--profile", "also build a per-node timed variant and print the time of every node (op, name, ms, share) on the first input")
    .action(async (model: string, flags: CheckFlags) => {
      const runs = Number(flags.runs), tol = Number(flags.tolerance);
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${flags.runs}: expected a whole number of at least 1`);
      if (!(tol >= 0)) throw new UsageError(`--tolerance ${flags.tolerance}: expected a non-negative number`);
      const target = getTarget(flags.target);
      const { original, graph, int8 } = await loadAndOptimize(model, flags);
      const sets = flags.inputDir ? inputSets(flags.inputDir, graph) : [{ label: "random", inputs: randomInputs(graph, flags.maxDim) }];
      const maxDims = { ...maxDimsOf(sets.map((s) => s.inputs), graph), ...flags.maxDim };
      const m = compileForFlags(graph, flags, maxDims);
      const mode = flags.run ?? pickMode(target.name);
      let rig;
      try {
        rig = rigFor(target, mode);
      } catch (e) {
        throw new UsageError(`--run ${mode}: ${(e as Error).message}`);
      }
      const missing = rigMissing(rig);
      if (missing) throw new NeoncError(`cannot run ${target.name} code with --run ${mode}: ${missing}`);
      let build;
      try {
        build = buildModel(m, rig);
      } catch (e) {
        if (e instanceof BuildError) throw new NeoncError(e.message);
        throw e;
      }
      const out = process.stdout;
      out.write(`target ${target.name} (${mode}: ${[...rig.runPrefix, rig.cc].join(" ")}${build.cached ? ", cached build" : ""})\n${formatSizes(m)}\n`);
      let worst = 0;
      for (const set of sets) {
        let r;
        try {
          r = runBuild(m, build, set.inputs, runs);
        } catch (e) {
          if (e instanceof BuildError) throw new ModelError(`${set.label}: ${e.message}`);
          throw e;
        }
        // An int8 model is checked bit for bit against its own interpreter run, not against the float one.
        const ref = runGraph(int8 ? graph : original, set.inputs);
        for (const o of graph.outputs) {
          const c = compareTensors(r.outputs[o]!, ref[o]!);
          worst = Math.max(worst, c.rel);
          out.write(`${set.label}: ${o} max abs error ${c.maxAbs.toExponential(2)} (${c.rel.toExponential(2)} of max |ref| ${c.maxRef.toPrecision(4)}); ${r.medianMs.toFixed(3)} ms per run (median of ${runs})\n`);
        }
      }
      if (flags.profile) {
        const p = CEngine.fromCompiled(graph, m, rig, { profile: true }).run([sets[0]!.inputs], { runs, labels: [sets[0]!.label] });
        out.write(`profile of ${sets[0]!.label} (mean of ${runs} runs):\n${formatProfile(p.profile!)}\n`);
      }
      if (!(worst <= tol)) throw new ModelError(`the generated C differs from the interpreter: relative error ${worst.toExponential(2)} is above the tolerance ${tol}`);
      out.write(`ok: within ${tol} of the largest output magnitude\n`);
    });
}

/** The default way to run a target here: qemu when its toolchain is installed, else SIMDe. */
function pickMode(name: string): RunMode {
  const t = getTarget(name);
  const modes = runModes(t);
  return modes.find((m) => !rigMissing(rigFor(t, m))) ?? modes[0]!;
}

interface InputSet {
  readonly label: string;
  readonly inputs: Record<string, Tensor>;
}

/** input_K.pb files in dir, or in each test_data_set_N subfolder of dir. */
function inputSets(dir: string, g: Graph): InputSet[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (e) {
    throw new ModelError(`${dir}: cannot read the input folder (${(e as Error).message})`);
  }
  const files = (d: string, list: string[]) => list.filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => Number(a.slice(6, -3)) - Number(b.slice(6, -3))).map((f) => path.join(d, f));
  const own = files(dir, entries);
  if (own.length > 0) return [{ label: dir, inputs: bindInputs(g.inputs, own.map((file) => ({ file, ...readTensorFile(file) }))) }];
  const sets = entries.filter((e) => /^test_data_set_\d+$/.test(e));
  if (sets.length === 0) throw new UsageError(`${dir} holds no input_K.pb files and no test_data_set_N folders`);
  return sets.map((s) => {
    const d = path.join(dir, s);
    const list = files(d, readdirSync(d));
    return { label: s, inputs: bindInputs(g.inputs, list.map((file) => ({ file, ...readTensorFile(file) }))) };
  });
}

/** Each symbol's largest value over the input sets. */
function maxDimsOf(sets: readonly Record<string, Tensor>[], g: Graph): Record<string, number> {
  const out: Record<string, number> = {};
  for (const inputs of sets) {
    for (const name of g.inputs) {
      g.types[name]!.shape.forEach((d, i) => {
        if (isSymbolic(d) && d.terms.length === 1 && d.c === 0 && d.terms[0]!.coef === 1 && d.terms[0]!.atom.kind === "sym") {
          const s = d.terms[0]!.atom.name;
          out[s] = Math.max(out[s] ?? 0, inputs[name]!.shape[i]!);
        }
      });
    }
  }
  return out;
}

/** Seeded uniform [-1, 1) inputs with every symbol at its --max-dim. */
function randomInputs(g: Graph, maxDims: Record<string, number> | undefined): Record<string, Tensor> {
  const env: Record<string, number> = {};
  for (const name of g.inputs) {
    for (const d of g.types[name]!.shape) {
      for (const s of dimSymbols(d)) {
        if (maxDims?.[s] === undefined) throw new UsageError(`without --input-dir, give the length of the random inputs with --max-dim ${s}=N`);
        env[s] = maxDims[s]!;
      }
    }
  }
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) / (1 << 24);
  };
  const out: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const t = g.types[name]!;
    if (t.dtype !== "f32") throw new UsageError(`input ${name} is ${t.dtype}; random inputs are only made for float32, give --input-dir`);
    const x = makeTensor("f32", t.shape.map((d) => evalDim(d, env)));
    const data = x.data as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    out[name] = x;
  }
  return out;
}
