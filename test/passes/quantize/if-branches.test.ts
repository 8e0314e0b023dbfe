// quantize through a run-time If: calibration runs through the branch the condition takes and
// records the ranges of that branch's values; quantize lowers each branch as a graph of its own
// with them (captured inputs quantized where an integer op reads them, branch outputs
// dequantized), so the If keeps a float interface and both branches run integer ops. A branch
// calibration never took has no ranges and stays float, listed once. Checked on the two If models
// of test/helpers/if-models.ts: int8 against float on random inputs that take each branch
// (fast-check), the names of the whole model unique, and the generated C against the
// interpreter on the int8 graph for both branches. Synthetic calibration works through an If
// that follows the BatchNorms, and refuses in one sentence a model whose BatchNorms are all inside
// branches.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { subgraphsOf, type Graph } from "../../../ir/graph.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { verifyGraph } from "../../../ir/verify.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { runPipeline } from "../../../passes/run.js";
import { attachCalibration, quantize, quantizeGraph } from "../../../passes/quantize/index.js";
import { runPass } from "../../../passes/index.js";
import { parseGraph } from "../../../ir/text/index.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { runSyntheticCalibration } from "../../../src/analyses/calibration/synthetic/index.js";
import { floatNodesOf } from "../../../src/analyses/calibration/quantized-values.js";
import { sqnrReport } from "../../../src/analyses/calibration/sqnr.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { Rng, seededTensor, sqnrDb } from "../../../src/testing/index.js";
import { vadFrontEnds, VAD_SAMPLES, verifierHead, verifierInputs } from "../../helpers/if-models.js";
import { checkGraph, itOnRigs } from "../../codegen/helpers.js";

const O1 = (bytes: Uint8Array) => runPipeline(importOnnxBytes(bytes, "model.onnx"), "-O1", { log: () => {} });

const srOf = (sr: number): Tensor => fromNumbers("i64", [1], [sr]);
const audio = (rng: Rng): Tensor => seededTensor(rng, "f32", [1, 1, VAD_SAMPLES], { values: { min: -1, max: 1 } });

/** `n` random chunks at each rate given: the calibration set. */
function vadSamples(seed: number, n: number, rates: readonly number[]): Record<string, Tensor>[] {
  const rng = new Rng(seed);
  return rates.flatMap((sr) => Array.from({ length: n }, () => ({ audio: audio(rng), sr: srOf(sr) })));
}

function branch(g: Graph, attr: string): Graph {
  return subgraphsOf(g.nodes.find((n) => n.op === "If")!).find(([k]) => k === attr)![1];
}

function branchOps(g: Graph): Record<string, string[]> {
  const iff = g.nodes.find((n) => n.op === "If")!;
  return Object.fromEntries(subgraphsOf(iff).map(([k, sub]) => [k, sub.nodes.map((n) => n.op)]));
}

/** Every value a node of g or of its branches writes: each must be written once in the model. */
function writtenValues(g: Graph): string[] {
  return g.nodes.flatMap((n) => [...n.outputs.filter(Boolean), ...subgraphsOf(n).flatMap(([, sub]) => writtenValues(sub))]);
}

const vadFloat = O1(vadFrontEnds());
const vadInt8 = quantizeGraph(vadFloat, calibrate(vadFloat, vadSamples(1, 8, [16000, 8000])).ranges);

describe("quantize through an If", () => {
  it("lowers both branches to integer ops with the ranges calibrated inside them; the If's interface stays float", () => {
    verifyGraph(vadInt8);
    const ops = branchOps(vadInt8);
    // Each branch: its captured audio quantized once, integer ops, its output dequantized once
    // (the max pool runs on the int8 values: it commutes with the affine map; the Relu after it,
    // fused into no conv, is a table).
    expect(ops.then_branch).toEqual(["Quantize", "QConv", "Dequantize"]);
    expect(ops.else_branch).toEqual(["Quantize", "QConv", "MaxPool", "QLookup", "Dequantize"]);
    const elseBranch = branch(vadInt8, "else_branch");
    const pool = elseBranch.nodes.find((n) => n.op === "MaxPool")!;
    expect(elseBranch.types[pool.outputs[0]!]!.dtype).toBe("i8");
    const iff = vadInt8.nodes.find((n) => n.op === "If")!;
    for (const o of iff.outputs) expect(vadInt8.types[o]!.dtype).toBe("f32");
    // Nothing of the branches is listed in float: the If is control flow, its branches are integer.
    expect(floatNodesOf(vadInt8.meta).map((f) => f.op)).not.toContain("If");
    expect(floatNodesOf(vadInt8.meta).map((f) => f.op)).not.toContain("Conv");
    const written = writtenValues(vadInt8);
    expect(written.length, "values written twice in the model").toBe(new Set(written).size);
  });

  it("the SQNR report has the branches' layers, those of a branch no sample took left out", () => {
    const both = sqnrReport(vadFloat, vadInt8, vadSamples(7, 2, [16000, 8000]));
    const byNode = new Map(both.layers.map((l) => [l.node, l]));
    // feat16: conv16 with relu16 fused by -O1, named after the Relu's output.
    for (const n of ["feat16", "conv8"]) {
      expect(byNode.get(n)?.intOp, n).toBe("QConv");
      expect(byNode.get(n)!.sqnrDb, n).toBeGreaterThan(20);
      expect(byNode.get(n)!.weightBytesFloat, `${n}: its weights, found in its branch`).toBeGreaterThan(byNode.get(n)!.weightBytesInt);
      expect(byNode.get(n)!.macs, n).toBeGreaterThan(0);
    }
    const only16k = sqnrReport(vadFloat, vadInt8, vadSamples(7, 2, [16000]));
    expect(only16k.layers.map((l) => l.node)).toContain("feat16");
    expect(only16k.layers.map((l) => l.node)).not.toContain("conv8");
  });

  it("property: the int8 VAD follows the float one on random audio through either branch (SQNR >= 25 dB)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(16000, 8000), (seed, sr) => {
      const inputs = { audio: audio(new Rng(seed)), sr: srOf(sr) };
      const f = runGraph(vadFloat, inputs).prob!, q = runGraph(vadInt8, inputs).prob!;
      expect(sqnrDb(Float64Array.from(f.data as Float32Array), Float64Array.from(q.data as Float32Array))).toBeGreaterThanOrEqual(25);
    }), { numRuns: 20 });
  });

  it("leaves a branch calibration never took in float and lists its nodes", () => {
    const only16k = quantizeGraph(vadFloat, calibrate(vadFloat, vadSamples(2, 4, [16000])).ranges);
    verifyGraph(only16k);
    const ops = branchOps(only16k);
    expect(ops.then_branch).toContain("QConv");
    expect(ops.else_branch).toContain("Conv");
    const listed = floatNodesOf(only16k.meta).map((f) => f.node);
    for (const n of ["conv8", "pool8"]) expect(listed.some((l) => l.startsWith(n)), `${n} listed in ${listed.join(", ")}`).toBe(true);
    // The float branch computes what the float model does (its input is the float audio).
    const inputs = { audio: audio(new Rng(3)), sr: srOf(8000) };
    const f = runGraph(vadFloat, inputs).prob!, q = runGraph(only16k, inputs).prob!;
    expect(sqnrDb(Float64Array.from(f.data as Float32Array), Float64Array.from(q.data as Float32Array))).toBeGreaterThanOrEqual(25);
  });

  it("quantizes a branch that reads outer values (an outer Sigmoid's output) and holds tables of its own", () => {
    const g = O1(verifierHead());
    const ver = verifierInputs();
    const rng = new Rng(5);
    const jitter = (x: Tensor) => fromNumbers("f32", [...x.shape], Array.from(x.data as Float32Array, (v) => v + (rng.next() - 0.5) * 0.05));
    const samples = Array.from({ length: 4 }, () => [{ x: jitter(ver.above.x!) }, { x: jitter(ver.below.x!) }]).flat();
    const q = quantizeGraph(g, calibrate(g, samples).ranges);
    verifyGraph(q);
    const ops = branchOps(q);
    expect(ops.then_branch).toContain("QMatMul");
    expect(ops.then_branch).toContain("QLookup");
    for (const x of [ver.above, ver.below]) {
      const f = runGraph(g, x), r = runGraph(q, x);
      for (const o of g.outputs) expect(Math.abs(Number(r[o]!.data[0]) - Number(f[o]!.data[0])), o).toBeLessThanOrEqual(0.02);
    }
  });

  it("the pass quantizes a model that is all one If (nothing to lower outside it), and leaves an int8 one alone", () => {
    // Silero VAD v5's form: the whole network inside an If on the sample rate.
    const g = parseGraph(`graph @whole(%x: f32[1,8], %fast: bool[]) -> (%y) {
  %y = If(%fast, %x) {else_branch=graph @else_branch(%x: f32[1,8]) -> (%e) {
      %w = const f32[8,4] [${Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) / 10 - 0.5).join(", ")}]
      %m = MatMul(%x, %w) : f32[1,4]
      %e = Tanh(%m) : f32[1,4]
    }, then_branch=graph @then_branch(%x: f32[1,8]) -> (%t) {
      %v = const f32[8,4] [${Array.from({ length: 32 }, (_, i) => ((i * 5) % 9) / 8 - 0.5).join(", ")}]
      %s = MatMul(%x, %v) : f32[1,4]
      %t = Sigmoid(%s) : f32[1,4]
    }} : f32[1,4]
}`);
    const rng = new Rng(11);
    const samples = [true, false].flatMap((fast) => Array.from({ length: 4 }, () => ({ x: seededTensor(rng, "f32", [1, 8], { values: { min: -2, max: 2 } }), fast: fromNumbers("bool", [], [fast ? 1 : 0]) })));
    const logs: string[] = [];
    const q = runPass(attachCalibration(g, calibrate(g, samples)), quantize, {}, { log: (m) => logs.push(m) });
    expect(q).not.toBe(g);
    expect(branchOps(q).else_branch).toContain("QMatMul");
    expect(branchOps(q).then_branch).toContain("QLookup");
    for (const x of samples) expect(Math.abs(Number(runGraph(q, x).y!.data[0]) - Number(runGraph(g, x).y!.data[0]))).toBeLessThanOrEqual(0.03);
    const again: string[] = [];
    expect(runPass(q, quantize, {}, { log: (m) => again.push(m) })).toBe(q);
    expect(again).toEqual(["the graph is already quantized; left unchanged"]);
  });

  it("synthetic calibration works through an If after the BatchNorms: the branches its inputs take are quantized", () => {
    // The synthesiser matches the BatchNorm statistics (before the If); calibration then runs the
    // -O1 graph on its inputs, through whichever branch each takes (the sign of a gate input).
    const w = (seed: number) => Array.from({ length: 16 }, (_, i) => (((i + seed) * 7) % 13) / 13 - 0.5).join(", ");
    const g = parseGraph(`graph @bn_if(%x: f32[1,4,T], %gate: f32[1]) -> (%y) {
  %w = const f32[4,4,1] [${w(1)}]
  %s = const f32[4] [1.5, 0.5, 2, 1]
  %b = const f32[4] [0.1, -0.2, 0.3, 0]
  %m = const f32[4] [0.5, -1, 0.25, 2]
  %v = const f32[4] [4, 0.25, 1, 9]
  %zero = const f32[1] [0]
  %c = Conv(%x, %w) : f32[1,4,T]
  %n = BatchNormalization(%c, %s, %b, %m, %v) : f32[1,4,T]
  %up = Greater(%gate, %zero) : bool[1]
  %y = If(%up, %n) {else_branch=graph @else_branch(%n: f32[1,4,T]) -> (%e) {
      %we = const f32[4,4,1] [${w(2)}]
      %e = Conv(%n, %we) : f32[1,4,T]
    }, then_branch=graph @then_branch(%n: f32[1,4,T]) -> (%t) {
      %wt = const f32[4,4,1] [${w(3)}]
      %ct = Conv(%n, %wt) : f32[1,4,T]
      %t = Tanh(%ct) : f32[1,4,T]
    }} : f32[1,4,T]
}`);
    const syn = runSyntheticCalibration(g, { count: 8, steps: 10, dims: { T: 16 } });
    expect(syn.finalLoss).toBeLessThan(syn.initialLoss);
    const took = new Set(syn.inputs.map((i) => Number(i.gate!.data[0]) > 0));
    expect(took.size, "the synthetic inputs take both branches").toBe(2);
    const f = runPipeline(g, "-O1", { log: () => {} });
    const q = quantizeGraph(f, calibrate(f, syn.inputs).ranges);
    verifyGraph(q);
    expect(branchOps(q).then_branch).toContain("QConv");
    expect(branchOps(q).then_branch).toContain("QLookup");
    expect(branchOps(q).else_branch).toContain("QConv");
    for (const x of syn.inputs) {
      const a = Float64Array.from(runGraph(f, x).y!.data as Float32Array), b = Float64Array.from(runGraph(q, x).y!.data as Float32Array);
      expect(sqnrDb(a, b)).toBeGreaterThanOrEqual(25);
    }
  });

  it("synthetic calibration refuses with one sentence a model whose BatchNorms are all inside If branches", () => {
    const g = parseGraph(`graph @bn_in_if(%x: f32[1,2,8], %gate: f32[1]) -> (%y) {
  %zero = const f32[1] [0]
  %up = Greater(%gate, %zero) : bool[1]
  %y = If(%up, %x) {else_branch=graph @else_branch(%x: f32[1,2,8]) -> (%x) {
    }, then_branch=graph @then_branch(%x: f32[1,2,8]) -> (%t) {
      %s = const f32[2] [1, 2]
      %b = const f32[2] [0, 1]
      %m = const f32[2] [0.5, -1]
      %v = const f32[2] [4, 0.25]
      %t = BatchNormalization(%x, %s, %b, %m, %v) : f32[1,2,8]
    }} : f32[1,2,8]
}`);
    expect(() => runSyntheticCalibration(g, { count: 2, steps: 1 })).toThrow(/^model bn_in_if has its BatchNormalization statistics only inside If branches \(1 node\), which synthetic calibration does not differentiate through; calibrate on real data with --calibration DIR instead$/);
  });

  const rng = new Rng(9);
  const sets = [16000, 8000].map((sr) => ({ audio: audio(rng), sr: srOf(sr) }));
  itOnRigs([["c99", "native"]], (target, rig) => {
    checkGraph(vadInt8, target, rig, sets, { tol: 1e-4, label: "int8 VAD" });
  }, "the int8 VAD's C against the interpreter on both branches");
});
