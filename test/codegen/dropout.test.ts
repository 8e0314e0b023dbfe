// Dropout in C (codegen/kernels/dropout.ts) against the interpreter: the identity with its mask
// output (bool, and the opset 7-9 mask in the input's dtype) when inference is an attribute or a
// run-time training_mode input, training mode with ratio 0 (the identity), and the clear errors of
// a random training mode: a compile error when it is known, return code 5 with a sentence when the
// run asks for it. compileGraph runs no canonicalize, so the kernel itself is what runs here.
import { describe, expect, it } from "vitest";
import { BuildError, buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, itOnRigs, rigOrSkip } from "./helpers.js";

const g = parseGraph(`graph @g(%x: f32[2,T], %t: bool[], %r: f32[], %h: f64[3]) -> (%y1, %m1, %y2, %m2, %y3, %y4, %m4) {
  %y1, %m1 = Dropout(%x, %r, %t)
  %y2, %m2 = Dropout(%x) {ratio=0.3}
  %y3 = Dropout(%x, _, %t) {ratio=0}
  %y4, %m4 = Dropout(%h) {mask_type="input"}
}`);

const rng = new Rng(5);
const set = (T: number, train: boolean, ratio: number): Record<string, Tensor> => ({
  x: seededTensor(rng, "f32", [2, T], { values: { min: -1, max: 1 } }),
  t: fromNumbers("bool", [], [train ? 1 : 0]), r: fromNumbers("f32", [], [ratio]), h: fromNumbers("f64", [3], [1.5, -2, 0.25]),
});

describe("Dropout in C", () => {
  // Inference with a ratio, training mode with ratio 0: both the identity with a mask of ones.
  itOnRigs(ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod"), (target, rig) => {
    checkGraph(g, target, rig, [set(5, false, 0.5), set(9, true, 0)], { maxDims: { T: 9 }, tol: 0 });
  });

  // The memory plan can give the output the input's place (its input dies there): no copy then,
  // and nothing gcc -Werror=restrict rejects.
  it("an output in its input's place builds and runs", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const inPlace = parseGraph(`graph @p(%x: f32[1,1,T]) -> (%z) {
  %a = Relu(%x)
  %b = Dropout(%a)
  %z = Neg(%b)
}`);
    checkGraph(inPlace, "c99", rig, [{ x: seededTensor(rng, "f32", [1, 1, 7], { values: { min: -1, max: 1 } }) }], { maxDims: { T: 7 }, tol: 0 });
  });

  it("a training mode with ratio > 0 given at run time makes the run return 5 with a sentence", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const m = compileGraph(g, { target: getTarget("c99"), maxDims: { T: 9 } });
    const b = buildModel(m, rig);
    expect(() => runBuild(m, b, set(5, true, 0.5))).toThrow(/code 5: a Dropout was asked for training mode with a ratio above 0/);
    expect(() => runBuild(m, b, set(5, true, 0.5))).toThrow(BuildError);
  });

  it("a training mode with ratio > 0 known at compile time is refused with one sentence", () => {
    const t = parseGraph(`graph @t(%x: f32[4]) -> (%y) {\n  %y = Dropout(%x) {ratio=0.25, training_mode=1}\n}`);
    expect(() => compileGraph(t, { target: getTarget("c99") })).toThrow(/training_mode=1 with ratio 0.25 draws a random mask, which generated C does not do; export the model in inference mode/);
  });
});
