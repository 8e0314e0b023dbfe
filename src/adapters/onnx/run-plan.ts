// The one reader of input folders (`neonc run --input-dir`, `neonc check --input-dir`,
// `--calibration DIR` through ./data-dir.ts): turns --input / --input-dir into a list of runs,
// binds the tensors read for one run to the graph's inputs, and reads them as input sets.
//
// Three folder layouts are understood (DESIGN.md), tried in this order: the model zoo's
// `input_K.pb` set (one run, outputs `output_K.pb`); a batch of `NAME.input.pb` files for a
// one-input model (one run per file, outputs `NAME.output.pb`); a model folder of
// `test_data_set_N/` subfolders of `input_K.pb` (one run per folder, outputs
// `test_data_set_N/output_K.pb`).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { toNumbers, type Tensor } from "../../../ir/types.js";
import { describeBound, holdsBoundValue, type BoundValue } from "./bound-inputs.js";
import { ModelError, UsageError } from "../../../ir/errors.js";
import { fsReason } from "../fs-errors.js";
import { readTensorFile } from "./tensor.js";
import type { InputSet } from "../../../codegen/check.js";

export type { InputSet };

/** Where the input tensors come from, before the model is known. */
export type InputSource =
  | { readonly kind: "files"; readonly files: readonly string[] }
  | { readonly kind: "zoo"; readonly dir: string; readonly files: readonly string[] }
  | { readonly kind: "batch"; readonly dir: string; readonly names: readonly string[] }
  | { readonly kind: "sets"; readonly dir: string; readonly sets: readonly { readonly name: string; readonly files: readonly string[] }[] };

export interface RunJob {
  /** Shown in progress and error messages. */
  readonly label: string;
  readonly inputs: readonly string[];
  /** Output file for each graph output, in graph order. */
  readonly outputs: readonly string[];
}

const ZOO_INPUT = /^input_(\d+)\.pb$/;
const BATCH_INPUT = /^(.+)\.input\.pb$/;

const SET_DIR = /^test_data_set_(\d+)$/;

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    throw new ModelError(`${dir}: cannot read the input folder (${fsReason(e)})`);
  }
}

/** The input_K.pb files of a folder in K order (a gap is a usage error), or [] when it has none. */
function zooFiles(dir: string, entries: readonly string[]): string[] {
  const zoo = entries
    .map((f) => ZOO_INPUT.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  zoo.forEach((m, k) => {
    if (Number(m[1]) !== k) throw new UsageError(`${dir} holds ${zoo.map((z) => z[0]).join(", ")}; model-zoo inputs must be numbered input_0.pb, input_1.pb, ... without gaps`);
  });
  return zoo.map((m) => path.join(dir, m[0]));
}

/** Classifies the files of an input folder (--input-dir, --calibration DIR). */
export function listInputDir(dir: string): InputSource {
  const entries = readDir(dir);
  const zoo = zooFiles(dir, entries);
  if (zoo.length > 0) return { kind: "zoo", dir, files: zoo };
  const names = entries
    .map((f) => BATCH_INPUT.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
  if (names.length > 0) return { kind: "batch", dir, names };
  const sets = entries
    .filter((f) => SET_DIR.test(f) && statSync(path.join(dir, f)).isDirectory())
    .sort((a, b) => Number(SET_DIR.exec(a)![1]) - Number(SET_DIR.exec(b)![1]))
    .map((name) => ({ name, files: zooFiles(path.join(dir, name), readDir(path.join(dir, name))) }))
    .filter((s) => s.files.length > 0);
  if (sets.length > 0) return { kind: "sets", dir, sets };
  throw new UsageError(`${dir} holds no NAME.input.pb files, input_K.pb files or test_data_set_N folders`);
}

/** Output file name of output k for a batch item. */
function batchOutputName(name: string, k: number, numOutputs: number): string {
  return numOutputs === 1 ? `${name}.output.pb` : `${name}.output_${k}.pb`;
}

/** The runs to make, given the model's input and output names. */
export function planRuns(source: InputSource, graphInputs: readonly string[], graphOutputs: readonly string[], outDir: string): RunJob[] {
  const zooOutputs = graphOutputs.map((_, k) => path.join(outDir, `output_${k}.pb`));
  switch (source.kind) {
    case "sets":
      return source.sets.map((set) => ({
        label: set.name,
        inputs: set.files,
        outputs: graphOutputs.map((_, k) => path.join(outDir, set.name, `output_${k}.pb`)),
      }));
    case "files":
      return [{ label: source.files.join(", "), inputs: source.files, outputs: zooOutputs }];
    case "zoo":
      return [{ label: source.dir, inputs: source.files, outputs: zooOutputs }];
    case "batch":
      if (graphInputs.length !== 1) {
        throw new UsageError(
          `${source.dir} holds NAME.input.pb files, which need a model with one input, but this model has ${graphInputs.length} (${graphInputs.join(", ")}); give its inputs as input_K.pb files or with --input`,
        );
      }
      return source.names.map((name) => ({
        label: name,
        inputs: [path.join(source.dir, `${name}.input.pb`)],
        outputs: graphOutputs.map((_, k) => path.join(outDir, batchOutputName(name, k, graphOutputs.length))),
      }));
  }
}

export interface GivenTensor {
  readonly file: string;
  /** TensorProto name stored in the file ("" when unnamed). */
  readonly name: string;
  readonly tensor: Tensor;
}

/** A run's tensor gives an input the import bound (--bind) another value: the run is for another specialization. */
export class BoundInputMismatch extends UsageError {
  /** The mismatch without the file, to count runs by it: `give sr = 8000 where the model binds it to 16000`. */
  readonly summary: string;
  constructor(file: string, name: string, given: Tensor, bound: BoundValue) {
    super(`${file} gives the input "${name}" the value ${describeBound(toNumbers(given))}, but the model was imported with "${name}" bound to ${describeBound(bound.values)}`);
    this.name = "BoundInputMismatch";
    this.summary = `give ${name} = ${describeBound(toNumbers(given))} where the model binds it to ${describeBound(bound.values)}`;
  }
}

/**
 * Binds the tensors of one run to graph inputs: by TensorProto name when it names an input,
 * else by position (the tensor's place among the files of the run). A tensor named after an
 * input the import bound to a constant (`bound`, ./bound-inputs.ts) is dropped when it holds
 * that value, and a BoundInputMismatch when it does not.
 */
export function bindInputs(graphInputs: readonly string[], allGiven: readonly GivenTensor[], bound: ReadonlyMap<string, BoundValue> = new Map()): Record<string, Tensor> {
  const given = allGiven.filter((g) => {
    const b = bound.get(g.name);
    if (b === undefined || graphInputs.includes(g.name)) return true;
    if (!holdsBoundValue(g.tensor, b)) throw new BoundInputMismatch(g.file, g.name, g.tensor, b);
    return false;
  });
  if (graphInputs.length === 1 && given.length === 1) return { [graphInputs[0]!]: given[0]!.tensor };
  const byInput = new Map<string, GivenTensor>();
  given.forEach((g, pos) => {
    let target: string | undefined;
    if (graphInputs.includes(g.name)) target = g.name;
    else if (pos < graphInputs.length) target = graphInputs[pos];
    if (target === undefined) {
      throw new UsageError(
        `${g.file}: its tensor name "${g.name}" is not a model input and it comes after the model's ${graphInputs.length} inputs (${graphInputs.join(", ")})`,
      );
    }
    const other = byInput.get(target);
    if (other) throw new UsageError(`${other.file} and ${g.file} both give the model input "${target}"`);
    byInput.set(target, g);
  });
  const missing = graphInputs.filter((n) => !byInput.has(n));
  if (missing.length > 0) {
    throw new UsageError(`no tensor given for the model input${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} (the model's inputs are ${graphInputs.join(", ")})`);
  }
  const out: Record<string, Tensor> = {};
  for (const [k, v] of byInput) out[k] = v.tensor;
  return out;
}

/** The runs of a source as input sets, each read (and bound) only when it is reached. */
export function* readInputSets(source: InputSource, graphInputs: readonly string[], bound?: ReadonlyMap<string, BoundValue>): Generator<InputSet> {
  for (const job of planRuns(source, graphInputs, [], "")) {
    yield { label: job.label, inputs: bindInputs(graphInputs, job.inputs.map((file) => ({ file, ...readTensorFile(file) })), bound) };
  }
}

/**
 * The folder of a model file when it is a model-zoo folder (test_data_set_N/ subfolders of
 * input_K.pb files beside model.onnx), else undefined: `neonc check`'s inputs when it is given
 * none and cannot make random ones.
 */
export function testSetsBeside(modelFile: string): string | undefined {
  const dir = path.dirname(modelFile);
  try {
    const source = listInputDir(dir);
    return source.kind === "sets" ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Every input set of an input folder (the layouts of listInputDir), read now. */
export function readInputDir(dir: string, graphInputs: readonly string[], bound?: ReadonlyMap<string, BoundValue>): InputSet[] {
  return [...readInputSets(listInputDir(dir), graphInputs, bound)];
}
