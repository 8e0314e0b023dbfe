// The C kernel of Gather with constant indices (codegen/kernels/gather.ts): along the channel axis
// and the last axis, negative and repeated indices, a scalar index (one axis fewer), against the
// interpreter on every rig, byte for byte (the copy is the same for every dtype).
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";

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

  it("refuses run-time indices and a symbolic axis, naming the node", () => {
    const rt = parseGraph(`graph @rt(%x: f32[4], %i: i64[2]) -> (%y) {
  %y = Gather(%x, %i)
}`);
    expect(() => compileGraph(rt, { target: getTarget("c99") })).toThrow(/Gather \(node y\): indices computed at run time are not generated/);
    const sym = parseGraph(`graph @sym(%x: f32[1,T]) -> (%y) {
  %i = const i64[1] [0]
  %y = Gather(%x, %i) {axis=1}
}`);
    expect(() => compileGraph(sym, { target: getTarget("c99"), maxDims: { T: 4 } })).toThrow(/along a symbolic axis/);
  });
});
