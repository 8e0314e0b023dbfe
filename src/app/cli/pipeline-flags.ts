// The PIPELINE flags shared by every command that transforms a model (run, optimize, compile,
// check): --passes, -O, --load, --verify-each, --print-ir-after(-all), --timing, --explain, and the
// INT8 presets of ./int8-flags.ts (--int8, --calibration, ...).
import type { Command } from "commander";
import type { Graph } from "../../../ir/graph.js";
import { parsePipeline, runPipelineFromOptions } from "../../../passes/index.js";
import { loadPassModule } from "../../adapters/pass-modules.js";
import { nodeHost } from "../../adapters/node-host.js";
import { terminalProgress } from "./progress.js";
import { UsageError } from "../../../ir/errors.js";
import { addInt8Flags, checkInt8Flags, runInt8, type Int8Flags, type Int8Outcome, type ReportFlags } from "./int8-flags.js";
import { addQdqFlag, type QdqFlags } from "./qdq-detect.js";

export interface PipelineFlags extends Int8Flags, QdqFlags {
  passes?: string;
  O?: string;
  load?: string[];
  verifyEach?: boolean;
  printIrAfter?: string[];
  printIrAfterAll?: boolean;
  timing?: boolean;
  explain?: string[];
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** Adds the pipeline flags to a command. */
export function addPipelineFlags(cmd: Command): Command {
  cmd
    .option("--passes <pipeline>", 'optimization pipeline, e.g. "canonicalize,fold-batchnorm,fuse-activation" (see neonc passes)')
    .option("-O <level>", "preset pipeline: -O1 = canonicalize, fold-batchnorm, fuse-activation, conv2d-to-1d to a fixed point")
    .option("--load <module>", "load user passes from a JavaScript module (repeatable)", collect)
    .option("--verify-each", "run the IR verifier after every pass")
    .option("--print-ir-after <pass>", "print the textual IR after this pass (repeatable)", collect)
    .option("--print-ir-after-all", "print the textual IR after every pass")
    .option("--timing", "print the time spent in each pass")
    .option("--explain <pass>", "print, per node, why a pass did or did not rewrite it (repeatable; 'all' for every pass)", collect);
  return addInt8Flags(addQdqFlag(cmd));
}

/** The pipeline string the flags ask for ("" when none). */
export function pipelineOf(flags: PipelineFlags): string {
  const parts: string[] = [];
  if (flags.O !== undefined) {
    if (flags.O === "0") {
      // -O0: no preset
    } else if (flags.O === "1") parts.push("-O1");
    else throw new UsageError(`unknown optimization level -O${flags.O} (neonc has -O0 and -O1)`);
  }
  if (flags.passes) parts.push(flags.passes);
  return parts.join(",");
}

/** A checked pipeline, ready to run on the model once it is loaded. */
export type PreparedPipeline = (graph: Graph) => Promise<Graph>;

/**
 * Loads --load modules and parses the pipeline before the model is read, so a misspelt pass is
 * reported as a usage error (exit 2) whatever the model.
 */
export async function preparePipeline(flags: PipelineFlags): Promise<PreparedPipeline> {
  const int8 = await prepareInt8Pipeline(flags);
  if (int8) return async (graph) => (await int8(graph)).graph;
  const passes = pipelineOf(flags);
  for (const file of flags.load ?? []) await loadPassModule(file);
  parsePipeline(passes);
  const diagnostics = flags.verifyEach || flags.printIrAfter || flags.printIrAfterAll || flags.timing || flags.explain;
  if (!passes && !diagnostics) return async (graph) => graph;
  return (graph) =>
    runPipelineFromOptions(graph, {
      passes,
      host: nodeHost({ progress: terminalProgress() }),
      verifyEach: flags.verifyEach,
      printIrAfter: flags.printIrAfter,
      printIrAfterAll: flags.printIrAfterAll,
      timing: flags.timing,
      explain: flags.explain,
    });
}

/**
 * With --int8: the checked int8 flow (-O1, the --passes, calibration, quantize), which also gives
 * the float graph and inputs for a report; undefined without --int8.
 */
export async function prepareInt8Pipeline(flags: PipelineFlags & ReportFlags): Promise<((graph: Graph) => Promise<Int8Outcome>) | undefined> {
  const settings = checkInt8Flags(flags);
  if (!settings) return undefined;
  pipelineOf(flags); // rejects an unknown -O level
  const passes = flags.passes ?? "";
  for (const file of flags.load ?? []) await loadPassModule(file);
  parsePipeline(passes);
  return (graph) =>
    Promise.resolve(runInt8(graph, settings, {
      passes,
      host: nodeHost({ progress: terminalProgress() }),
      verifyEach: flags.verifyEach,
      printIrAfter: flags.printIrAfter,
      printIrAfterAll: flags.printIrAfterAll,
      timing: flags.timing,
      explain: flags.explain,
    }));
}
