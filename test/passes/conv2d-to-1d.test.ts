// conv2d-to-1d: 1xK Conv2d on [N,C,1,T] becomes 1-D; what it must not touch.
import { describe, expect, it } from "vitest";
import { printGraph } from "../../ir/text/index.js";
import { expectSameNumbers, ir, ops, run } from "./helpers.js";

describe("conv2d-to-1d", () => {
  it("handles a weight that is not a constant, groups and a fused activation", () => {
    const g = ir(`graph @g(%x: f32[1,4,T], %w: f32[4,2,1,3]) -> (%y) {
  %u = Unsqueeze(%x) {axes=[2]}
  %c = Conv(%u, %w) {activation="Relu", group=2, pads=[0, 1, 0, 1]}
  %y = Squeeze(%c) {axes=[2]}
}`);
    const out = run(g, "conv2d-to-1d");
    expect(ops(out)).toEqual(["Squeeze", "Conv"]);
    expect(printGraph(out)).toContain(`%y = Conv(%x, %w.1d) {activation="Relu", group=2, pads=[1, 1]}`);
    expectSameNumbers(g, out);
  });

  it("leaves real 2-D convolutions alone and explains why", () => {
    const g = ir(`graph @g(%x: f32[1,2,5,T], %w: f32[2,2,3,3]) -> (%y) {
  %y = Conv(%x, %w)
}`);
    const lines: string[] = [];
    const out = run(g, "conv2d-to-1d", { explain: ["conv2d-to-1d"], log: (t) => lines.push(t) });
    expect(out).toBe(g);
    expect(lines.join("")).toContain("Conv y: did not fire (conv2d-1xk: the input's height is 5, not 1)");
  });

  it("declines a Conv that pads the height axis", () => {
    const g = ir(`graph @g(%x: f32[1,2,1,T]) -> (%y) {
  %w = const f32[2,2,1,1] [1, 2, 3, 4]
  %y = Conv(%x, %w) {pads=[1, 0, 1, 0]}
}`);
    const lines: string[] = [];
    const out = run(g, "conv2d-to-1d", { explain: ["conv2d-to-1d"], log: (t) => lines.push(t) });
    expect(out).toBe(g);
    expect(lines.join("")).toContain("conv2d-1xk: it pads the height axis (pads [1,0,1,0])");
  });
});
