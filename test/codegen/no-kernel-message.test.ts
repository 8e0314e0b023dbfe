// A model with ops the C generator has no kernel for gets one sentence that lists them grouped
// by op (a QuartzNet with 33 unfolded BatchNorms used to get 33 clauses), with the node count and
// the first few names.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";

describe("no C kernel", () => {
  it("groups the nodes of each op without a kernel", () => {
    const g = parseGraph(`graph @g(%x: f32[4], %z: f32[4]) -> (%y1, %y2, %y3, %y4, %y5) {
  %y1 = Equal(%x, %z)
  %y2 = Equal(%x, %x)
  %y3 = Equal(%z, %z)
  %y4 = Equal(%z, %x)
  %y5 = Greater(%x, %z)
}`);
    expect(() => compileGraph(g, { target: getTarget("c99") })).toThrow(
      "cannot generate C for 5 node(s): no C kernel for Equal (4 nodes: y1, y2, y3, ... 1 more); no C kernel for Greater (node y5)",
    );
  });
});
