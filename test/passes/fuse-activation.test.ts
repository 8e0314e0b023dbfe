// fuse-activation and the fused-activation semantics the ops gained (ir/activation.ts).
import { describe, expect, it } from "vitest";
import { activationOf, applyActivation } from "../../ir/activation.js";
import { printGraph } from "../../ir/text/index.js";
import { expectSameNumbers, ir, ops, run } from "./helpers.js";

describe("fused activation semantics", () => {
  it("applies Relu, Clip and LeakyRelu in place", () => {
    const d = new Float32Array([-2, -0.5, 0, 0.5, 2, NaN]);
    applyActivation(d, { kind: "Clip", params: [-1, 1] });
    expect([...d]).toEqual([-1, -0.5, 0, 0.5, 1, NaN]);
    const e = new Float64Array([-2, 3]);
    applyActivation(e, { kind: "LeakyRelu", params: [0.1] });
    expect([...e]).toEqual([-0.2, 3]);
    const r = new Float32Array([-1, 1]);
    applyActivation(r, { kind: "Relu", params: [] });
    expect([...r]).toEqual([0, 1]);
  });

  it("validates the attributes", () => {
    expect(activationOf({})).toBeUndefined();
    expect(activationOf({ activation: "LeakyRelu" })).toEqual({ kind: "LeakyRelu", params: [0.01] });
    expect(activationOf({ activation: "Tanh" })).toEqual({ kind: "Tanh", params: [] });
    expect(() => activationOf({ activation: "Sqrt" })).toThrow(/^unknown fused activation "Sqrt" \(expected one of (\w+, )+\w+\)$/);
    expect(() => activationOf({ activation: "Relu", activation_params: [1] })).toThrow("fused activation Relu takes no activation_params, got [1]");
    expect(() => activationOf({ activation: "Clip", activation_params: [1] })).toThrow("needs activation_params [min, max]");
    expect(() => activationOf({ activation: "Clip", activation_params: [2, 1] })).toThrow("fused activation Clip: min 2 is above max 1");
  });

  it("is checked by the op's type rule", () => {
    expect(() => ir(`graph @g(%x: i32[2], %z: i32[2]) -> (%y) {
  %y = Add(%x, %z) {activation="Relu"}
}`)).toThrow(/a fused Relu needs a float output, not i32/);
  });
});

describe("fuse-activation", () => {
  it("fuses into ConvTranspose and keeps the numbers", () => {
    const g = ir(`graph @g(%x: f32[1,2,T]) -> (%y) {
  %w = const f32[2,2,3] [0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8, -0.9, 1, 1.1, 1.2]
  %c = ConvTranspose(%x, %w) {strides=[2]}
  %y = LeakyRelu(%c) {alpha=0.3}
}`);
    const out = run(g, "fuse-activation");
    expect(printGraph(out)).toContain(`%y = ConvTranspose(%x, %w) {activation="LeakyRelu", activation_params=[0.3], strides=[2]}`);
    expectSameNumbers(g, out);
  });

  it("reads Clip bounds given as constant inputs, and leaves one-sided clips open", () => {
    const g = ir(`graph @g(%x: f32[2,3], %z: f32[2,3]) -> (%y, %q) {
  %lo = const f32[] [-0.25]
  %a = Add(%x, %z)
  %y = Clip(%a, %lo)
  %b = Add(%x, %x)
  %q = Clip(%b) {max=0.5}
}`);
    const out = run(g, "fuse-activation");
    const text = printGraph(out);
    expect(text).toContain(`%y = Add(%x, %z) {activation="Clip", activation_params=[-0.25, inf]}`);
    expect(text).toContain(`%q = Add(%x, %x) {activation="Clip", activation_params=[-inf, 0.5]}`);
    expectSameNumbers(g, out);
  });

  it("declines what it cannot fuse, saying why", () => {
    const g = ir(`graph @g(%x: f32[2,3], %hi: f32[], %i: i32[2,3]) -> (%a, %b, %c, %d) {
  %s1 = Add(%x, %x)
  %a = Clip(%s1, _, %hi)
  %s2 = Add(%x, %x)
  %b = Clip(%s2) {max=-1.0, min=1.0}
  %s3 = Add(%i, %i)
  %c = Relu(%s3)
  %s4 = Add(%x, %x) {activation="Relu"}
  %d = Relu(%s4)
}`);
    const lines: string[] = [];
    const out = run(g, "fuse-activation", { explain: ["fuse-activation"], log: (t) => lines.push(t) });
    expect(ops(out)).toEqual(ops(g));
    const text = lines.join("");
    expect(text).toContain("Clip a: did not fire (fuse-into-producer: its max is computed at run time)");
    expect(text).toContain("Clip b: did not fire (fuse-into-producer: min 1 is above max -1)");
    expect(text).toContain("Relu c: did not fire (fuse-into-producer: %s3 is i32; fused activations are for float ops)");
    expect(text).toContain("Relu d: did not fire (fuse-into-producer: Add s4 already has a fused Relu)");
  });
});
