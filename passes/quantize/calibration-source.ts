// Where the quantize pass gets its activation ranges (option `calibration`):
// - "" (default): ranges attached to the graph with `attachCalibration` (library use); without
//   them the pass leaves the graph in float and logs how to calibrate (so pipelines that list
//   every pass, like the pass property tests, run it harmlessly);
// - "synthetic": zero-shot calibration: inputs synthesised from the BatchNorm statistics of the
//   pipeline's input graph (its BatchNorms are still there, even after -O1 folded them away from
//   the graph being quantized), then calibrated like data;
// - a source registered with registerCalibrationSource, called with the graph;
// - anything else is asked of the host (passes read no files): the CLI and the library's
//   nodeHost() read a folder of input .pb files or a .json of saved ranges.
//
// A calibration is remembered per graph object and request, so the int8 flow
// (./flow.ts) can calibrate once, keep the samples for its report, and run the pass on the same
// graph without calibrating again. Graphs are immutable, so the identity is a sound key.
import type { Graph } from "../../ir/graph.js";
import { ModelError, UsageError } from "../../ir/errors.js";
import { calibrate, calibrationFromJson, calibrationToJson, type CalibrationResult } from "../../src/analyses/calibration/calibrate.js";
import { observerByName, type ObserverName } from "../../src/analyses/calibration/observers.js";
import type { InputSample, SampleSet } from "../../src/analyses/calibration/samples.js";
import { DEFAULT_STEPS, runSyntheticCalibration } from "../../src/analyses/calibration/synthetic/index.js";
import type { PassContext } from "../pass.js";

const META_KEY = "neonc.calibration";

/** Samples a synthetic calibration makes, and the most read from a folder, unless told otherwise. */
export const DEFAULT_SYNTHETIC_SAMPLES = 8;
export const DEFAULT_DIR_SAMPLES = 100;

export interface CalibrationRequest {
  readonly observer: ObserverName;
  /** Samples to make (synthetic) or the most to read (a folder); 0 takes the source's default. */
  readonly samples: number;
  /** Seed of a generated source (synthetic). */
  readonly seed: number;
  /** Values of the inputs' symbolic dims for generated inputs (synthetic); absent: the source's default. */
  readonly dims?: Readonly<Record<string, number>>;
}

/** Ranges, the samples they were measured on, and one line saying how they were made. */
export interface Calibration {
  readonly result: CalibrationResult;
  /** Empty for saved or attached ranges. The 16x8 choice, LSTM cell ranges and the report run on them. */
  readonly samples: SampleSet;
  readonly summary: string;
}

/** What a calibration may use of a pass context (a pass's own, or one made by the int8 flow). */
export type CalibrationContext = Pick<PassContext, "host" | "progress" | "log" | "pipelineInput">;

export interface SourceOptions extends CalibrationRequest {
  log(message: string): void;
}

export type CalibrationSource = (graph: Graph, options: SourceOptions) => CalibrationResult;

const sources = new Map<string, CalibrationSource>();

/** Makes `quantize{calibration=NAME}` call `source`. "synthetic" is built in. */
export function registerCalibrationSource(name: string, source: CalibrationSource): void {
  if (name === "synthetic" || name === "") throw new UsageError(`calibration source name '${name}' is reserved`);
  sources.set(name, source);
}

/** The graph with calibration ranges attached, for a later `quantize` with no `calibration` option. */
export function attachCalibration(graph: Graph, result: CalibrationResult): Graph {
  return { ...graph, meta: { ...(graph.meta ?? {}), [META_KEY]: calibrationToJson(result) } };
}

export function attachedCalibration(graph: Graph): CalibrationResult | undefined {
  const text = graph.meta?.[META_KEY];
  return text ? calibrationFromJson(text) : undefined;
}

export const NO_CALIBRATION_MESSAGE = "no activation ranges, so the graph stays in float: give calibration=synthetic (zero-shot), a folder of input .pb files, a .json of saved ranges, a registered source, or attach ranges with attachCalibration";

const NO_SAMPLES: SampleSet = { length: 0, [Symbol.iterator]: () => [][Symbol.iterator]() };

const remembered = new WeakMap<Graph, Map<string, Calibration>>();

/**
 * The calibration `spec` names for `graph`. Throws a UsageError when `spec` is "" and the graph
 * carries no ranges, or when neither neonc nor the host knows what `spec` names.
 */
export function resolveCalibration(graph: Graph, spec: string, request: CalibrationRequest, ctx: CalibrationContext): Calibration {
  const key = JSON.stringify([spec, request.observer, request.samples, request.seed, request.dims ?? {}]);
  const known = remembered.get(graph)?.get(key);
  if (known) return known;
  const made = makeCalibration(graph, spec, request, ctx);
  if (!remembered.has(graph)) remembered.set(graph, new Map());
  remembered.get(graph)!.set(key, made);
  return made;
}

function makeCalibration(graph: Graph, spec: string, request: CalibrationRequest, ctx: CalibrationContext): Calibration {
  if (spec === "") {
    const attached = attachedCalibration(graph);
    if (!attached) throw new UsageError(`quantize has ${NO_CALIBRATION_MESSAGE}`);
    return { result: attached, samples: NO_SAMPLES, summary: `ranges attached to the graph (${attached.samples} samples, observer ${attached.observer})` };
  }
  if (spec === "synthetic") return synthetic(graph, request, ctx);
  const registered = sources.get(spec);
  if (registered) {
    const result = registered(graph, { ...request, log: ctx.log });
    return { result, samples: NO_SAMPLES, summary: `ranges from the source '${spec}' (${result.samples} samples, observer ${result.observer})` };
  }
  const limit = request.samples > 0 ? request.samples : DEFAULT_DIR_SAMPLES;
  const data = ctx.host.calibrationData?.(spec, graph, limit);
  if (!data) {
    const known = ["synthetic", ...sources.keys()].join(", ");
    const reads = ctx.host.calibrationData ? "a folder of input .pb files or a .json of ranges that exists" : "a folder or file, which this host cannot read (give the pass a host that reads files, such as nodeHost())";
    throw new UsageError(`calibration '${spec}' is neither one of ${known} nor ${reads}`);
  }
  if (data.kind === "ranges") {
    return { result: data.result, samples: NO_SAMPLES, summary: `ranges read from ${data.source} (${data.result.samples} samples, observer ${data.result.observer})` };
  }
  const result = calibrateWithProgress(graph, data.samples, request.observer, ctx);
  const skipped = data.skipped !== undefined ? `; ${data.skipped}` : "";
  return { result, samples: data.samples, summary: `data calibration on ${result.samples} samples from ${data.source} (observer ${request.observer})${skipped}` };
}

function calibrateWithProgress(graph: Graph, samples: SampleSet, observer: ObserverName, ctx: CalibrationContext): CalibrationResult {
  const task = ctx.progress("calibrating", samples.length);
  let result: CalibrationResult | undefined;
  try {
    result = calibrate(graph, samples, { observer: observerByName(observer), onProgress: (done) => task.tick(`${done}/${samples.length}`) });
    return result;
  } finally {
    task.done(result ? `calibrated on ${result.samples} inputs (observer ${observer})` : undefined);
  }
}

const hasBatchNorm = (g: Graph) => g.nodes.some((n) => n.op === "BatchNormalization");

/**
 * Zero-shot calibration. The inputs are synthesised on the graph that still has BatchNorm
 * statistics: this one, or else the pipeline's input (before -O1 folded them), whose inputs
 * must be the same; the ranges are then measured on this graph.
 */
function synthetic(graph: Graph, request: CalibrationRequest, ctx: CalibrationContext): Calibration {
  const source = !hasBatchNorm(graph) && ctx.pipelineInput && hasBatchNorm(ctx.pipelineInput) ? ctx.pipelineInput : graph;
  if (source !== graph) {
    const same = source.inputs.length === graph.inputs.length && source.inputs.every((name, i) => name === graph.inputs[i]);
    if (!same) throw new ModelError(`synthetic calibration makes inputs for the graph before the pipeline (${source.inputs.join(", ")}), but the graph being quantized takes ${graph.inputs.join(", ")}`);
  }
  const count = request.samples > 0 ? request.samples : DEFAULT_SYNTHETIC_SAMPLES;
  const task = ctx.progress("synthesising calibration inputs", DEFAULT_STEPS);
  let r: ReturnType<typeof runSyntheticCalibration> | undefined;
  try {
    r = runSyntheticCalibration(source, { count, seed: request.seed, steps: DEFAULT_STEPS, ...(request.dims ? { dims: request.dims } : {}), onProgress: (p) => task.tick(`BN loss ${p.loss.toPrecision(4)}`) });
  } finally {
    task.done();
  }
  const inputs: readonly InputSample[] = r.inputs;
  const samples: SampleSet = { length: inputs.length, [Symbol.iterator]: () => inputs[Symbol.iterator]() };
  const result = calibrateWithProgress(graph, samples, request.observer, ctx);
  const summary = `synthetic calibration (seed ${request.seed}): ${r.inputs.length} inputs matched to ${r.batchNorms} BatchNorm statistics, ` +
    `loss ${r.initialLoss.toPrecision(4)} -> ${r.finalLoss.toPrecision(4)} in ${DEFAULT_STEPS} steps (${(r.msPerStep / 1000).toFixed(2)} s/step); observer ${request.observer}`;
  return { result, samples, summary };
}
