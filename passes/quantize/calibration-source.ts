// Where the quantize pass gets its activation ranges (option `calibration`):
// - "" (default): ranges attached to the graph with `attachCalibration` (library use); without
//   them the pass leaves the graph in float and logs how to calibrate (so pipelines that list
//   every pass, like the pass property tests, run it harmlessly);
// - a .json file written by calibrationToJson;
// - a folder of input .pb files: the pass calibrates its own input graph on them with the
//   chosen observer (`--calibration DIR`);
// - a registered source name (e.g. "synthetic", which the zero-shot calibrator registers with
//   registerCalibrationSource), called with the graph.
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Graph } from "../../ir/graph.js";
import { UsageError } from "../../src/errors.js";
import { calibrate, calibrationFromJson, calibrationToJson, type CalibrationResult } from "../../src/calibration/calibrate.js";
import { readCalibrationDir } from "../../src/calibration/data-dir.js";
import { observerByName } from "../../src/calibration/observers.js";
import { startProgress } from "../../src/cli/progress.js";

const META_KEY = "neonc.calibration";

export interface SourceOptions {
  readonly observer: string;
  /** Largest number of samples read from a folder. */
  readonly samples: number;
  readonly seed: number;
  log(message: string): void;
}

export type CalibrationSource = (graph: Graph, options: SourceOptions) => CalibrationResult;

const sources = new Map<string, CalibrationSource>();

/** Makes `quantize{calibration=NAME}` call `source` (for example NAME = "synthetic"). */
export function registerCalibrationSource(name: string, source: CalibrationSource): void {
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

export const NO_CALIBRATION_MESSAGE = "no activation ranges, so the graph stays in float: give calibration=DIR (a folder of input .pb files), calibration=FILE.json or a registered source such as synthetic, or attach ranges with attachCalibration";

/** The ranges the option names; throws a UsageError when it is "" and the graph carries none. */
export function resolveCalibration(graph: Graph, spec: string, options: SourceOptions): CalibrationResult {
  if (spec === "") {
    const attached = attachedCalibration(graph);
    if (attached) return attached;
    throw new UsageError(`quantize has ${NO_CALIBRATION_MESSAGE}`);
  }
  const registered = sources.get(spec);
  if (registered) return registered(graph, options);
  if (!existsSync(spec)) {
    const known = [...sources.keys()];
    throw new UsageError(`calibration '${spec}' is neither a folder, a .json file${known.length ? `, nor one of ${known.join(", ")}` : ""}`);
  }
  if (statSync(spec).isDirectory()) {
    const samples = readCalibrationDir(spec, graph, { limit: options.samples });
    options.log(`calibrating on ${samples.length} samples from ${spec} (observer ${options.observer})`);
    // A bar on a terminal only (startProgress is silent otherwise), as for the CLI's own calibration.
    const bar = startProgress(samples.length, "calibrating");
    try {
      return calibrate(graph, samples, { observer: observerByName(options.observer), onProgress: (done) => bar.tick(`${done}/${samples.length}`) });
    } finally {
      bar.stop();
    }
  }
  return calibrationFromJson(readFileSync(spec, "utf8"));
}
