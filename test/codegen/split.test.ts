// The C kernel of Split (codegen/kernels/split.ts): equal and given sizes, along the channel axis
// of a [1,C,T] input (symbolic T), the last axis and the first, against the interpreter on every
// rig, byte for byte (a data move, the same for every dtype).
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";

const randomF32 = (r: Rng, shape: number[], lo = -1, hi = 1): Tensor => seededTensor(r, "f32", shape, { values: { min: lo, max: hi } });

const rng = new Rng(91);

const g = parseGraph(`graph @split(%x: f32[1,6,T], %w: f32[2,3,4]) -> (%a, %b, %c, %d, %e, %f, %h) {
  %a, %b, %c = Split(%x) {axis=1}
  %d, %e = Split(%w) {axis=-1, split=[1,3]}
  %f, %h = Split(%w) {axis=0}
}`);

const sets: Record<string, Tensor>[] = [5, 9].map((T) => ({ x: randomF32(rng, [1, 6, T]), w: randomF32(rng, [2, 3, 4]) }));

describe("Split in C", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, sets, { maxDims: { T: 9 } }));
});
