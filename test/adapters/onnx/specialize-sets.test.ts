// specializeSets (src/adapters/onnx/specialize-sets.ts): the input sets of a model that needs a
// specialization, grouped by their input shapes and the values of the inputs read by value, in
// order of first appearance; the bound inputs leave the sets; a set missing a deciding input is
// a usage error.
import { describe, expect, it } from "vitest";
import { fromNumbers, toNumbers } from "../../../ir/types.js";
import { specializeSets } from "../../../src/adapters/onnx/specialize-sets.js";

const set = (label: string, samples: number, sr: number) => ({
  label,
  inputs: { input: fromNumbers("f32", [1, samples], new Array(samples).fill(0)), state: fromNumbers("f32", [2, 1, 4], new Array(8).fill(0)), sr: fromNumbers("i64", [], [sr]) },
});

describe("specializeSets", () => {
  it("groups by shapes and bound values, keeps the order, and drops the bound inputs", () => {
    const groups = specializeSets([set("a", 512, 16000), set("b", 256, 8000), set("c", 512, 16000), set("d", 512, 8000)], ["input"], ["sr"]);
    expect(groups.map((g) => [g.label, g.sets.map((s) => s.label)])).toEqual([
      ["input=1,512, state=2,1,4, sr=16000", ["a", "c"]],
      ["input=1,256, state=2,1,4, sr=8000", ["b"]],
      ["input=1,512, state=2,1,4, sr=8000", ["d"]],
    ]);
    expect(groups[0]!.inputShapes).toEqual({ input: [1, 512], state: [2, 1, 4] });
    expect(toNumbers(groups[0]!.bind["sr"]!)).toEqual([16000]);
    expect(Object.keys(groups[0]!.sets[0]!.inputs).sort()).toEqual(["input", "state"]);
  });

  it("a set without a deciding input is a usage error naming it", () => {
    const { sr: _sr, ...rest } = set("x", 512, 16000).inputs;
    expect(() => specializeSets([{ label: "x", inputs: rest }], ["input"], ["sr"])).toThrow(/x gives no tensor for the input "sr", which the model needs to specialize its If/);
  });
});
