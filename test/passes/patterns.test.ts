// The rewrite-pattern helpers: matching producers, declining with a reason, building
// replacements with fresh names and inferred types, keeping graph output names, explain output.
import { describe, expect, it } from "vitest";
import { printGraph } from "../../ir/text/index.js";
import { algebraic, $, splat } from "../../passes/algebra.js";
import { definePass, passContext, runPass, type ExplainEvent } from "../../passes/pass.js";
import { applyRules, decline, ensure, replace, rule } from "../../passes/patterns.js";
import { ir, run } from "./helpers.js";

const chain = ir(`
graph @g(%x: f32[2,3]) -> (%y) {
  %a = Relu(%x)
  %b = Identity(%a)
  %y = Identity(%b)
}`);

/** Runs rules as a pass and returns the result and the explain events. */
function apply(g: typeof chain, rules: Parameters<typeof applyRules>[1]) {
  const events: ExplainEvent[] = [];
  const pass = definePass({ name: "test-rules", doc: "rules under test", rules });
  const out = runPass(g, pass, {}, { explain: (e) => events.push(e), log: () => {} });
  return { out, events };
}

describe("applyRules", () => {
  it("returns the input graph itself when no rule fires", () => {
    const { out } = apply(chain, [rule("Identity", () => undefined)]);
    expect(out).toBe(chain);
  });

  it("replaces uses and keeps the name of a graph output", () => {
    const { out } = apply(chain, [rule("Identity", (n) => replace(n, n.inputs[0]!))]);
    expect(printGraph(out)).toContain("%y = Relu(%x) : f32[2,3]");
    expect(out.nodes).toHaveLength(1);
    expect(out.outputs).toEqual(["y"]);
    expect(Object.keys(out.types).sort()).toEqual(["x", "y"]);
  });

  it("declines to rename a graph input into a graph output, saying why", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%y) {
  %y = Identity(%x)
}`);
    const { out, events } = apply(g, [rule("Identity", (n) => replace(n, n.inputs[0]!), "drop")]);
    expect(out).toBe(g);
    expect(events).toEqual([{ pass: "test-rules", node: "y", op: "Identity", rule: "drop", fired: false, message: "%y is a graph output and its replacement %x is a graph input" }]);
  });

  it("reports the reason of a declining rule (returned or thrown)", () => {
    const { events } = apply(chain, [
      rule("Relu", () => decline("no reason to touch a Relu"), "returns"),
      rule("Relu", (n, g) => {
        g.matchProducer(n.inputs[0]!, { op: "Conv" });
        return undefined;
      }, "throws"),
      rule("Identity", (n, g) => {
        const p = g.matchProducer(n.inputs[0]!, { op: ["Relu", "Identity"], singleUse: true });
        ensure(p.op === "Relu", `%${n.inputs[0]} is produced by an ${p.op}`);
        return undefined;
      }, "ensure"),
    ]);
    const msg = (node: string, r: string) => events.find((e) => e.node === node && e.rule === r)?.message;
    expect(msg("a", "returns")).toBe("no reason to touch a Relu");
    expect(msg("a", "throws")).toBe("%x is a graph input, not produced by Conv");
    expect(msg("y", "ensure")).toBe("%b is produced by an Identity");
    expect(events.every((e) => !e.fired)).toBe(true);
  });

  it("matchProducer checks single use, graph outputs and constant inputs", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%y, %z) {
  %w = const f32[2] [1, 2]
  %a = Mul(%x, %w)
  %b = Add(%x, %x)
  %y = Relu(%a)
  %z = Add(%a, %b)
}`);
    const reasons: string[] = [];
    const probe = (spec: Parameters<import("../../passes/patterns.js").GraphView["matchProducer"]>[1]) =>
      rule(["Relu", "Add"], (n, g) => {
        try {
          g.matchProducer(n.inputs[0]!, spec);
        } catch (e) {
          reasons.push(`${n.name}: ${(e as { reason: string }).reason}`);
        }
        return undefined;
      });
    apply(g, [probe({ op: "Mul", singleUse: true })]);
    apply(g, [probe({ op: "Add", constantInputs: [1] })]);
    expect(reasons).toEqual([
      "b: %x is a graph input, not produced by Mul",
      "y: %a (the Mul output) has 2 uses",
      "z: %a (the Mul output) has 2 uses",
      "b: %x is a graph input, not produced by Add",
      "y: %a is produced by Mul, not Add",
      "z: %a is produced by Mul, not Add",
    ]);
  });

  it("gives new values fresh names and types from the op's infer", () => {
    const g = ir(`graph @g(%x: f32[2,3]) -> (%y) {
  %y = Relu(%x)
}`);
    const { out } = apply(g, [
      rule("Relu", (n, v) => {
        ensure(v.producer(n.inputs[0]!) === undefined, "already rewritten");
        const b = v.rewrite(n);
        const c = b.constant("x", { dtype: "f32", shape: [3], data: new Float32Array([1, 2, 3]) });
        const m = b.op1("Mul", [n.inputs[0]!, c]);
        expect(b.type(m)).toEqual({ dtype: "f32", shape: [2, 3] });
        return b.replaceWith(b.op1("Relu", [m]));
      }),
    ]);
    const text = printGraph(out);
    expect(text).toContain("%x.1 = const f32[3] [1, 2, 3]");
    expect(text).toContain("%y.mul = Mul(%x, %x.1) : f32[2,3]");
    expect(text).toContain("%y = Relu(%y.mul) : f32[2,3]");
  });

  it("declines a rewrite whose result has another type", () => {
    const g = ir(`graph @g(%x: f32[2,3]) -> (%y) {
  %y = Relu(%x)
}`);
    const { out, events } = apply(g, [
      rule("Relu", (n, v) => {
        const b = v.rewrite(n);
        return b.replaceWith(b.op1("Transpose", [n.inputs[0]!]));
      }, "bad"),
    ]);
    expect(out).toBe(g);
    expect(events[0]!.message).toBe("the replacement %y.transpose has type f32[3,2] but %y has f32[2,3]");
  });

  it("turns an ill-typed new node into a decline with infer's message", () => {
    const { events } = apply(chain, [
      rule("Relu", (n, v) => v.rewrite(n).replaceWith(v.rewrite(n).op1("MatMul", [n.inputs[0]!, n.inputs[0]!])), "mm"),
    ]);
    expect(events[0]!.message).toMatch(/^the new MatMul would not type-check: inner dims/);
  });

  it("stops a rule set that never reaches a fixed point", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%y) {
  %y = Relu(%x)
}`);
    const loop = rule("Relu", (n, v) => {
      const b = v.rewrite(n);
      return b.replaceWith(b.op1("Relu", [n.inputs[0]!]));
    }, "loop");
    expect(() => applyRules(g, [loop], { maxRewrites: 20 })).toThrow(/did not reach a fixed point after 20 rewrites \(rule loop keeps firing/);
  });

  it("erases absorbed producers only when nothing else reads them", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%y, %z) {
  %a = Relu(%x)
  %y = Neg(%a)
  %z = Abs(%a)
}`);
    const fuse = rule("Neg", (n, v) => {
      const p = v.matchProducer(n.inputs[0]!, { op: "Relu" });
      const b = v.rewrite(n).absorb(p);
      return b.replaceWith(b.op1("Neg", [p.inputs[0]!]));
    });
    const { out } = apply(g, [fuse]);
    expect(printGraph(out)).toContain("%a = Relu(%x)");
    expect(printGraph(out)).toContain("%y = Neg(%x)");
  });
});

describe("algebraic tables", () => {
  const table = algebraic([{ name: "x*1", op: "Mul", args: [$("x"), splat(1)], commutative: true, result: "x" }]);

  it("matches commutatively and replaces by the capture", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%y) {
  %one = const f32[2] [1, 1]
  %a = Mul(%one, %x)
  %y = Relu(%a)
}`);
    const { out } = apply(g, table);
    expect(printGraph(out)).toContain("%y = Relu(%x)");
    expect(Object.keys(out.constants)).toEqual([]);
  });

  it("declines when the constant broadcasts to a bigger shape", () => {
    const g = ir(`graph @g(%x: f32[2]) -> (%y) {
  %one = const f32[3,2] [1, 1, 1, 1, 1, 1]
  %y = Mul(%x, %one)
}`);
    const { out, events } = apply(g, table);
    expect(out).toBe(g);
    expect(events[0]!.message).toBe("the result would have type f32[2], not f32[3,2] (the constant broadcasts)");
  });
});

describe("explain and pass context", () => {
  it("prints, per node, which rule fired or why each declined", () => {
    const g = ir(`graph @g(%x: f32[1,2,5]) -> (%y) {
  %s = const f32[2] [1, 1]
  %y = BatchNormalization(%x, %s, %s, %s, %s)
}`);
    const lines: string[] = [];
    run(g, "fold-batchnorm", { explain: ["fold-batchnorm"], log: (t) => lines.push(t) });
    expect(lines.join("")).toBe([
      "// explain fold-batchnorm: 1 node",
      "BatchNormalization y: did not fire (into-producer: %x is a graph input, not produced by Conv or ConvTranspose or MatMul or Gemm; into-following-conv: %y is a graph output)",
      "",
    ].join("\n"));
  });

  it("checks typed options of a pass run directly", () => {
    const p = definePass({ name: "opt-pass", doc: "d", options: {}, run: (g) => g });
    expect(() => passContext(p, { nope: 1 })).toThrow("pass 'opt-pass' takes no options, got 'nope'");
  });
});
