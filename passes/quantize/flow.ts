// The int8 flow of `--int8` as one library call: -O1 and the user's float passes, calibration,
// then the quantize pass. It returns what a report needs besides the integer graph: the float
// graph it approximates and a few of the calibration samples to compare the two on.
//
// Calibration happens once: resolveCalibration remembers it for the float graph, so the quantize
// pass that follows (run through the pipeline runner, with --explain, --print-ir-after and
// --timing like any pass) finds it instead of calibrating again.
import type { Graph } from "../../ir/graph.js";
import type { InputSample } from "../../src/analyses/calibration/samples.js";
import { passContext, SILENT_PROGRESS } from "../pass.js";
import { runPipeline, type RunPipelineOptions } from "../run.js";
import { resolveCalibration, type Calibration } from "./calibration-source.js";
import { checkInt16Names, int16Names, quantize, syntheticDims } from "./index.js";
import { unfuseTableActivations } from "../../ir/unfuse-activations.js";

export type QuantizeOptions = Partial<Parameters<typeof quantize.run>[1]["options"]>;

export interface QuantizeModelOptions extends RunPipelineOptions {
  /** Float passes run after -O1 (a pipeline string, e.g. the CLI's --passes). */
  readonly passes?: string;
  /** Options of the quantize pass; `calibration` defaults to "synthetic" (zero-shot, no data). */
  readonly quantize?: QuantizeOptions;
}

export interface QuantizedModel {
  /** The float graph after -O1 and the user's passes: what `graph` approximates. */
  readonly float: Graph;
  /** The integer-only graph. */
  readonly graph: Graph;
  readonly calibration: Calibration;
  /** The first few calibration samples (none for saved ranges), to compare the two graphs on. */
  readonly samples: readonly InputSample[];
}

/** How many calibration samples the result keeps for a report. */
export const REPORT_SAMPLES = 4;

/** Runs -O1, the user's passes, calibration and quantize on an imported (unoptimized) graph. */
export function quantizeModel(imported: Graph, options: QuantizeModelOptions = {}): QuantizedModel {
  const { passes, quantize: given, ...run } = options;
  const floatPipeline = ["-O1", passes].filter((p): p is string => !!p && p.trim() !== "").join(",");
  const float = runPipeline(imported, floatPipeline, run);
  const qctx = passContext(quantize, { calibration: "synthetic", ...given }, { log: () => {} });
  const o = qctx.options;
  const log = run.log ?? ((t: string) => process.stderr.write(t));
  // The pass calibrates (and finds this calibration for) the graph with its table-form fused activations unfused.
  const unfused = unfuseTableActivations(float);
  // Option mistakes are reported before the minutes calibration may take.
  checkInt16Names(unfused, int16Names(o.int16));
  const calibration = resolveCalibration(unfused, o.calibration, { observer: o.observer, samples: o.samples, seed: o.seed, ...syntheticDims(o.synthetic_dims) }, {
    host: run.host ?? {},
    progress: run.host?.progress ?? SILENT_PROGRESS,
    log: (m) => log(`quantize: ${m}\n`),
    pipelineInput: imported,
  });
  const step = { kind: "pass" as const, pass: quantize, options: o, text: "quantize" };
  const graph = runPipeline(float, [step], { ...run, pipelineInput: imported });
  const samples: InputSample[] = [];
  for (const s of calibration.samples) {
    if (samples.length >= REPORT_SAMPLES) break;
    samples.push(s);
  }
  return { float, graph, calibration, samples };
}
