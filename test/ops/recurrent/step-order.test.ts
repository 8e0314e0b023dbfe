// stepOrder: the (t, b) visiting order the three recurrent kernels share, with sequence lengths.
import { describe, expect, it } from "vitest";
import { fromNumbers, makeTensor } from "../../../ir/types.js";
import { startRnn, stepOrder } from "../../../ir/kernels/rnn-common.js";

/** A run with T = 3, B = 3 and the given sequence lengths. */
function runWith(lens: number[]) {
  const x = makeTensor("f32", [3, 3, 2]);
  const seq = fromNumbers("i32", [3], lens);
  const opts = { hidden: 1, direction: "forward", acts: [[]], clip: undefined, layout: 0, numOutputs: 1 };
  return startRnn([x, undefined, makeTensor("f32", [1, 1, 1]), undefined, seq], opts, 1).run;
}

function pairs(steps: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < steps.length; i += 2) out.push([steps[i]!, steps[i + 1]!]);
  return out;
}

describe("stepOrder", () => {
  it("forward: step s of every live entry before step s + 1; an empty sequence takes no step", () => {
    expect(pairs(stepOrder(runWith([3, 0, 2]), false))).toEqual([[0, 0], [0, 2], [1, 0], [1, 2], [2, 0]]);
  });

  it("reverse: each entry starts at its own last valid time", () => {
    expect(pairs(stepOrder(runWith([3, 0, 2]), true))).toEqual([[2, 0], [1, 2], [1, 0], [0, 2], [0, 0]]);
  });
});
