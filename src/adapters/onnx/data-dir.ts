// Reading a calibration folder (`--calibration DIR`): the input samples as .pb TensorProto files,
// in the layouts every input folder has (./run-plan.ts, listInputDir): `input_K.pb` files (one
// sample), `NAME.input.pb` files (one sample each, for a model with one input), or
// `test_data_set_N/` folders (one sample each). Files are read lazily, one sample at a time, so
// a large folder never sits in memory.
import { existsSync, statSync } from "node:fs";
import type { Graph } from "../../../ir/graph.js";
import type { Tensor } from "../../../ir/types.js";
import { ModelError, NeoncError } from "../../../ir/errors.js";
import { listInputDir, planRuns, readInputSets, type InputSource } from "./run-plan.js";

export interface CalibrationSamples extends Iterable<Record<string, Tensor>> {
  /** Number of samples. */
  readonly length: number;
  /** The sample files or folders, in order. */
  readonly sources: readonly string[];
}

export interface ReadDirOptions {
  /** Use at most this many samples (the first ones in name order). */
  readonly limit?: number;
  /** Skip this many samples first. */
  readonly offset?: number;
}

/** The samples in `dir` for `graph`'s inputs. */
export function readCalibrationDir(dir: string, graph: Graph, options: ReadDirOptions = {}): CalibrationSamples {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelError(`calibration folder ${dir} does not exist`);
  let source: InputSource;
  try {
    source = listInputDir(dir);
    planRuns(source, graph.inputs, [], ""); // NAME.input.pb files with a model of several inputs
  } catch (e) {
    if (!(e instanceof NeoncError)) throw e;
    // "DIR holds no ..." -> "calibration folder DIR has no ...".
    const rest = e.message.startsWith(dir) ? e.message.slice(dir.length).replace(/^:?\s*/, "") : e.message;
    throw new ModelError(`calibration folder ${dir} ${rest.replace(/^holds no/, "has no")}`);
  }
  const from = options.offset ?? 0;
  const to = options.limit !== undefined ? from + options.limit : undefined;
  const picked: InputSource = source.kind === "batch" ? { ...source, names: source.names.slice(from, to) }
    : source.kind === "sets" ? { ...source, sets: source.sets.slice(from, to) }
    : from === 0 && to !== 0 ? source : { ...source, files: [] };
  const sources = picked.kind === "batch" ? picked.names.map((n) => `${dir}/${n}.input.pb`)
    : picked.kind === "sets" ? picked.sets.map((s) => `${dir}/${s.name}`)
    : picked.kind === "zoo" && picked.files.length > 0 ? [dir] : [];
  if (sources.length === 0) throw new ModelError(`calibration folder ${dir} has no samples in the requested range`);
  return {
    length: sources.length,
    sources,
    *[Symbol.iterator]() {
      for (const s of readInputSets(picked, graph.inputs)) yield s.inputs;
    },
  };
}
