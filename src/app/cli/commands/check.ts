// `neonc check MODEL [PIPELINE] --target T [--input-dir DIR]`: compiles, builds with the
// target's compiler, runs (natively, through SIMDe, or under qemu-user), compares with the
// interpreter on the imported model, and prints the error, the arena and the time per run.
// Exits 1 when an output differs by more than --tolerance times its largest magnitude.
//
// A thin shell over the library: the model pipeline (../pipeline-flags.ts), readInputDir
// (src/adapters/onnx/run-plan.ts), CEngine (codegen/engine.ts) and checkAgainstInterpreter
// (codegen/check.ts).
import path from "node:path";
import { Option, type Command } from "commander";
import { ModelError, UsageError } from "../../../../ir/errors.js";
import { CEngine, largestDims } from "../../../../codegen/engine.js";
import { checkAgainstInterpreter, randomInputs, type InputSet } from "../../../../codegen/check.js";
import type { Graph } from "../../../../ir/graph.js";
import { formatProfile } from "../../../../codegen/profile.js";
import type { RunMode } from "../../../../codegen/targets.js";
import { boundInputsOf } from "../../../adapters/onnx/bound-inputs.js";
import { readCalibrationDir } from "../../../adapters/onnx/data-dir.js";
import { readInputDir, testSetsBeside } from "../../../adapters/onnx/run-plan.js";
import { addCodegenOptions, formatSizes, loadForC, type CodegenFlags } from "./compile.js";

interface CheckFlags extends CodegenFlags {
  inputDir?: string;
  run?: RunMode;
  runs: string;
  tolerance: string;
  profile?: boolean;
}

/**
 * The inputs of a check given no --input-dir: one set of seeded random inputs, or, when those
 * cannot be made (a symbolic dim without --max-dim) and the model sits in a model-zoo folder,
 * its test_data_set_N folders, with a line saying so.
 */
function defaultInputs(model: string, graph: Graph, maxDim: Readonly<Record<string, number>>): { sets: InputSet[]; note?: string } {
  try {
    return { sets: [{ label: "random", inputs: randomInputs(graph, maxDim) }] };
  } catch (e) {
    const dir = e instanceof UsageError ? testSetsBeside(model) : undefined;
    if (!dir) throw e;
    // The sets that fit this specialization of the model (a bound input's value, static dims).
    const fitting = readCalibrationDir(dir, graph);
    const inputs = [...fitting];
    const sets = fitting.sources.map((source, k) => ({ label: path.basename(source), inputs: inputs[k]! }));
    const skipped = fitting.skipped !== undefined ? `; ${fitting.skipped}` : "";
    return { sets, note: `inputs: the ${sets.length} test_data_set_N folder${sets.length === 1 ? "" : "s"} in ${dir} (${(e as UsageError).message})${skipped}` };
  }
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command("check")
    .summary("compile, build, run the generated C and compare it with the interpreter")
    .description(
      "Compile for a target (the pipeline is -O1 unless -O0 is given), build with its compiler, run (c99 natively; NEON " +
        "targets under qemu-user, or through SIMDe on this machine), and compare every output with the interpreter on the " +
        "imported model. --input-dir takes the folders `neonc run` takes (input_K.pb, NAME.input.pb, or test_data_set_N " +
        "folders); without it, seeded random inputs at --max-dim, or, when those cannot be made (a symbolic dim without " +
        "--max-dim), the test_data_set_N folders beside the model.",
    );
  addCodegenOptions(cmd)
    .option("--input-dir <dir>", "input_K.pb files, NAME.input.pb files, or a model folder with test_data_set_N subfolders")
    .addOption(new Option("--run <mode>", "how to run: native (c99), simde or qemu (NEON targets; default qemu when installed, else simde)").choices(["native", "simde", "qemu"]))
    .option("--runs <n>", "runs to time per input", "3")
    .option("--tolerance <x>", "largest allowed max|c - ref| / max|ref|", "1e-4")
    .option("--profile", "also build a per-node timed variant and print the time of every node (op, name, ms, share) on the first input")
    .action(async (model: string, flags: CheckFlags) => {
      const runs = Number(flags.runs), tol = Number(flags.tolerance);
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${flags.runs}: expected a whole number of at least 1`);
      if (!(tol >= 0)) throw new UsageError(`--tolerance ${flags.tolerance}: expected a non-negative number`);
      const { original, graph, int8, target } = await loadForC(model, flags);
      const { sets, note } = flags.inputDir ? { sets: readInputDir(flags.inputDir, graph.inputs, boundInputsOf(original)), note: undefined } : defaultInputs(model, graph, flags.maxDim ?? {});
      const maxDims = { ...largestDims(graph, sets.map((s) => s.inputs)), ...flags.maxDim };
      const engine = CEngine.create(graph, { target: target.name, mode: flags.run, maxDims, prefix: flags.prefix });
      const out = process.stdout;
      out.write(`target ${target.name} (${engine.rig.mode}: ${[...engine.rig.runPrefix, engine.rig.cc].join(" ")}${engine.build.cached ? ", cached build" : ""})\n${formatSizes(engine.model)}\n`);
      if (note) out.write(`${note}\n`);
      // An int8 model is checked bit for bit against its own interpreter run, not against the float one.
      const report = checkAgainstInterpreter(engine, int8 ? graph : original, sets, { runs });
      for (const c of report.comparisons) {
        out.write(`${c.set}: ${c.output} max abs error ${c.maxAbs.toExponential(2)} (${c.rel.toExponential(2)} of max |ref| ${c.maxRef.toPrecision(4)}); ${c.medianMs.toFixed(3)} ms per run (median of ${runs})\n`);
      }
      if (flags.profile) {
        const profiled = CEngine.create(graph, { target: target.name, mode: flags.run, maxDims, prefix: flags.prefix, profile: true });
        const p = profiled.run([sets[0]!.inputs], { runs, labels: [sets[0]!.label] });
        out.write(`profile of ${sets[0]!.label} (mean of ${runs} runs):\n${formatProfile(p.profile!)}\n`);
      }
      if (!(report.worst <= tol)) throw new ModelError(`the generated C differs from the interpreter: relative error ${report.worst.toExponential(2)} is above the tolerance ${tol}`);
      out.write(`ok: within ${tol} of the largest output magnitude\n`);
    });
}
