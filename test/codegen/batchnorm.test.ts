// The C kernel of BatchNormalization (codegen/kernels/batchnorm.ts): the BatchNorms -O1 cannot
// fold (after a Relu, after an Add, on a graph input) and every one of them with -O0, against
// the interpreter on every rig. Lengths of 7 and 13 frames leave NEON tails; one graph takes its
// parameters at run time, one uses the per-position [C, L] form. (Whole models with
// their BatchNorms kept, -O0, run through C in test/app/cli/every-model-c.test.ts.) The training
// form (batch statistics and the statistics outputs) with constant and run-time parameters.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const randomF32 = (r: Rng, shape: number[], lo = -1, hi = 1): Tensor => seededTensor(r, "f32", shape, { values: { min: lo, max: hi } });

const rng = new Rng(2207);
const rand = (shape: number[], lo = -1, hi = 1): Tensor => randomF32(rng, shape, lo, hi);

const C = 6;
const stats = (p: string, c: number | number[]) => {
  const shape = typeof c === "number" ? [c] : c;
  return [
    constLine(`${p}_s`, rand(shape, 0.5, 1.5)), constLine(`${p}_b`, rand(shape, -0.5, 0.5)),
    constLine(`${p}_m`, rand(shape, -0.3, 0.3)), constLine(`${p}_v`, rand(shape, 0.2, 2)),
  ].join("\n");
};

// A BatchNorm on the input, one after a Relu, one after an Add, and the per-position form.
const weights = Array.from(rand([C * C * 3]).data as Float32Array).join(", ");
const constantParams = parseGraph(`graph @bn(%x: f32[1,${C},T], %u: f32[2,${C},5]) -> (%y0, %y2, %y3) {
${stats("p0", C)}
${stats("p1", C)}
${stats("p2", C)}
${stats("p3", [C, 5])}
  %w = const f32[${C},${C},3] [${weights}]
  %y0 = BatchNormalization(%x, %p0_s, %p0_b, %p0_m, %p0_v) {epsilon=0.001}
  %c = Conv(%y0, %w) {pads=[1,1]}
  %r = Relu(%c)
  %y1 = BatchNormalization(%r, %p1_s, %p1_b, %p1_m, %p1_v)
  %sum = Add(%y1, %x)
  %y2 = BatchNormalization(%sum, %p2_s, %p2_b, %p2_m, %p2_v)
  %y3 = BatchNormalization(%u, %p3_s, %p3_b, %p3_m, %p3_v)
}`);

// Parameters given at run time, on a rank-2 [N, C] input (plane 1) and a rank-4 one.
const runtimeParams = parseGraph(`graph @bn_rt(%x: f32[3,${C}], %z: f32[2,${C},3,T], %s: f32[${C}], %b: f32[${C}], %m: f32[${C}], %v: f32[${C}]) -> (%y, %w) {
  %y = BatchNormalization(%x, %s, %b, %m, %v)
  %w = BatchNormalization(%z, %s, %b, %m, %v) {epsilon=0.01}
}`);

// training_mode=1: the opset 14+ outputs (y, running mean and variance) with constant parameters,
// and the opset 7-13 saved batch mean and variance with parameters given at run time.
const training = parseGraph(`graph @bn_train(%x: f32[2,${C},T], %z: f32[3,${C},2,T], %s: f32[${C}], %b: f32[${C}], %m: f32[${C}], %v: f32[${C}]) -> (%y, %rm, %rv, %y2, %rm2, %rv2, %sm2, %sv2) {
${stats("p", C)}
  %y, %rm, %rv = BatchNormalization(%x, %p_s, %p_b, %p_m, %p_v) {training_mode=1, momentum=0.8}
  %y2, %rm2, %rv2, %sm2, %sv2 = BatchNormalization(%z, %s, %b, %m, %v) {training_mode=1, epsilon=0.01}
}`);

function trainingSetsOf(): Record<string, Tensor>[] {
  return [4, 11].map((T) => ({
    x: rand([2, C, T], -2, 3), z: rand([3, C, 2, T], -1, 2),
    s: rand([C], 0.5, 1.5), b: rand([C], -0.5, 0.5), m: rand([C], -0.3, 0.3), v: rand([C], 0.2, 2),
  }));
}

function constantSets(): Record<string, Tensor>[] {
  return [7, 13].map((T) => ({ x: rand([1, C, T], -2, 2), u: rand([2, C, 5], -2, 2) }));
}

function runtimeSets(): Record<string, Tensor>[] {
  return [5, 9].map((T) => ({
    x: rand([3, C], -2, 2), z: rand([2, C, 3, T], -2, 2),
    s: rand([C], 0.5, 1.5), b: rand([C], -0.5, 0.5), m: rand([C], -0.3, 0.3), v: rand([C], 0.2, 2),
  }));
}

describe("BatchNormalization in C", () => {
  const sets = constantSets(), rtSets = runtimeSets(), trainingSets = trainingSetsOf();

  itOnRigs(ALL_RIGS, (target, rig) => {
    const r = checkGraph(constantParams, target, rig, sets, { maxDims: { T: 13 }, tol: 1e-5 });
    expect(r.worst).toBeLessThanOrEqual(1e-5);
  }, "constant parameters (on an input, after Relu, after Add, per position)");

  itOnRigs(ALL_RIGS, (target, rig) => {
    checkGraph(runtimeParams, target, rig, rtSets, { maxDims: { T: 9 }, tol: 1e-5 });
  }, "parameters given at run time");

  itOnRigs(ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod"), (target, rig) => {
    checkGraph(training, target, rig, trainingSets, { maxDims: { T: 11 }, tol: 1e-5 });
  }, "training_mode=1 (batch statistics, running and saved statistics)");

  it("refuses per-position parameters in training mode with a sentence naming the node", () => {
    const g = parseGraph(`graph @t(%x: f32[2,3,4]) -> (%y, %rm) {
${stats("p", [3, 4])}
  %y, %rm = BatchNormalization(%x, %p_s, %p_b, %p_m, %p_v) {training_mode=1}
}`);
    expect(() => compileGraph(g, { target: getTarget("c99") })).toThrow(/BatchNormalization \(node y\): training_mode=1 needs per-channel parameters/);
  });
});
