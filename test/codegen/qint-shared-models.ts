// The int8 end-to-end check of the qint-shared-models-*.test.ts suites (one file per rig, so
// vitest runs the rigs in parallel) and of qint-asr-digits.test.ts: a model after -O1,
// calibration and quantizeGraph, compiled to C for one rig, run on held-out inputs and compared
// with the interpreter. Integer tensors are compared byte for byte, float tensors within the
// code generator's float tolerance (1e-4 of max |ref|, as checkGraph in helpers.ts).
//
// Which tensors: the integer input of every Dequantize (the end of an integer stretch, e.g. the
// int8 logits before a float LogSoftmax) and every graph output. Where a float stretch computed
// in C (HybridLSTM) feeds a Quantize, a rounding difference of 1e-7 may legitimately move a
// value across a quantization boundary; there the float value is checked with the float
// tolerance, and the integer tail (from that Quantize on) is compared exactly with the
// interpreter run from the C code's own float value, so the integer kernels are still held to
// every bit. On a difference the test names the first integer node whose output differs.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { buildModel, compareTensors, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { type Rig, type RunMode } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { runPipeline } from "../../passes/index.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { calibrate } from "../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { largestDims } from "../../codegen/engine.js";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";

/** The five ways integer C runs here: every target, the NEON code both through SIMDe and under qemu. */
export const INT8_RIGS = [
  ["c99", "native"], ["aarch64", "simde"], ["aarch64", "qemu"], ["armv7", "qemu"], ["aarch64+dotprod", "qemu"], ["wasm32", "wasm"],
] as const satisfies readonly (readonly [string, RunMode])[];

/** Float tolerance of the code generator's tests: max |C - interpreter| <= 1e-4 * max |ref|. */
const FLOAT_REL_TOL = 1e-4;

export interface Int8Case {
  readonly name: string;
  /** The quantized graph with the checked values added to its outputs. */
  readonly probe: Graph;
  /** Integer values compared byte for byte. */
  readonly exact: readonly string[];
  /** Float values computed in C that feed a Quantize (checked with the float tolerance). */
  readonly boundary: readonly string[];
  readonly sets: readonly Record<string, Tensor>[];
  /** The inputs calibration ran on (the scaled Winograd scheme picks its input scales on them). */
  readonly calibration: readonly Readonly<Record<string, Tensor>>[];
  /** The interpreter on probe, for each set. */
  readonly refs: readonly Record<string, Tensor>[];
  readonly maxDims: Record<string, number>;
  /** When set, float outputs must also be within this absolute error. */
  readonly floatAbsTol?: number;
}

const isInt = (g: Graph, v: string) => !["f32", "f64", "f16"].includes(g.types[v]!.dtype);

/** -O1, calibrate on `calibration` (min/max), quantize, and pick the values to check on `sets`. */
export function prepareInt8(
  name: string, imported: Graph, calibration: Iterable<Readonly<Record<string, Tensor>>>, sets: readonly Record<string, Tensor>[],
  opts: { floatAbsTol?: number } = {},
): Int8Case {
  const g = runPipeline(imported, "-O1", { log: () => {} });
  const samples = [...calibration];
  const q = quantizeGraph(g, calibrate(g, samples).ranges);
  const exact = new Set<string>();
  const boundary = new Set<string>();
  for (const n of q.nodes) {
    if (n.op === "Dequantize") exact.add(n.inputs[0]!);
    if (n.op === "Quantize" && !q.inputs.includes(n.inputs[0]!)) {
      boundary.add(n.inputs[0]!);
      exact.add(n.outputs[0]!);
    }
  }
  for (const o of q.outputs) if (isInt(q, o)) exact.add(o);
  expect(exact.size, `${name}: the quantized graph has no integer tensor to check`).toBeGreaterThan(0);
  const extra = [...exact, ...boundary].filter((v) => !q.outputs.includes(v));
  const probe: Graph = { ...q, outputs: [...q.outputs, ...extra] };
  const refs = sets.map((s) => runGraph(probe, s));
  return { name, probe, exact: [...exact], boundary: [...boundary], sets, calibration: samples, refs, maxDims: largestDims(probe, sets), floatAbsTol: opts.floatAbsTol };
}

/** One shared model folder: calibrated on its test_data_set_0, checked on test_data_set_1. */
export function prepareSharedModel(dir: string): Int8Case {
  const name = path.basename(dir);
  const g = importOnnxFile(path.join(dir, "model.onnx"));
  return prepareInt8(name, g, readCalibrationDir(dir, g, { offset: 0, limit: 1 }), [...readCalibrationDir(dir, g, { offset: 1, limit: 1 })]);
}

/**
 * The part of g computed from `cuts` (made graph inputs beside g's own): the nodes that produce
 * them, and those that only feed them, are dropped.
 */
function cutAt(g: Graph, cuts: readonly string[]): Graph {
  const stop = new Set([...g.inputs, ...cuts]);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const needed = new Set<Node>();
  const todo = [...g.outputs];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (stop.has(v)) continue;
    const n = producer.get(v);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    todo.push(...n.inputs.filter(Boolean));
  }
  return { ...g, inputs: [...g.inputs, ...cuts], nodes: g.nodes.filter((n) => needed.has(n)) };
}

/** The interpreter's values for g's outputs on set s, taking the boundary floats from C's run. */
function reference(c: Int8Case, g: Graph, s: Record<string, Tensor>, got: Record<string, Tensor>): Record<string, Tensor> {
  if (c.boundary.length === 0) return runGraph(g, s);
  return runGraph(cutAt(g, c.boundary), { ...s, ...Object.fromEntries(c.boundary.map((v) => [v, got[v]!])) });
}

interface Diff { index: number; got: number; ref: number; count: number; total: number }

/** The first element where two integer tensors differ, or undefined when they are equal byte for byte. */
function firstDiff(got: Tensor, ref: Tensor): Diff | undefined {
  const a = got.data, b = ref.data;
  if (got.dtype !== ref.dtype || a.length !== b.length) return { index: -1, got: a.length, ref: b.length, count: b.length, total: b.length };
  let first = -1, count = 0;
  for (let i = 0; i < b.length; i++) {
    if (a[i] !== b[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? undefined : { index: first, got: Number(a[first]), ref: Number(b[first]), count, total: b.length };
}

function describeDiff(g: Graph, v: string, d: Diff): string {
  const node = g.nodes.find((n) => n.outputs.includes(v));
  const by = node ? `node ${node.name} (${node.op})` : "a graph input";
  if (d.index < 0) return `${v} from ${by}: ${d.got} elements in C, ${d.ref} in the interpreter`;
  return `${v} from ${by}: ${d.count} of ${d.total} elements differ, first at flat index ${d.index}: C ${d.got}, interpreter ${d.ref}`;
}

/**
 * Where a difference starts: the graph again with every integer node output exposed, the first
 * node (in graph order) whose integer output differs from the interpreter's on set k.
 */
function localize(c: Int8Case, target: string, rig: Rig, k: number): string {
  const s = c.sets[k]!;
  const reach = c.boundary.length > 0 ? cutAt(c.probe, c.boundary).nodes : c.probe.nodes;
  const all = reach.flatMap((n) => n.outputs.filter((o) => o && isInt(c.probe, o)));
  const g: Graph = { ...c.probe, outputs: [...new Set([...c.probe.outputs, ...all])] };
  try {
    const model = compileGraph(g, { target: getTarget(target), maxDims: c.maxDims });
    const got = runBuild(model, buildModel(model, rig), s).outputs;
    const ref = reference(c, g, s, got);
    for (const v of all) {
      const d = firstDiff(got[v]!, ref[v]!);
      if (d) return `first differing integer tensor with every tensor exposed: ${describeDiff(g, v, d)}`;
    }
    return "with every integer tensor exposed as an output, no tensor differs (the difference depends on the memory plan)";
  } catch (e) {
    return `localizing failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

export interface RigReport {
  readonly exactValues: number;
  readonly worstFloat: number;
  readonly ms: number;
}

/**
 * Compiles c for target, builds it with rig, runs every set and compares, failing with the model,
 * rig, input set, node, first differing index and values on any integer difference.
 */
export function checkInt8OnRig(c: Int8Case, target: string, rig: Rig): RigReport {
  const t0 = performance.now();
  const model = compileGraph(c.probe, { target: getTarget(target), maxDims: c.maxDims });
  const build = buildModel(model, rig);
  let worstFloat = 0, exactValues = 0;
  c.sets.forEach((s, k) => {
    const where = `${c.name} on ${target} (${rig.mode}), input set ${k}`;
    const got = runBuild(model, build, s).outputs;
    const floatCheck = (v: string, ref: Tensor, what: string) => {
      const cmp = compareTensors(got[v]!, ref);
      worstFloat = Math.max(worstFloat, cmp.rel);
      expect(cmp.rel, `${where}: ${what} ${v} is off by ${cmp.maxAbs} (max |ref| ${cmp.maxRef})`).toBeLessThanOrEqual(FLOAT_REL_TOL);
      if (c.floatAbsTol !== undefined) expect(cmp.maxAbs, `${where}: ${what} ${v} is off by ${cmp.maxAbs}`).toBeLessThanOrEqual(c.floatAbsTol);
    };
    for (const v of c.boundary) floatCheck(v, c.refs[k]![v]!, "the float value (entering a Quantize)");
    const ref = c.boundary.length > 0 ? reference(c, c.probe, s, got) : c.refs[k]!;
    const diffs: string[] = [];
    for (const v of c.exact) {
      exactValues += ref[v]!.data.length;
      const d = firstDiff(got[v]!, ref[v]!);
      if (d) diffs.push(describeDiff(c.probe, v, d));
    }
    if (diffs.length > 0) diffs.push(localize(c, target, rig, k));
    expect(diffs, `${where}: integer tensors differ from the interpreter:\n  ${diffs.join("\n  ")}`).toEqual([]);
    for (const o of c.probe.outputs) if (!c.exact.includes(o) && !c.boundary.includes(o)) floatCheck(o, ref[o]!, "float output");
  });
  return { exactValues, worstFloat, ms: performance.now() - t0 };
}

/** One line per model and rig for the test log. */
export function formatReport(c: Int8Case, target: string, mode: RunMode, r: RigReport): string {
  return `int8 ${c.name} ${target}/${mode}: ${r.exactValues} integer values equal over ${c.sets.length} input set(s), worst float rel error ${r.worstFloat.toExponential(2)}, ${(r.ms / 1000).toFixed(1)} s`;
}

/** Every folder of ../shared/models with a model and two test data sets. */
function sharedModelDirs(): string[] {
  const root = sharedPath("models");
  if (root === undefined) return [];
  const dirs = readdirSync(root).sort().map((f) => path.join(root, f))
    .filter((d) => ["model.onnx", "test_data_set_0", "test_data_set_1"].every((f) => existsSync(path.join(d, f))));
  if (dirs.length === 0) throw new Error(`${root} has no model folder (model.onnx with test_data_set_0 and test_data_set_1)`);
  return dirs;
}

/** One test per shared model on one rig (skipping visibly when its tools are missing). */
export function describeInt8SharedModels(target: string, mode: RunMode): void {
  const dirs = sharedModelDirs();
  describe.runIf(dirs.length > 0)(`int8 shared models on ${target} (${mode}) are bit-exact with the interpreter`, () => {
    for (const dir of dirs) {
      it(`${path.basename(dir)}: calibrated on test_data_set_0, run on test_data_set_1`, (ctx) => {
        const rig = rigOrSkip(ctx, target, mode);
        const c = prepareSharedModel(dir);
        console.log(formatReport(c, target, mode, checkInt8OnRig(c, target, rig)));
      });
    }
  });
}
