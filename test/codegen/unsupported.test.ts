// A model with nodes the C generator cannot handle (an op without a kernel, a form its kernel
// refuses, or one no lower rule takes) gets one sentence that lists them grouped by op and reason (a QuartzNet with 33
// unfolded BatchNorms used to get 33 clauses), with the node count and the first few names.
// Test-only ops stand in for the ops without a kernel (TestUnary, TestBinary) and for a kernel
// that refuses a form (TestConcat of more than two inputs), so the test does not depend on
// which real ops have C kernels yet.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { oneLine } from "../../src/adapters/fs-errors.js";
import { defineKernel, findKernel, registerKernel } from "../../codegen/kernel.js";
import "../ir/test-ops.js";

if (!findKernel("TestConcat")) {
  registerKernel(defineKernel({
    op: "TestConcat",
    supports: (n) => (n.inputs.length > 2 ? `TestConcat of ${n.inputs.length} inputs is not generated (only of two)` : undefined),
    emit: () => "",
  }));
}

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
  %y1 = TestBinary(%x, %z)
  %y2 = TestBinary(%x, %x)
  %y3 = TestBinary(%z, %z)
  %y4 = TestBinary(%z, %x)
  %y5 = TestUnary(%x)
}`)).toBe("cannot generate C for 5 nodes: no C kernel for TestBinary (4 nodes: y1, y2, y3, ... 1 more); no C kernel for TestUnary (node y5)");
  });

  it("groups the nodes a kernel refuses for the same reason, after the ops without a kernel", () => {
    expect(compileError(`graph @g(%x: f32[4]) -> (%m1, %m2, %e) {
  %m1 = TestConcat(%x, %x, %x) {axis = 0}
  %e = TestUnary(%x)
  %m2 = TestConcat(%x, %x, %x) {axis = 0}
}`)).toBe("cannot generate C for 3 nodes: no C kernel for TestUnary (node e); TestConcat (2 nodes: m1, m2): TestConcat of 3 inputs is not generated (only of two)");
  });

  it("counts one node in the singular", () => {
    expect(compileError(`graph @g(%x: f32[4]) -> (%m) {
  %m = TestConcat(%x, %x, %x) {axis = 0}
}`)).toBe("cannot generate C for 1 node: TestConcat (node m): TestConcat of 3 inputs is not generated (only of two)");
  });

  it("names the lower rules that decline a node together when they give the same reason", () => {
    // A float64 convolution: every Conv algorithm is float32.
    expect(compileError(`graph @g(%x: f64[1,3,4,4], %w: f64[2,3,2,2]) -> (%y, %z) {
  %y = Conv(%x, %w)
  %z = Conv(%x, %w)
}`)).toMatch(/^cannot generate C for 2 nodes: Conv \(2 nodes: y, z\): no algorithm takes it \(ConvDepthwise, ConvPointwise, ConvGemmRows, ConvIm2col and ConvIm2colMatMul: its input is f64; the C convolutions are float32\)$/);
  });

  it("is one line for any mix of refused nodes, counting and naming each group once (fast-check)", () => {
    // Three kinds of node the generator cannot handle, drawn in any number and order.
    const KINDS = {
      eq: { line: (v: string) => `%${v} = TestBinary(%x, %x)`, group: "no C kernel for TestBinary" },
      gt: { line: (v: string) => `%${v} = TestUnary(%x)`, group: "no C kernel for TestUnary" },
      mx: { line: (v: string) => `%${v} = TestConcat(%x, %x, %x) {axis = 0}`, group: "TestConcat" },
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
