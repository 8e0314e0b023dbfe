// A model with nodes the C generator cannot handle (an op without a kernel, a form its kernel
// refuses, or one no lower rule takes) gets one sentence that lists them grouped by op and reason (a QuartzNet with 33
// unfolded BatchNorms used to get 33 clauses), with the node count and the first few names.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { oneLine } from "../../src/adapters/fs-errors.js";

function compileError(text: string): string {
  try {
    compileGraph(parseGraph(text), { target: getTarget("c99") });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the graph compiled");
}

describe("the sentence for nodes the C generator cannot handle", () => {
  it("groups the nodes of each op without a kernel", () => {
    expect(compileError(`graph @g(%x: f32[4], %z: f32[4]) -> (%y1, %y2, %y3, %y4, %y5) {
  %y1 = Equal(%x, %z)
  %y2 = Equal(%x, %x)
  %y3 = Equal(%z, %z)
  %y4 = Equal(%z, %x)
  %y5 = Greater(%x, %z)
}`)).toBe("cannot generate C for 5 nodes: no C kernel for Equal (4 nodes: y1, y2, y3, ... 1 more); no C kernel for Greater (node y5)");
  });

  it("groups the nodes a kernel refuses for the same reason, after the ops without a kernel", () => {
    expect(compileError(`graph @g(%x: f32[4]) -> (%m1, %m2, %e) {
  %m1 = Max(%x, %x, %x)
  %e = Equal(%x, %x)
  %m2 = Max(%x, %x, %x)
}`)).toBe("cannot generate C for 3 nodes: no C kernel for Equal (node e); Max (2 nodes: m1, m2): Max of 3 inputs is not generated (only of two)");
  });

  it("counts one node in the singular", () => {
    expect(compileError(`graph @g(%x: f32[4]) -> (%m) {
  %m = Max(%x, %x, %x)
}`)).toBe("cannot generate C for 1 node: Max (node m): Max of 3 inputs is not generated (only of two)");
  });

  it("names the lower rules that decline a node together when they give the same reason", () => {
    // Conv weights computed at run time: every Conv algorithm packs them at compile time.
    expect(compileError(`graph @g(%x: f32[1,3,8], %w: f32[4,3,3]) -> (%y, %z) {
  %y = Conv(%x, %w)
  %z = Conv(%x, %w)
}`)).toMatch(/^cannot generate C for 2 nodes: Conv \(2 nodes: y, z\): no algorithm takes it \(ConvDepthwise, ConvPointwise, ConvGemmRows and ConvIm2col: [^;]*weights[^;]* run time[^;]*\)$/);
  });

  it("is one line for any mix of refused nodes, counting and naming each group once (fast-check)", () => {
    // Three kinds of node the generator cannot handle, drawn in any number and order.
    const KINDS = {
      eq: { line: (v: string) => `%${v} = Equal(%x, %x)`, group: "no C kernel for Equal" },
      gt: { line: (v: string) => `%${v} = Greater(%x, %x)`, group: "no C kernel for Greater" },
      mx: { line: (v: string) => `%${v} = Max(%x, %x, %x)`, group: "Max" },
    } as const;
    fc.assert(fc.property(fc.array(fc.constantFrom("eq", "gt", "mx"), { minLength: 1, maxLength: 12 }), (kinds) => {
      const names = kinds.map((k, i) => `${k}${i}`);
      const msg = compileError(`graph @g(%x: f32[4]) -> (${names.map((n) => `%${n}`).join(", ")}) {
${kinds.map((k, i) => `  ${KINDS[k].line(names[i]!)}`).join("\n")}
}`);
      expect(oneLine(msg)).toBe(msg);
      expect(msg).toMatch(new RegExp(`^cannot generate C for ${kinds.length} nodes?: `));
      expect(msg).not.toMatch(/:;|;;|\(s\)|; *$/);
      for (const k of new Set(kinds)) {
        const n = kinds.filter((x) => x === k).length;
        const group = KINDS[k].group;
        expect(msg.split(`${group} (`).length - 1, `${group} once in: ${msg}`).toBe(1);
        expect(msg).toContain(`${group} (${n === 1 ? "node " : `${n} nodes: `}${names.find((x) => x.startsWith(k))}`);
      }
    }), { numRuns: 60 });
  });
});
