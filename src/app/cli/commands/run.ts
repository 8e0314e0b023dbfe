// `neonc run MODEL (--input F.pb ... | --input-dir DIR) --output-dir OUT`: runs a model on
// TensorProto files and writes its outputs as TensorProto files named after the graph outputs.
//
// The pipeline flags (--passes, -O1, ...) transform the model before it runs (../pipeline-flags.ts).
// --engine c runs the generated C instead of the reference interpreter (codegen/engine.ts): the
// pipeline then defaults to -O1 and ends with the codegen stages, and the model is compiled and
// built once, with the time axis sized by --max-dim or the longest input, then fed every input.
// Graph inputs that feed operands neonc needs at import (a Reshape shape, Slice starts, Pad
// pads...) are bound to the values the run gives them, and one line on stderr says so.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { RunTimeOperandError, UsageError } from "../../../../ir/errors.js";
import { encodeTensorFile, readTensorFile } from "../../../adapters/onnx/tensor.js";
import { runGraph } from "../../../runtime/interpreter.js";
import { withFastEngine } from "../../../runtime/fast/index.js";
import { getTarget, TARGET_NAMES } from "../../../../ir/target.js";
import type { Graph } from "../../../../ir/graph.js";
import type { Tensor } from "../../../../ir/types.js";
import { CEngine, hostTarget, largestDims } from "../../../../codegen/engine.js";
import { openModel, SpecializationNeeded, type OpenedModel } from "../../../adapters/onnx/load-model.js";
import { specializeSets } from "../../../adapters/onnx/specialize-sets.js";
import { describeBoundOperands } from "../../../adapters/onnx/operand-binding.js";
import { checkMaxDimNames } from "../max-dim.js";
import { parseMaxDim } from "../option-parsers.js";
import { addPipelineFlags, preparePipeline, type PipelineFlags, type PreparedPipeline } from "../pipeline-flags.js";
import { terminalProgress } from "../progress.js";
import { boundInputsOf } from "../../../adapters/onnx/bound-inputs.js";
import { bindInputs, listInputDir, planRuns, type InputSource, type RunJob } from "../../../adapters/onnx/run-plan.js";

interface RunFlags extends PipelineFlags {
  input?: string[];
  inputDir?: string;
  outputDir: string;
  engine: "interpreter" | "c";
  target?: string;
  maxDim?: Record<string, number>;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command("run")
    .summary("run a model on TensorProto (.pb) files and write its outputs")
    .description(
      "Run a model on ONNX TensorProto files. --input gives the tensors of one run (matched to the model's inputs by " +
        "tensor name, else by position) and writes output_K.pb. --input-dir takes a model-zoo folder of input_K.pb " +
        "files (one run, writes output_K.pb), for a one-input model every NAME.input.pb (one run each, writes NAME.output.pb), " +
        "or a model folder of test_data_set_N folders (one run each, writes test_data_set_N/output_K.pb).",
    )
    .argument("<model>", "ONNX model file")
    .option("--input <files...>", "input tensor files of one run (repeatable)")
    .option("--input-dir <dir>", "folder of input_K.pb files, of NAME.input.pb files for a batch, or of test_data_set_N folders")
    .requiredOption("--output-dir <dir>", "folder for the output files (created if missing)")
    .addOption(new Option("--engine <engine>", "what runs the model").choices(["interpreter", "c"]).default("interpreter"))
    .addOption(new Option("--target <target>", "C target for --engine c (default: aarch64 through SIMDe when installed, else c99)").choices([...TARGET_NAMES]))
    .option("--max-dim <name=value>", "--engine c: largest value of a symbolic dim (default: the largest among the inputs; repeatable)", parseMaxDim);
  addPipelineFlags(cmd);
  cmd.action(async (model: string, flags: RunFlags) => {
    const source = checkFlags(flags);
    const codegen = flags.engine === "c" ? (flags.target ? getTarget(flags.target) : hostTarget().target) : undefined;
    const pipeline = await preparePipeline(flags, { codegen });
    const groups = planGroups(model, source, flags, pipeline);
    // test_data_set_N inputs write into OUT/test_data_set_N/.
    const outDirs = groups.flatMap((g) => g.jobs.flatMap((j) => j.outputs.map((f) => path.dirname(f))));
    for (const dir of new Set([flags.outputDir, ...outDirs])) mkdirSync(dir, { recursive: true });
    if (flags.engine === "c") return runWithC(groups, flags);
    const total = groups.reduce((n, g) => n + g.jobs.length, 0);
    const progress = terminalProgress()("running", total);
    const start = performance.now();
    let done = false;
    try {
      for (const group of groups) {
        for (const [k, job] of group.jobs.entries()) {
          const outputs = withFastEngine(undefined, () => runGraph(group.graph, inputsOf(group, k)));
          group.graph.outputs.forEach((name, o) => writeFileSync(job.outputs[o]!, encodeTensorFile(outputs[name]!, name)));
          progress.tick(job.label);
          // Lets the bar's timer and signal handlers run between synchronous runs.
          if (total > 1) await new Promise((resolve) => setImmediate(resolve));
        }
      }
      done = true;
    } finally {
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      progress.done(done ? `ran ${total} inputs in ${seconds} s; outputs in ${flags.outputDir}` : undefined);
    }
  });
}

/** A graph and the runs it serves; `sets` holds their inputs when they were read to import it. */
interface RunGroup {
  readonly graph: Graph;
  readonly jobs: RunJob[];
  readonly sets?: Record<string, Tensor>[];
}

function inputsOf(group: RunGroup, k: number): Record<string, Tensor> {
  const job = group.jobs[k]!;
  return group.sets?.[k] ?? bindInputs(group.graph.inputs, job.inputs.map((file) => ({ file, ...readTensorFile(file) })), boundInputsOf(group.graph));
}

/**
 * The model through the pipeline, with its runs. When the import needs an operand that a graph
 * input feeds (a Reshape shape, Slice starts...), every run's inputs are read first and those
 * inputs bound to them (src/adapters/onnx/operand-binding.ts), one line on stderr says which,
 * and runs that give them the same values share one graph.
 */
function planGroups(model: string, source: InputSource, flags: RunFlags, pipeline: PreparedPipeline): RunGroup[] {
  const opened = openModel(model, { ...flags, inputShapes: flags.inputShape });
  let imported: Graph | undefined;
  try {
    imported = opened.load().graph;
  } catch (e) {
    // A model whose If needs known input dims or values (a VAD's sample rate): one graph per kind of input set.
    if (e instanceof SpecializationNeeded && !flags.inputShape && !flags.bind) return specializedGroups(model, opened, e, source, flags, pipeline);
    if (!(e instanceof RunTimeOperandError)) throw e;
  }
  if (imported) {
    checkMaxDimNames(flags.maxDim, imported);
    const { graph } = pipeline.run(imported);
    return [{ graph, jobs: planRuns(source, graph.inputs, graph.outputs, flags.outputDir) }];
  }
  const byValues = new Map<string, RunGroup & { sets: Record<string, Tensor>[] }>();
  let said = false;
  for (const job of planRuns(source, opened.inputs, opened.outputs, flags.outputDir)) {
    const values = bindInputs(opened.inputs, job.inputs.map((file) => ({ file, ...readTensorFile(file) })));
    const { graph: g, bound } = opened.load(values);
    if (!said) process.stderr.write(`${describeBoundOperands(bound)}\n`);
    said = true;
    const key = bound.map((b) => tensorKey(values[b.input]!)).join(";");
    let group = byValues.get(key);
    if (!group) {
      checkMaxDimNames(flags.maxDim, g);
      group = { graph: pipeline.run(g).graph, jobs: [], sets: [] };
      byValues.set(key, group);
    }
    group.jobs.push(job);
    group.sets.push(Object.fromEntries(group.graph.inputs.map((n) => [n, values[n]!])));
  }
  return [...byValues.values()];
}

/**
 * The runs grouped by the specialization their inputs need (src/adapters/onnx/specialize-sets.ts),
 * each group imported with its input shapes and bound values as --input-shape and --bind would
 * give them; one line on stderr per group says so.
 */
function specializedGroups(model: string, opened: OpenedModel, needed: SpecializationNeeded, source: InputSource, flags: RunFlags, pipeline: PreparedPipeline): RunGroup[] {
  const jobs = planRuns(source, opened.inputs, opened.outputs, flags.outputDir);
  const sets = jobs.map((job) => ({ label: job.label, inputs: bindInputs(opened.inputs, job.inputs.map((file) => ({ file, ...readTensorFile(file) }))) }));
  return specializeSets(sets, needed.byShape, needed.byValue).map((group) => {
    process.stderr.write(`inputs: ${group.sets.length} run${group.sets.length === 1 ? "" : "s"} with ${group.label}, imported as --input-shape/--bind give them\n`);
    const g = openModel(model, { ...flags, inputShapes: group.inputShapes, bind: group.bind }).load().graph;
    checkMaxDimNames(flags.maxDim, g);
    const graph = pipeline.run(g).graph;
    return {
      graph,
      jobs: group.sets.map((set) => jobs.find((j) => j.label === set.label)!),
      sets: group.sets.map((set) => Object.fromEntries(graph.inputs.map((n) => [n, set.inputs[n]!]))),
    };
  });
}

function tensorKey(t: Tensor): string {
  return `${t.dtype}[${t.shape.join(",")}]${Array.from(t.data as ArrayLike<unknown>, String).join(",")}`;
}

/** Usage checks that need no file: the reserved flags and the choice of input form. */
function checkFlags(flags: RunFlags): InputSource {
  if (flags.engine !== "c" && flags.target !== undefined) throw new UsageError("--target selects the target of the C engine; add --engine c");
  if (flags.engine !== "c" && flags.maxDim !== undefined) throw new UsageError("--max-dim sizes the generated C; add --engine c");
  if (flags.input && flags.inputDir) throw new UsageError("give either --input or --input-dir, not both");
  if (flags.input) return { kind: "files", files: flags.input };
  if (flags.inputDir) return listInputDir(flags.inputDir);
  throw new UsageError("no input given; use --input F.pb or --input-dir DIR");
}

/** --engine c: reads every input first (the longest sets the default --max-dim), then one build per graph, batched runs. */
async function runWithC(groups: readonly RunGroup[], flags: RunFlags): Promise<void> {
  // Every build comes before the progress bar, which then times the runs only.
  const built = groups.map((group) => {
    const sets = group.jobs.map((_, k) => inputsOf(group, k));
    const maxDims = { ...largestDims(group.graph, sets), ...flags.maxDim };
    return { ...group, sets, engine: CEngine.create(group.graph, { target: flags.target, maxDims }) };
  });
  const total = groups.reduce((n, g) => n + g.jobs.length, 0);
  const progress = terminalProgress()("running", total);
  const start = performance.now();
  let done = 0;
  let ok = false;
  try {
    for (const { graph, jobs, sets, engine } of built) {
      // Chunks keep the outputs of only a few sets in memory and let the progress bar move.
      const CHUNK = 64;
      for (let s = 0; s < jobs.length; s += CHUNK) {
        const part = jobs.slice(s, s + CHUNK);
        const { runs } = engine.run(sets.slice(s, s + CHUNK), { labels: part.map((j) => j.label) });
        part.forEach((job, i) => {
          graph.outputs.forEach((name, k) => writeFileSync(job.outputs[k]!, encodeTensorFile(runs[i]!.outputs[name]!, name)));
          progress.tick(job.label);
          done++;
        });
        if (total > 1) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    ok = true;
  } finally {
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const engine = built[0]?.engine;
    progress.done(ok && engine ? `ran ${done} inputs through the generated C (${engine.model.target.name}, ${engine.rig.mode}) in ${seconds} s; outputs in ${flags.outputDir}` : undefined);
  }
}
