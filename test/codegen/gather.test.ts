// The C kernel of Gather with constant indices (codegen/kernels/gather.ts): along the channel axis
// and the last axis, negative and repeated indices, a scalar index (one axis fewer), against the
// interpreter on every rig, byte for byte (the copy is the same for every dtype); run-time and
// symbolic-axis indices checked in C.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { makeTensor } from "../../ir/types.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { ALL_RIGS, checkBitExact, itOnRigs, rigOrSkip } from "./helpers.js";

const randomF32 = (r: Rng, shape: number[], lo = -1, hi = 1): Tensor => seededTensor(r, "f32", shape, { values: { min: lo, max: hi } });

const rng = new Rng(606);

const g = parseGraph(`graph @gather(%x: f32[2,6,T], %w: f32[4,5]) -> (%a, %b, %c) {
  %i0 = const i64[3] [4, -1, 0]
  %i1 = const i32[2,2] [1, 1, 3, -5]
  %i2 = const i64[] [2]
  %a = Gather(%x, %i0) {axis=1}
  %b = Gather(%w, %i1) {axis=-1}
  %c = Gather(%w, %i2)
}`);

const sets: Record<string, Tensor>[] = [4, 7].map((T) => ({ x: randomF32(rng, [2, 6, T]), w: randomF32(rng, [4, 5]) }));

describe("Gather in C", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, sets, { maxDims: { T: 7 } }));

  // Indices computed at run time (i32 and i64, negative ones from the end) and constant indices
  // into a symbolic axis: both are checked in C.
  const rt = parseGraph(`graph @rt(%x: f32[3,T], %i: i64[2,2], %j: i32[3]) -> (%a, %b, %c) {
  %k = const i64[2] [-1, 0]
  %a = Gather(%x, %i) {axis=1}
  %b = Gather(%x, %j)
  %c = Gather(%x, %k) {axis=1}
}`);
  const rtSets = [5, 8].map((T) => ({
    x: randomF32(rng, [3, T]),
    i: makeTensor("i64", [2, 2], BigInt64Array.from([0, T - 1, -T, -1].map(BigInt))),
    j: makeTensor("i32", [3], Int32Array.from([2, -3, 0])),
  }));
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(rt, target, rig, rtSets, { maxDims: { T: 8 } }), "run-time indices");

  it("returns 4 from the run for an index out of range", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const model = compileGraph(rt, { target: getTarget("c99"), maxDims: { T: 8 } });
    const bad = { ...rtSets[0]!, i: makeTensor("i64", [2, 2], BigInt64Array.from([0n, 5n, 0n, 0n])) };
    expect(() => runBuild(model, buildModel(model, rig), bad)).toThrow(/failed with code 4/);
  });
});
