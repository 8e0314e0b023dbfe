// The pass host of programs that run on Node.js (the CLI, the library's defaults): it reads the
// calibration data a pipeline names (a folder of input .pb files, a .json of saved ranges) and
// hands progress to a sink of the caller's choice (silent unless one is given).
import { existsSync, readFileSync, statSync } from "node:fs";
import { ModelError } from "../../ir/errors.js";
import type { PassHost, ProgressSink } from "../../passes/pass.js";
import { calibrationFromJson } from "../analyses/calibration/calibrate.js";
import { readCalibrationDir } from "./onnx/data-dir.js";

export interface NodeHostOptions {
  /** Where progress goes (default: nowhere). The CLI draws a bar on a terminal, lines otherwise. */
  readonly progress?: ProgressSink;
}

/** A host whose calibration specs are paths: a folder of samples or a .json of ranges. */
export function nodeHost(options: NodeHostOptions = {}): PassHost {
  return {
    progress: options.progress,
    calibrationData(spec, graph, limit) {
      if (!existsSync(spec)) return undefined;
      if (statSync(spec).isDirectory()) {
        const samples = readCalibrationDir(spec, graph, { limit });
        return { kind: "samples", samples, source: spec, ...(samples.skipped !== undefined ? { skipped: samples.skipped } : {}) };
      }
      try {
        return { kind: "ranges", result: calibrationFromJson(readFileSync(spec, "utf8")), source: spec };
      } catch (e) {
        throw new ModelError(`calibration ${spec}: not a calibration .json file nor a folder (${(e as Error).message})`);
      }
    },
  };
}
