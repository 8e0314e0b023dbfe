// The one way from "what the user asked for" to the passes that run on a model, shared by every
// CLI command (run, optimize, compile, check) and the library: the preset (-O1, or none), then
// the user's passes, then for int8 calibration and quantize (passes/quantize/flow.ts), then the
// stages that must close a pipeline whose graph becomes C (codegen/stages.ts), run with the
// code-generation target on the pass context.
//
// `checkModelPipeline` reports every mistake (an unknown pass, option or diagnostics name, -O0
// with int8) as a UsageError before a model is read; `runModelPipeline` then runs it.
import type { Graph } from "../ir/graph.js";
import { UsageError } from "../ir/errors.js";
import { parsePipeline } from "./pipeline.js";
import { quantizeModel, type QuantizeOptions, type QuantizedModel } from "./quantize/flow.js";
import { checkDiagnosticNames, runPipeline, type RunPipelineOptions } from "./run.js";

export interface ModelPipeline {
  /** The preset run first: "O1" (canonicalize, conv2d-to-1d, fold-batchnorm, fuse-activation) or "O0" (none). */
  readonly preset: "O0" | "O1";
  /** The user's pipeline text, run after the preset. */
  readonly passes?: string;
  /** Quantize to integer-only int8 after the float passes (options of the quantize pass; calibration defaults to synthetic). */
  readonly int8?: QuantizeOptions;
  /** Appended last, e.g. codegenStages() for a graph that becomes C; run with `target` set. */
  readonly stages?: string;
}

/** What a model pipeline made. */
export interface ModelPipelineResult {
  /** The graph to run, export or compile. */
  readonly graph: Graph;
  /** With int8: the flow's float graph, result, calibration and samples (for a report). */
  readonly quantized?: QuantizedModel;
}

/** The pipeline as one line of text, in the order it runs (for messages and docs). */
export function modelPipelineText(p: ModelPipeline): string {
  const parts = [p.preset === "O1" ? "-O1" : "", p.passes ?? "", p.int8 ? "calibrate,quantize" : "", p.stages ?? ""];
  return parts.filter((s) => s.trim() !== "").join(",");
}

/**
 * Checks a pipeline and the names given to the diagnostics (--print-ir-after, --explain) before
 * any model is read: every problem is a UsageError naming the nearest correct name.
 */
export function checkModelPipeline(p: ModelPipeline, diagnostics: Pick<RunPipelineOptions, "printIrAfter" | "explain"> = {}): void {
  if (p.int8 && p.preset === "O0") throw new UsageError("int8 quantization runs -O1 before quantizing; it cannot go with -O0");
  parsePipeline(p.passes ?? "");
  parsePipeline(p.stages ?? "");
  checkDiagnosticNames(diagnostics);
}

/** Runs the pipeline on an imported graph (diagnostics, host and target from `opts`). */
export function runModelPipeline(imported: Graph, p: ModelPipeline, opts: RunPipelineOptions = {}): ModelPipelineResult {
  checkModelPipeline(p, opts);
  let graph: Graph;
  let quantized: QuantizedModel | undefined;
  const float = [p.preset === "O1" ? "-O1" : "", p.passes ?? ""].filter((s) => s.trim() !== "").join(",");
  if (p.int8) {
    quantized = quantizeModel(imported, { ...opts, passes: p.passes, quantize: p.int8 });
    graph = quantized.graph;
    // The stages may measure on the samples calibration ran on (winograd int8=scaled).
    const host = { ...opts.host, calibrationSamples: quantized.calibration.samples };
    if (p.stages?.trim()) graph = runPipeline(graph, p.stages, { ...opts, host, pipelineInput: imported });
  } else {
    const all = [float, p.stages ?? ""].filter((s) => s.trim() !== "").join(",");
    const diagnostics = opts.verifyEach || opts.printIrAfter?.length || opts.printIrAfterAll || opts.timing || opts.explain?.length;
    graph = all || diagnostics ? runPipeline(imported, all, opts) : imported;
  }
  return quantized ? { graph, quantized } : { graph };
}
