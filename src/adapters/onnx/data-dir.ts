// Reading a calibration folder (`--calibration DIR`): the input samples as .pb TensorProto files,
// in the layouts every input folder has (./run-plan.ts, listInputDir): `input_K.pb` files (one
// sample), `NAME.input.pb` files (one sample each, for a model with one input), or
// `test_data_set_N/` folders (one sample each). Files are read lazily, one sample at a time, so
// a large folder never sits in memory.
import { existsSync, statSync } from "node:fs";
import type { Graph } from "../../../ir/graph.js";
import type { Tensor } from "../../../ir/types.js";
import { ModelError, NeoncError } from "../../../ir/errors.js";
import path from "node:path";
import { isSymbolic, shapeToString } from "../../../ir/dim.js";
import { boundInputsOf } from "./bound-inputs.js";
import { BoundInputMismatch, bindInputs, listInputDir, planRuns, type GivenTensor, type InputSource, type RunJob } from "./run-plan.js";
import { readTensorFile } from "./tensor.js";

export interface CalibrationSamples extends Iterable<Record<string, Tensor>> {
  /** Number of samples. */
  readonly length: number;
  /** The sample files or folders, in order. */
  readonly sources: readonly string[];
  /** Samples of the folder that do not fit the graph and were left out, in one sentence (absent when none). */
  readonly skipped?: string;
}

export interface ReadDirOptions {
  /** Use at most this many samples (the first ones in name order). */
  readonly limit?: number;
  /** Skip this many samples first. */
  readonly offset?: number;
}

/**
 * The samples in `dir` for `graph`'s inputs. A sample made for another specialization of the
 * model (a bound input holding another value, an input whose static dims differ from the
 * graph's) is left out and counted in `skipped`: a model's folder of test sets often covers
 * every specialization (a VAD's 16 kHz and 8 kHz streams), and calibrating one of them on the
 * sets that fit it is what the user asked for. None fitting is an error.
 */
export function readCalibrationDir(dir: string, graph: Graph, options: ReadDirOptions = {}): CalibrationSamples {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelError(`calibration folder ${dir} does not exist`);
  let jobs: RunJob[];
  let source: InputSource;
  try {
    source = listInputDir(dir);
    jobs = planRuns(source, graph.inputs, [], ""); // NAME.input.pb files with a model of several inputs
  } catch (e) {
    if (!(e instanceof NeoncError)) throw e;
    // "DIR holds no ..." -> "calibration folder DIR has no ...".
    const rest = e.message.startsWith(dir) ? e.message.slice(dir.length).replace(/^:?\s*/, "") : e.message;
    throw new ModelError(`calibration folder ${dir} ${rest.replace(/^holds no/, "has no")}`);
  }
  const bound = boundInputsOf(graph);
  const misfits = new Map<string, number>();
  const fitting = jobs.filter((job) => {
    const why = misfitOf(graph, bound, job);
    if (why !== undefined) misfits.set(why, (misfits.get(why) ?? 0) + 1);
    return why === undefined;
  });
  const skippedCount = jobs.length - fitting.length;
  const skipped = skippedCount === 0 ? undefined
    : `${skippedCount} of the ${jobs.length} samples in ${dir} do not fit the model and were left out: ${[...misfits].map(([why, n]) => `${n} ${why}`).join("; ")}`;
  if (fitting.length === 0) throw new ModelError(`calibration folder ${dir} has no sample that fits the model: ${[...misfits.keys()].join("; ")}`);
  const from = options.offset ?? 0;
  const to = options.limit !== undefined ? from + options.limit : undefined;
  const picked = fitting.slice(from, to);
  if (picked.length === 0) throw new ModelError(`calibration folder ${dir} has no samples in the requested range`);
  const sources = picked.map((job) => (source.kind === "sets" ? path.join(dir, job.label) : source.kind === "batch" ? job.inputs[0]! : dir));
  return {
    length: picked.length,
    sources,
    ...(skipped !== undefined ? { skipped } : {}),
    *[Symbol.iterator]() {
      for (const job of picked) yield bindInputs(graph.inputs, readJob(job), bound);
    },
  };
}

function readJob(job: RunJob): GivenTensor[] {
  return job.inputs.map((file) => ({ file, ...readTensorFile(file) }));
}

/** Why the run does not fit the graph (a bound input's other value, other static dims), or undefined. */
function misfitOf(graph: Graph, bound: ReturnType<typeof boundInputsOf>, job: RunJob): string | undefined {
  let inputs: Record<string, Tensor>;
  try {
    inputs = bindInputs(graph.inputs, readJob(job), bound);
  } catch (e) {
    if (!(e instanceof BoundInputMismatch)) throw e;
    return e.summary;
  }
  for (const name of graph.inputs) {
    const want = graph.types[name]!.shape, got = inputs[name]!.shape;
    const fits = want.length === got.length && want.every((d, i) => isSymbolic(d) || d === got[i]);
    if (!fits) return `give "${name}" the shape [${got.join(",")}] where the model takes ${shapeToString(want)}`;
  }
  return undefined;
}
