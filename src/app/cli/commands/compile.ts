// `neonc compile MODEL [--passes P | -O1] --target T -o DIR [--max-dim T=N] [--prefix NAME]`:
// writes model.h, model.c, weights.h, weights.c, main.c and a Makefile for a target, and
// reports the arena size beside its lower bound and the weight bytes.
import path from "node:path";
import { Option, type Command } from "commander";
import type { Graph } from "../../../../ir/graph.js";
import { compileGraph, CodegenError, type CompiledModel } from "../../../../codegen/emit-model.js";
import { writeSources } from "../../../../codegen/build.js";
import { getTarget, TARGET_NAMES } from "../../../../ir/target.js";
import { runPipelineFromOptions } from "../../../../passes/index.js";
import { nodeHost } from "../../../adapters/node-host.js";
import { terminalProgress } from "../progress.js";
import { ModelError, UsageError } from "../../../../ir/errors.js";
import { reportSummaryLine, writeReports } from "../../report/index.js";
import { addInt8Flags, addReportFlags, checkInt8Flags, runInt8, type Int8Flags, type Int8Outcome, type ReportFlags } from "../int8-flags.js";
import { reportSettings } from "../int8-flags.js";
import { loadModel } from "../load-model.js";
import { addQdqFlag, type QdqFlags } from "../qdq-detect.js";
import { parseDimAssignment } from "../option-parsers.js";

export interface CodegenFlags extends Int8Flags, ReportFlags, QdqFlags {
  target: string;
  passes?: string;
  O?: string;
  maxDim?: Record<string, number>;
  prefix?: string;
}

/** The options compile and check share. */
export function addCodegenOptions(cmd: Command): Command {
  cmd
    .argument("<model>", "ONNX model file")
    .addOption(new Option("--target <target>", "C target").choices([...TARGET_NAMES]).makeOptionMandatory())
    .option("--passes <pipeline>", 'optimization passes to run first, e.g. "canonicalize,fold-batchnorm"')
    .option("-O <level>", "optimization preset: -O1 (canonicalize, fold-batchnorm, fuse-activation, conv2d-to-1d); -O0 none")
    .option("--max-dim <name=value>", "largest value of a symbolic dim; the arena is sized for it (repeatable)", parseDimAssignment)
    .option("--prefix <name>", "prefix of the generated C names (default model)");
  return addInt8Flags(addQdqFlag(cmd));
}

/** Loads the model and runs the pipeline the flags ask for. */
export async function loadAndOptimize(model: string, flags: CodegenFlags): Promise<{ original: Graph; graph: Graph; int8?: Int8Outcome }> {
  if (flags.O !== undefined && flags.O !== "0" && flags.O !== "1") throw new UsageError(`-O${flags.O}: the optimization levels are -O0 and -O1`);
  if (flags.prefix !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.prefix)) throw new UsageError(`--prefix ${flags.prefix}: not a C identifier`);
  const int8 = checkInt8Flags(flags);
  const original = loadModel(model, flags);
  if (int8) {
    const outcome = runInt8(original, int8, { passes: flags.passes, host: nodeHost({ progress: terminalProgress() }) });
    return { original, graph: outcome.graph, int8: outcome };
  }
  const passes = [flags.passes, flags.O === "1" ? "-O1" : undefined].filter((p): p is string => !!p && p.trim() !== "").join(",");
  const graph = passes ? await runPipelineFromOptions(original, { passes, host: nodeHost({ progress: terminalProgress() }) }) : original;
  return { original, graph };
}

/** Compiles a graph, turning codegen errors into model errors (exit 1). */
export function compileForFlags(graph: Graph, flags: CodegenFlags, maxDims: Record<string, number> | undefined): CompiledModel {
  try {
    return compileGraph(graph, { target: getTarget(flags.target), maxDims, prefix: flags.prefix });
  } catch (e) {
    if (e instanceof CodegenError && /give their maximum with --max-dim/.test(e.message)) throw new UsageError(e.message);
    if (e instanceof CodegenError) throw new ModelError(e.message);
    throw e;
  }
}

export function formatSizes(m: CompiledModel): string {
  const pct = m.lowerBound > 0 ? ` (${((m.arenaBytes / m.lowerBound) * 100).toFixed(1)}% of it)` : "";
  return `arena ${m.arenaBytes} bytes, lower bound ${m.lowerBound} bytes${pct}; weights ${m.weightBytes} bytes`;
}

export function registerCompile(program: Command): void {
  const cmd = program
    .command("compile")
    .summary("generate C for a target (model.h, model.c, weights, test harness, Makefile)")
    .description(
      "Generate C for a target: model.h (API: arena size, run), model.c, weights.h/weights.c (const arrays), main.c (a test " +
        "harness reading raw inputs) and a Makefile. Symbolic dims such as T stay runtime arguments up to --max-dim.",
    );
  addReportFlags(addCodegenOptions(cmd))
    .requiredOption("-o, --output <dir>", "folder for the generated files (created if missing)")
    .action(async (model: string, flags: CodegenFlags & { output: string }) => {
      const { graph, int8 } = await loadAndOptimize(model, flags);
      const m = compileForFlags(graph, flags, flags.maxDim);
      const report = int8 ? writeReports(model, int8, reportSettings(int8.settings), { html: flags.report, json: flags.reportJson }) : undefined;
      writeSources(m, flags.output);
      const dims = m.symbols.map((s) => `${s}<=${m.maxDims[s]}`).join(", ");
      process.stdout.write(
        `wrote ${Object.keys(m.files).sort().join(", ")} to ${path.resolve(flags.output)} for ${m.target.name}${dims ? ` (${dims})` : ""}\n` +
          `${formatSizes(m)}\n` +
          (report ? `${reportSummaryLine(report, { html: flags.report, json: flags.reportJson })}\n` : ""),
      );
    });
}
