// Lengths computed at run time (extents) in the generated C: a Range over a length read from an
// input sets the extent len1 <= T, the buffers after it are sized for T (the arena does not grow
// with the input's value) and the loops run over len1 (a sum of squares over the Range); where the
// Range meets T (added to x of [1,T]) the run needs len1 = T. Against the interpreter on random
// lengths, on c99 and on a NEON rig; a length above its bound, or unequal where it meets T,
// returns 6 from the run.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { checkGraph, itOnRigs, rigOrSkip } from "./helpers.js";
import { buildModel, runBuild } from "../../codegen/build.js";

const SUM = `graph @sum(%n: f32[1], %x: f32[1,T]) -> (%s) {
  %zero = const f32[] [0]
  %one = const f32[] [1]
  %ns = Squeeze(%n) {axes=[0]}
  %r = Range(%zero, %ns, %one) {size=[len1<=T]}
  %sq = Mul(%r, %r)
  %s = ReduceSum(%sq) {axes=[0], keepdims=1}
}`;

const MEET = `graph @meet(%n: f32[1], %x: f32[1,T]) -> (%y, %s) {
  %zero = const f32[] [0]
  %one = const f32[] [1]
  %ns = Squeeze(%n) {axes=[0]}
  %r = Range(%zero, %ns, %one) {size=[len1<=T]}
  %y = Add(%x, %r)
  %s = ReduceSum(%r) {axes=[0], keepdims=1}
}`;

const rng = new Rng(1010);
const T_MAX = 24;

function set(n: number, T: number): Record<string, Tensor> {
  return { n: fromNumbers("f32", [1], [n]), x: seededTensor(rng, "f32", [1, T], { values: { min: -1, max: 1 } }) };
}

/** Random lengths up to T (0 and T included), for a few T. */
const sumSets = [5, 13, T_MAX].flatMap((T) => [0, T, 1 + Math.floor(rng.next() * T), Math.floor(rng.next() * T) + 0.5].map((n) => set(n, T)));
/** Lengths equal to T, where the Range meets T. */
const meetSets = [1, 7, T_MAX].map((T) => set(T, T));

describe("extents in C", () => {
  itOnRigs([["c99", "native"], ["aarch64", "simde"]], (target, rig) => {
    const sum = checkGraph(parseGraph(SUM), target, rig, sumSets, { maxDims: { T: T_MAX }, tol: 0 });
    // Sized for the bound: the Range's buffer and the squares' are T_MAX floats each at most.
    expect(sum.model.arenaBytes).toBeLessThanOrEqual(2 * 4 * T_MAX + 64);
    checkGraph(parseGraph(MEET), target, rig, meetSets, { maxDims: { T: T_MAX }, tol: 0 });
  });

  it("declares the extent, sets it in the Range after checking the bound, and guards where it meets T", () => {
    const c = compileGraph(parseGraph(MEET), { target: getTarget("c99"), maxDims: { T: T_MAX } }).files["model.c"]!;
    expect(c).toContain("int len1 = 0;");
    expect(c).toMatch(/if \(q > \(double\)\(T\)\) return 6;/);
    expect(c).toContain("len1 = (int)q;");
    expect(c).toContain("if (len1 != T) return 6;");
  });

  it("the run returns 6 for a length above its bound and for one unequal to T where it meets T", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const sum = compileGraph(parseGraph(SUM), { target: getTarget("c99"), maxDims: { T: 8 } });
    expect(() => runBuild(sum, buildModel(sum, rig), set(9, 8))).toThrow(/failed with code 6/);
    const meet = compileGraph(parseGraph(MEET), { target: getTarget("c99"), maxDims: { T: 8 } });
    expect(() => runBuild(meet, buildModel(meet, rig), set(5, 8))).toThrow(/failed with code 6/);
  });

  it("refuses an output whose length is computed at run time, in one sentence", () => {
    const g = parseGraph(SUM.replace("-> (%s)", "-> (%s, %r)"));
    expect(() => compileGraph(g, { target: getTarget("c99"), maxDims: { T: 8 } })).toThrow(
      "output r has a length computed at run time (len1<=T), which the generated C cannot return; neonc compiles outputs whose dims are known from the inputs' shapes");
  });
});
