// A model to C in one library call, as `neonc compile` does it: the model pipeline (the preset,
// -O1 by default, the user's passes, int8 quantization when asked, then codegenStages() with the
// target on the pass context; with `winograd`, the winograd pass first, as `neonc compile
// --winograd` adds it), then the C generator. `compileChecked` is the generator with
// neonc's error classes: a model it cannot handle is a ModelError (exit 1), a missing
// --max-dim a UsageError (exit 2).
import type { Graph } from "../ir/graph.js";
import { getTarget, type Target } from "../ir/target.js";
import { ModelError, UsageError } from "../ir/errors.js";
import { runModelPipeline, type ModelPipeline } from "../passes/model-pipeline.js";
import type { RunPipelineOptions } from "../passes/run.js";
import type { QuantizedModel } from "../passes/quantize/flow.js";
import { compileGraph, CodegenError, type CompileOptions, type CompiledModel } from "./emit-model.js";
import { codegenStages } from "./stages.js";

/** compileGraph with neonc's errors (ModelError, UsageError) instead of CodegenError. */
export function compileChecked(graph: Graph, opts: CompileOptions): CompiledModel {
  try {
    return compileGraph(graph, opts);
  } catch (e) {
    if (e instanceof CodegenError && /give their maximum with --max-dim/.test(e.message)) throw new UsageError(e.message);
    if (e instanceof CodegenError) throw new ModelError(e.message);
    throw e;
  }
}

export interface CompileModelOptions extends Partial<Omit<ModelPipeline, "stages">>, Omit<RunPipelineOptions, "target"> {
  /** Target name ("c99", "aarch64", "aarch64+dotprod", "armv7") or a Target. */
  readonly target: string | Target;
  /** Compile-time maximum of every symbolic dim (the arena is sized for it). */
  readonly maxDims?: Readonly<Record<string, number>>;
  /** Prefix of the generated C names (default "model"). */
  readonly prefix?: string;
  /**
   * Winograd convolution, as the CLI's `--winograd`: the pass `winograd{m=...}` runs after the
   * user's passes and int8 quantization, before the code-generation stages. "auto" lets the cost
   * model pick the tile per convolution, 2, 4 or 6 forces it; "off" or absent adds nothing.
   */
  readonly winograd?: "off" | "auto" | 2 | 4 | 6;
}

export interface CompiledModelResult {
  /** The graph that was compiled (after the whole pipeline). */
  readonly graph: Graph;
  readonly model: CompiledModel;
  /** With int8: the quantization flow's result (float graph, calibration, samples for a report). */
  readonly quantized?: QuantizedModel;
}

/** Runs the model pipeline for C on an imported graph (-O1 unless `preset: "O0"`) and compiles it. */
export function compileModel(imported: Graph, opts: CompileModelOptions): CompiledModelResult {
  const { target: t, maxDims, prefix, preset, passes, int8, winograd, ...run } = opts;
  const target = typeof t === "string" ? getTarget(t) : t;
  const stages = [winograd === undefined || winograd === "off" ? "" : `winograd{m=${winograd}}`, codegenStages()].filter((x) => x !== "").join(",");
  const { graph, quantized } = runModelPipeline(imported, { preset: preset ?? "O1", passes, int8, stages }, { ...run, target });
  const model = compileChecked(graph, { target, maxDims, prefix });
  return quantized ? { graph, model, quantized } : { graph, model };
}
