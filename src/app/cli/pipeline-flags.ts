// The PIPELINE flags of every command that transforms a model (run, optimize, compile, check):
// --passes, -O, --load, --verify-each, --print-ir-after(-all), --timing, --explain, and the INT8
// presets of ./int8-flags.ts (--int8, --calibration, ...); with them the import's --no-import-qdq
// --bind (./bind-flag.ts) and --input-shape (./input-shape-flag.ts). They become ONE model pipeline
// (passes/model-pipeline.ts) in one order for every command: the preset, the user's --passes,
// calibration and quantize for --int8, then codegenStages() when the graph becomes C.
//
// The preset defaults to -O1 when the command generates C (compile, check, run --engine c) or
// quantizes, and to none otherwise (run and optimize keep the model as imported); -O0 turns it off.
import { existsSync, statSync } from "node:fs";
import { Option, type Command } from "commander";
import type { Graph } from "../../../ir/graph.js";
import type { Target } from "../../../ir/target.js";
import { ModelError, UsageError } from "../../../ir/errors.js";
import { checkModelPipeline, runModelPipeline, type ModelPipeline } from "../../../passes/index.js";
import { codegenStages } from "../../../codegen/stages.js";
import { loadPassModule } from "../../adapters/pass-modules.js";
import { nodeHost } from "../../adapters/node-host.js";
import { terminalProgress } from "./progress.js";
import { addInt8Flags, checkInt8Flags, quantizeOptions, type Int8Flags, type Int8Outcome, type ReportFlags } from "./int8-flags.js";
import { addQdqFlag, type QdqFlags } from "./qdq-detect.js";
import { addBindFlag, type BindFlags } from "./bind-flag.js";
import { setFastEngineEnabled } from "../../runtime/fast/index.js";
import { addInputShapeFlag, type InputShapeFlags } from "./input-shape-flag.js";

export interface PipelineFlags extends Int8Flags, ReportFlags, QdqFlags, BindFlags, InputShapeFlags {
  passes?: string;
  O?: string;
  load?: string[];
  verifyEach?: boolean;
  printIrAfter?: string[];
  printIrAfterAll?: boolean;
  printIrWeights?: boolean;
  timing?: boolean;
  explain?: string[];
  /** --no-fast-engine: false. */
  fastEngine?: boolean;
  /** --winograd auto|off|2|4|6: the winograd pass before the code-generation stages. */
  winograd?: string;
  /** --sparsity S: the prune pass after the user's passes (before --int8). */
  sparsity?: string;
  /** --sparsity-block: its block shape. */
  sparsityBlock?: string;
  /** --sparsity-method magnitude|wanda: how blocks are scored. */
  sparsityMethod?: string;
  /** --winograd-int8 exact|scaled: the integer scheme of the winograd pass. */
  winogradInt8?: string;
  /** --max-dim of compile, check and run --engine c: synthetic calibration inputs are no longer. */
  maxDim?: Record<string, number>;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** Adds the pipeline flags to a command. */
export function addPipelineFlags(cmd: Command): Command {
  cmd
    .option("--passes <pipeline>", 'passes run after the preset, e.g. "canonicalize,fold-batchnorm,fuse-activation" (see neonc passes)')
    .option("-O <level>", "preset run first: -O1 = canonicalize, conv2d-to-1d, fold-batchnorm, fuse-activation to a fixed point; -O0 none (default -O1 for compile, check, run --engine c and --int8; none otherwise)")
    .option("--load <module>", "load user passes from a JavaScript or TypeScript module (repeatable)", collect)
    .option("--verify-each", "run the IR verifier after every pass")
    .option("--print-ir-after <pass>", "print the textual IR after this pass (repeatable; large constants elided)", collect)
    .option("--print-ir-after-all", "print the textual IR after every pass (large constants elided)")
    .option("--print-ir-weights", "with --print-ir-after(-all): print every constant in full (base64), so the text parses back")
    .option("--timing", "print the time spent in each pass")
    .option("--explain <pass>", "print, per node, why a pass did or did not rewrite it (repeatable; 'all' for every pass)", collect)
    .option("--no-fast-engine", "run calibration, the report's SQNR pass and the interpreter's runs on the TypeScript kernels alone (the fast engine gives the same numbers, faster)")
    .addOption(new Option("--winograd <m>", "Winograd convolution F(m, r) for stride-1 1-D convs: auto (the cost model picks m per conv), off (default), or the tile m").choices(["auto", "off", "2", "4", "6"]))
    .option("--sparsity <fraction>", "block sparsity: zero this fraction (0 to 0.99) of each Conv/MatMul/Gemm weight's blocks, those of least magnitude (the prune pass, after --passes and before --int8)")
    .addOption(new Option("--sparsity-method <method>", "with --sparsity: magnitude (default: the blocks of least squared norm) or wanda (least squared norm of the weights times their input channels' norms, measured on --calibration DIR)").choices(["magnitude", "wanda"]))
    .addOption(new Option("--sparsity-block <shape>", "with --sparsity: the block shape, output rows x reduction columns (default 8x1)").choices(["8x1", "4x1", "8x4", "1x1"]))
    .addOption(new Option("--winograd-int8 <scheme>", "with --winograd and --int8: exact (integer-scaled transforms, the int8 direct convolution's output bit for bit; default) or scaled (int8 operands in the Winograd domain with per-tap scales picked on the calibration samples: fewer multiplies, an approximation)").choices(["exact", "scaled"]));
  return addInt8Flags(addInputShapeFlag(addBindFlag(addQdqFlag(cmd))));
}

/** What a prepared pipeline made of a model. */
export interface PipelineOutcome {
  readonly graph: Graph;
  /** With --int8: the float graph, calibration, samples and settings (for a report). */
  readonly int8?: Int8Outcome;
}

export interface PreparedPipeline {
  readonly pipeline: ModelPipeline;
  run(imported: Graph): PipelineOutcome;
}

/** The winograd pass --winograd asks for (after quantization with --int8, before lower), or "". */
/** The prune pass --sparsity asks for, or "" (a usage error for a fraction out of range). */
function pruneStage(flags: PipelineFlags): string {
  const { sparsity, sparsityBlock: block, sparsityMethod: method } = flags;
  if (sparsity === undefined) {
    if (block !== undefined || method !== undefined) throw new UsageError(`${block !== undefined ? "--sparsity-block" : "--sparsity-method"} goes with --sparsity`);
    return "";
  }
  const s = Number(sparsity);
  if (!(s >= 0 && s <= 0.99) || sparsity.trim() === "") throw new UsageError(`--sparsity takes a fraction from 0 to 0.99, not '${sparsity}'`);
  let wanda = "";
  if (method === "wanda") {
    const dir = flags.calibration;
    if (dir === undefined || !existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError("--sparsity-method wanda measures the inputs' norms on calibration data: give --calibration DIR (a folder of input .pb files)");
    }
    // The option value is read up to the next ',' or '}' of the pipeline string.
    if (/[,{}]/.test(dir)) throw new UsageError(`--calibration ${dir}: a folder name with ',', '{' or '}' cannot be passed to the prune pass`);
    wanda = `, method=wanda, calibration=${dir}`;
  }
  return `prune{sparsity=${s}${block ? `, block=${block}` : ""}${wanda}}`;
}

function winogradStage(m: string | undefined, scheme: string | undefined): string {
  return m === undefined || m === "off" ? "" : `winograd{m=${m}${scheme ? `, int8=${scheme}` : ""}}`;
}

/** The preset the flags ask for, given whether the graph becomes C. */
function presetOf(flags: PipelineFlags, generatesC: boolean, int8: boolean): "O0" | "O1" {
  if (flags.O === undefined) return generatesC || int8 ? "O1" : "O0";
  if (flags.O === "0" || flags.O === "1") return `O${flags.O}`;
  throw new UsageError(`unknown optimization level -O${flags.O} (neonc has -O0 and -O1)`);
}

/**
 * Loads --load modules and checks the whole pipeline before the model is read, so a misspelt
 * pass is a usage error (exit 2) whatever the model. `codegen` is the target when the graph
 * becomes C: codegenStages() then close the pipeline, run with that target.
 */
export async function preparePipeline(flags: PipelineFlags, job: { codegen?: Target } = {}): Promise<PreparedPipeline> {
  // --sparsity-method wanda reads --calibration DIR too, with or without --int8.
  const wandaOnly = flags.sparsityMethod === "wanda" && !flags.int8;
  const settings = checkInt8Flags({ ...flags, O: flags.O, calibration: wandaOnly ? undefined : flags.calibration });
  if (flags.winogradInt8 !== undefined && (flags.winograd === undefined || flags.winograd === "off" || !settings)) {
    throw new UsageError("--winograd-int8 goes with --winograd and --int8 (it chooses how quantized convolutions run Winograd)");
  }
  setFastEngineEnabled(flags.fastEngine !== false);
  const pipeline: ModelPipeline = {
    preset: presetOf(flags, job.codegen !== undefined, settings !== undefined),
    passes: [flags.passes ?? "", pruneStage(flags)].filter((x) => x.trim() !== "").join(",") || undefined,
    int8: settings ? quantizeOptions(settings, flags.maxDim) : undefined,
    stages: [winogradStage(flags.winograd, flags.winogradInt8), job.codegen ? codegenStages() : ""].filter((x) => x !== "").join(",") || undefined,
  };
  for (const file of flags.load ?? []) await loadPassModule(file);
  const diagnostics = {
    verifyEach: flags.verifyEach,
    printIrAfter: flags.printIrAfter,
    printIrAfterAll: flags.printIrAfterAll,
    printIrWeights: flags.printIrWeights,
    timing: flags.timing,
    explain: flags.explain,
  };
  if (flags.printIrWeights && !flags.printIrAfter && !flags.printIrAfterAll) throw new UsageError("--print-ir-weights goes with --print-ir-after or --print-ir-after-all");
  checkModelPipeline(pipeline, diagnostics);
  return {
    pipeline,
    run(imported) {
      try {
        const r = runModelPipeline(imported, pipeline, { ...diagnostics, host: nodeHost({ progress: terminalProgress() }), target: job.codegen });
        return r.quantized && settings ? { graph: r.graph, int8: { ...r.quantized, settings } } : { graph: r.graph };
      } catch (e) {
        if (settings?.calibration.kind === "synthetic" && settings.calibration.implicit && e instanceof ModelError && /synthetic|calibrat/i.test(e.message)) {
          throw new ModelError(`--int8 without --calibration calibrates on synthetic inputs: ${e.message}`);
        }
        throw e;
      }
    },
  };
}
