// MT19937 against numpy's RandomState (values printed by numpy 2.x) and the generator's
// published check value, and training-mode Dropout drawing numpy's mask.
import { describe, expect, it } from "vitest";
import { MT19937 } from "../../../ir/kernels/mt19937.js";
import { dropout } from "../../../ir/ops/shape/dropout.js";
import { fromNumbers } from "../../../ir/types.js";

describe("MT19937", () => {
  it("matches numpy RandomState(seed).uniform for integer seeds", () => {
    const g = MT19937.fromSeed(0);
    expect([g.nextDouble(), g.nextDouble(), g.nextDouble()]).toEqual([0.5488135039273248, 0.7151893663724195, 0.6027633760716439]);
    for (let i = 3; i < 1000; i++) g.nextDouble();
    expect(g.nextDouble()).toBe(0.5928802707811576); // crosses several state regenerations
    const h = MT19937.fromSeed(4294967295);
    expect([h.nextDouble(), h.nextDouble()]).toEqual([0.0976320289940138, 0.9123828453026218]);
  });
  it("matches numpy RandomState([1, 2, 3]) for array seeds (init_by_array)", () => {
    const g = MT19937.fromArray([1, 2, 3]);
    expect([g.nextDouble(), g.nextDouble()]).toEqual([0.6098612722867289, 0.8866970434146851]);
  });
  it("gives the reference check value: the 10000th output for seed 5489 is 4123659995", () => {
    const g = MT19937.fromSeed(5489);
    let v = 0;
    for (let i = 0; i < 10000; i++) v = g.nextUint32();
    expect(v).toBe(4123659995);
  });
});

describe("training-mode dropout", () => {
  it("keeps where uniform >= ratio and scales by 1/(1-ratio)", () => {
    const x = fromNumbers("f32", [5], [1, 2, 3, 4, 5]);
    const [y, mask] = dropout(x, 0.5, true, 0);
    // uniforms of seed 0: 0.549, 0.715, 0.603, 0.545, 0.424
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 0]);
    expect(Array.from(y.data as Float32Array)).toEqual([2, 4, 6, 8, 0]);
  });
  it("is the identity with ratio 0 or outside training", () => {
    const x = fromNumbers("f32", [2], [1, 2]);
    expect(dropout(x, 0, true, 0)[0]).toBe(x);
    expect(Array.from(dropout(x, 0.9, false, 0)[1])).toEqual([1, 1]);
  });
});
