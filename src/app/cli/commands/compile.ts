// `neonc compile MODEL [PIPELINE] --target T -o DIR [--max-dim T=N] [--prefix NAME]`: writes
// model.h, model.c, weights.h, weights.c, main.c and a Makefile for a target, and reports the
// arena size beside its lower bound and the weight bytes. A thin shell over the library: the
// model pipeline of ../pipeline-flags.ts (-O1 by default, codegenStages() last), compileChecked
// and writeSources (codegen/).
import path from "node:path";
import { Option, type Command } from "commander";
import type { CompiledModel } from "../../../../codegen/emit-model.js";
import { compileChecked } from "../../../../codegen/compile-model.js";
import { BuildError, writeSources, writeWasmModule } from "../../../../codegen/build.js";
import { getTarget, TARGET_NAMES, type Target } from "../../../../ir/target.js";
import type { Graph } from "../../../../ir/graph.js";
import { NeoncError, UsageError } from "../../../../ir/errors.js";
import { reportSummaryLine, writeReports } from "../../../adapters/report/index.js";
import { addReportFlags, reportSettings } from "../int8-flags.js";
import { loadModel } from "../../../adapters/onnx/load-model.js";
import { checkMaxDimNames } from "../max-dim.js";
import { parseMaxDim } from "../option-parsers.js";
import { addPipelineFlags, preparePipeline, type PipelineFlags, type PipelineOutcome } from "../pipeline-flags.js";

export interface CodegenFlags extends PipelineFlags {
  target: string;
  maxDim?: Record<string, number>;
  prefix?: string;
}

/** The options compile and check share: the model, --target, --max-dim, --prefix and the PIPELINE flags. */
export function addCodegenOptions(cmd: Command): Command {
  cmd
    .argument("<model>", "ONNX model file")
    .addOption(new Option("--target <target>", "C target").choices([...TARGET_NAMES]).makeOptionMandatory())
    .option("--max-dim <name=value>", "largest value of a symbolic dim; the arena is sized for it (repeatable)", parseMaxDim)
    .option("--prefix <name>", "prefix of the generated C names (default model)");
  return addPipelineFlags(cmd);
}

/** Loads the model and runs the pipeline the flags ask for, ending with the codegen stages for the target. */
export async function loadForC(model: string, flags: CodegenFlags): Promise<PipelineOutcome & { original: Graph; target: Target }> {
  if (flags.prefix !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.prefix)) throw new UsageError(`--prefix ${flags.prefix}: not a C identifier`);
  const target = getTarget(flags.target);
  const pipeline = await preparePipeline(flags, { codegen: target });
  const original = loadModel(model, { ...flags, inputShapes: flags.inputShape });
  checkMaxDimNames(flags.maxDim, original);
  return { ...pipeline.run(original), original, target };
}

export function formatSizes(m: CompiledModel): string {
  const pct = m.lowerBound > 0 ? ` (${((m.arenaBytes / m.lowerBound) * 100).toFixed(1)}% of it)` : "";
  return `arena ${m.arenaBytes} bytes, lower bound ${m.lowerBound} bytes${pct}; weights ${m.weightBytes} bytes`;
}

export function registerCompile(program: Command): void {
  const cmd = program
    .command("compile")
    .summary("generate C for a target (model.h, model.c, weights, test harness, Makefile; wasm32: model.wasm and its loader)")
    .description(
      "Generate C for a target: model.h (API: arena size, run), model.c, weights.h/weights.c (const arrays), main.c (a test " +
        "harness reading raw inputs) and a Makefile; for wasm32 also model.wasm (built with clang-14), its ES module loader " +
        "model.js with model.d.ts, and main.mjs (the harness under Node) in place of main.c. The pipeline is -O1 unless -O0 is given. Symbolic dims such as T stay " +
        "runtime arguments up to --max-dim.",
    );
  addReportFlags(addCodegenOptions(cmd))
    .requiredOption("-o, --output <dir>", "folder for the generated files (created if missing)")
    .action(async (model: string, flags: CodegenFlags & { output: string }) => {
      const { graph, int8, target } = await loadForC(model, flags);
      const m = compileChecked(graph, { target, maxDims: flags.maxDim, prefix: flags.prefix });
      const report = int8 ? writeReports(model, int8, reportSettings(int8.settings), { html: flags.report, json: flags.reportJson }) : undefined;
      writeSources(m, flags.output);
      // wasm32 ships a built module: model.wasm beside its loader model.js.
      if (target.wasm) {
        try {
          writeWasmModule(m, flags.output);
        } catch (e) {
          if (e instanceof BuildError) throw new NeoncError(e.message);
          throw e;
        }
      }
      const files = [...Object.keys(m.files), ...(target.wasm ? ["model.wasm"] : [])];
      const dims = m.symbols.map((s) => `${s}<=${m.maxDims[s]}`).join(", ");
      process.stdout.write(
        `wrote ${files.sort().join(", ")} to ${path.resolve(flags.output)} for ${m.target.name}${dims ? ` (${dims})` : ""}\n` +
          `${formatSizes(m)}\n` +
          (report ? `${reportSummaryLine(report, { html: flags.report, json: flags.reportJson })}\n` : ""),
      );
    });
}
