// Reading a calibration folder (`--calibration DIR`): the input samples as .pb TensorProto files.
//
// Accepted layouts, as DESIGN.md's command line describes them:
// - `NAME.input.pb` files, one sample each, for a model with one input;
// - `test_data_set_N/input_K.pb` folders (the ONNX model zoo layout), one sample per folder;
// - `input_K.pb` files directly in DIR: a single sample.
// Files are read lazily, one sample at a time, so a large folder never sits in memory.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Graph } from "../../../ir/graph.js";
import type { Tensor } from "../../../ir/types.js";
import { readTensorFile } from "./tensor.js";
import { ModelError } from "../../../ir/errors.js";

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
  const entries = readdirSync(dir).sort();
  const singles = entries.filter((f) => f.endsWith(".input.pb"));
  const sets = entries.filter((f) => /^test_data_set_\d+$/.test(f) && statSync(path.join(dir, f)).isDirectory());
  const direct = entries.filter((f) => /^input_\d+\.pb$/.test(f));
  let sources: string[];
  let load: (src: string) => Record<string, Tensor>;
  if (singles.length > 0) {
    if (graph.inputs.length !== 1) throw new ModelError(`${dir}: NAME.input.pb files need a model with one input; this one has ${graph.inputs.length}`);
    sources = singles.map((f) => path.join(dir, f));
    load = (f) => ({ [graph.inputs[0]!]: readTensorFile(f).tensor });
  } else if (sets.length > 0) {
    sources = sets.map((f) => path.join(dir, f));
    load = (d) => loadInputSet(d, graph);
  } else if (direct.length > 0) {
    sources = [dir];
    load = (d) => loadInputSet(d, graph);
  } else {
    throw new ModelError(`calibration folder ${dir} has no NAME.input.pb files, test_data_set_N folders or input_K.pb files`);
  }
  const from = options.offset ?? 0;
  sources = sources.slice(from, options.limit !== undefined ? from + options.limit : undefined);
  if (sources.length === 0) throw new ModelError(`calibration folder ${dir} has no samples in the requested range`);
  const list = sources;
  return {
    length: list.length,
    sources: list,
    *[Symbol.iterator]() {
      for (const s of list) yield load(s);
    },
  };
}

/** input_K.pb of one folder, bound to the graph inputs by their TensorProto names, else by K. */
function loadInputSet(dir: string, graph: Graph): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  graph.inputs.forEach((name, k) => {
    const f = path.join(dir, `input_${k}.pb`);
    if (!existsSync(f)) throw new ModelError(`${dir}: missing input_${k}.pb for model input "${name}"`);
    const { name: stored, tensor } = readTensorFile(f);
    out[stored && graph.inputs.includes(stored) ? stored : name] = tensor;
  });
  return out;
}
