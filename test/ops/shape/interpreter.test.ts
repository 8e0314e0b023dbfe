// Shape ops inside the interpreter: `dims` attributes holding T are bound from the inputs.
import { describe, expect, it } from "vitest";
import { parseDim } from "../../../ir/dim.js";
import { makeGraph } from "../../../ir/graph.js";
import { fromNumbers } from "../../../ir/types.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { nums, ty } from "./helpers.js";

describe("interpreter with symbolic dims attributes", () => {
  const T = parseDim("T");
  const g = makeGraph({
    name: "g",
    inputs: ["x"],
    outputs: ["y", "n"],
    nodes: [
      { name: "r", op: "Reshape", inputs: ["x"], outputs: ["r"], attrs: { shape: [T, 2] } },
      { name: "s", op: "Slice", inputs: ["r"], outputs: ["s"], attrs: { starts: [1], ends: [parseDim("T-1")], axes: [0] } },
      { name: "e", op: "Expand", inputs: ["s"], outputs: ["y"], attrs: { shape: [2, 1, 1] } },
      { name: "k", op: "Range", inputs: ["a", "b", "c"], outputs: ["n"], attrs: {} },
    ],
    types: {
      x: ty("f32", [1, T, 2]), r: ty("f32", [T, 2]), s: ty("f32", [parseDim("T-2"), 2]), y: ty("f32", [2, parseDim("T-2"), 2]),
      a: ty("i32", []), b: ty("i32", []), c: ty("i32", []), n: ty("i32", [3]),
    },
    constants: { a: fromNumbers("i32", [], [0]), b: fromNumbers("i32", [], [6]), c: fromNumbers("i32", [], [2]) },
  });
  it("runs for two different lengths of T", () => {
    for (const len of [3, 5]) {
      const x = fromNumbers("f32", [1, len, 2], Array.from({ length: 2 * len }, (_, i) => i));
      const out = runGraph(g, { x });
      expect(out.y!.shape).toEqual([2, len - 2, 2]);
      const inner = Array.from({ length: 2 * (len - 2) }, (_, i) => i + 2);
      expect(nums(out.y!)).toEqual([...inner, ...inner]);
      expect(nums(out.n!)).toEqual([0, 2, 4]);
    }
  });
});
