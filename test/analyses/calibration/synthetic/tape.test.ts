// The tape and the reverse sweep on multi-node graphs: fan-out sums, pruning to targets,
// seeds on intermediate values, and a clear error for ops without a gradient rule.
import { describe, expect, it } from "vitest";
import { makeTensor, tensorType, type Tensor } from "../../../../ir/types.js";
import { backward, forwardWithTape, pruneToTargets } from "../../../../src/analyses/autodiff/index.js";
import { ModelError } from "../../../../ir/errors.js";
import { GraphBuilder } from "../../../../src/testing/graph-builder.js";

const f64 = (shape: number[], values: number[]): Tensor => makeTensor("f64", shape, Float64Array.from(values));

describe("forwardWithTape / backward", () => {
  it("sums the gradients of a value read by several nodes", () => {
    // y = relu(x) * x + x  =>  dy/dx = 2x + 1 for x > 0, 1 for x < 0
    const b = new GraphBuilder("fanout");
    const x = b.input("x", tensorType("f64", [3]));
    const [r] = b.node("Relu", [x], {}, "r");
    const [m] = b.node("Mul", [r!, x], {}, "m");
    const [y] = b.node("Add", [m!, x], {}, "y");
    const g = b.build([x], [y!]);
    const tape = forwardWithTape(g, { [x]: f64([3], [2, -1, 0.5]) });
    const dx = backward(tape, { [y!]: f64([3], [1, 1, 1]) })[x]!;
    expect(Array.from(dx.data as Float64Array)).toEqual([5, 1, 2]);
  });

  it("prunes to the targets and takes seeds on intermediate values", () => {
    const b = new GraphBuilder("prune");
    const x = b.input("x", tensorType("f64", [1, 2, 4]));
    const [h] = b.node("Mul", [x, b.constant("two", f64([], [2]))], {}, "h");
    const [y] = b.node("LogSoftmax", [h!], { axis: 1 }, "y");
    const [z] = b.node("Sigmoid", [y!], {}, "z");
    const g = b.build([x], [z!]);
    const pruned = pruneToTargets(g, [h!]);
    expect(pruned.nodes.map((n) => n.op)).toEqual(["Mul"]);
    const tape = forwardWithTape(g, { [x]: f64([1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]) }, { targets: [h!] });
    expect(tape.entries).toHaveLength(1);
    const dx = backward(tape, { [h!]: f64([1, 2, 4], [1, 0, 0, 0, 0, 0, 0, 3]) })[x]!;
    expect(Array.from(dx.data as Float64Array)).toEqual([2, 0, 0, 0, 0, 0, 0, 6]);
  });

  it("keeps gradients out of constants and integer shape computations", () => {
    const b = new GraphBuilder("shape");
    const x = b.input("x", tensorType("f32", [2, 3]));
    const [s] = b.node("Shape", [x], {}, "s");
    const [y] = b.node("Reshape", [x], { shape: [3, 2] }, "y");
    const g = b.build([x], [y!, s!]);
    const tape = forwardWithTape(g, { [x]: makeTensor("f32", [2, 3]) });
    expect(tape.differentiable.has(s!)).toBe(false);
    const dx = backward(tape, { [y!]: makeTensor("f32", [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6])) })[x]!;
    expect(dx.shape).toEqual([2, 3]);
    expect(Array.from(dx.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("names the ops it cannot differentiate, before running anything", () => {
    const b = new GraphBuilder("nograd");
    const x = b.input("x", tensorType("f32", [4]));
    const [y] = b.node("Pow", [x, x], {}, "y");
    const g = b.build([x], [y!]);
    expect(() => forwardWithTape(g, { [x]: makeTensor("f32", [4]) })).toThrow(ModelError);
    expect(() => forwardWithTape(g, { [x]: makeTensor("f32", [4]) })).toThrow(/no gradient rule for Pow \(node y\)/);
  });
});
