// canonicalize: each clean-up on a small graph, what it must leave alone, and the numbers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printGraph } from "../../ir/text/index.js";
import { fromNumbers } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { expectSameNumbers, ir, ops, run } from "./helpers.js";

describe("canonicalize", () => {
  it("removes dead chains but keeps everything a graph output needs", () => {
    const g = ir(`graph @g(%x: f32[3]) -> (%y) {
  %a = Relu(%x)
  %b = Neg(%a)
  %c = Abs(%b)
  %y = Exp(%x)
}`);
    const out = run(g, "canonicalize");
    expect(ops(out)).toEqual(["Exp"]);
    expectSameNumbers(g, out);
  });

  it("keeps a Dropout whose training mode is on, and replaces a read mask by a constant of ones", () => {
    const g = ir(`graph @g(%x: f32[2,2]) -> (%y, %m, %z) {
  %d, %m = Dropout(%x)
  %y = Neg(%d)
  %z = Dropout(%x) {training_mode=1, seed=3}
}`);
    const out = run(g, "canonicalize");
    const text = printGraph(out);
    expect(text).toContain("%m = const bool[2,2] [true, true, true, true]");
    expect(text).toContain("%z = Dropout(%x) {seed=3, training_mode=1}");
    expect(text).toContain("%y = Neg(%x)");
    expect(out.outputs).toEqual(["y", "m", "z"]);
  });

  it("turns a graph output that folds to a constant into a constant of that name", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%x2, %k) {
  %a = const f32[2] [1, 4]
  %k = Sqrt(%a)
  %x2 = Neg(%x)
}`);
    const out = run(g, "canonicalize");
    expect(printGraph(out)).toContain("%k = const f32[2] [1, 2]");
    expect(ops(out)).toEqual(["Neg"]);
    expectSameNumbers(g, out);
  });

  it("respects fold-limit and says so when explaining", () => {
    const g = ir(`graph @g(%x: f32[4]) -> (%y) {
  %a = const f32[4] [1, 2, 3, 4]
  %b = Neg(%a)
  %y = Add(%x, %b)
}`);
    const lines: string[] = [];
    const out = run(g, "canonicalize{fold-limit=3}", { explain: ["canonicalize"], log: (t) => lines.push(t) });
    expect(ops(out)).toEqual(["Neg", "Add"]);
    expect(lines.join("")).toContain("Neg b: did not fire (fold-constants: the result would hold 4 elements, more than fold-limit=3)");
    expect(ops(run(g, "canonicalize{fold-limit=4}"))).toEqual(["Add"]);
  });

  it("folds shape computations on static dims but not on symbolic ones", () => {
    const g = ir(`graph @g(%x: f32[2,T]) -> (%n, %s, %ts) {
  %k0 = const i64[] [0]
  %k1 = const i64[] [1]
  %shape = Shape(%x)
  %n = Gather(%shape, %k0) {axis=0}
  %ts = Gather(%shape, %k1) {axis=0}
  %s = Size(%x)
}`);
    const out = run(g, "canonicalize");
    const text = printGraph(out);
    expect(text).toContain("%n = const i64[] [2]");
    expect(text).toContain("%ts = Gather(%shape, %k1) {axis=0}");
    expect(text).toContain("%s = Size(%x)");
  });

  it("is idempotent and returns the same graph object when there is nothing to do", () => {
    const g = ir(`graph @g(%x: f32[2,3]) -> (%y) {
  %one = const f32[] [1]
  %a = Mul(%x, %one)
  %t = Transpose(%a)
  %y = Transpose(%t)
}`);
    const once = run(g, "canonicalize");
    expect(run(once, "canonicalize")).toBe(once);
  });

  it("turns an f32 x^2 into x*x with the same bits for every f32 (subnormals, huge, negative, NaN)", () => {
    const g = ir(`graph @g(%x: f32[N]) -> (%y) {
  %two = const f32[] [2]
  %y = Pow(%x, %two)
}`);
    const out = run(g, "canonicalize");
    expect(ops(out)).toEqual(["Mul"]);
    const edges = [0, -0, 1e-45, -3e-39, 1.1754942e-38, 1.8446743e19, 1.8446744e19, -3.4e38, 3.4028235e38, Infinity, -Infinity, NaN, 0.1, -1.5];
    fc.assert(
      fc.property(fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 1, maxLength: 64 }), (xs) => {
        const x = fromNumbers("f32", [xs.length + edges.length], [...xs, ...edges]);
        const a = runGraph(g, { x })["y"]!.data as Float32Array, b = runGraph(out, { x })["y"]!.data as Float32Array;
        expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
      }),
    );
  });
});
