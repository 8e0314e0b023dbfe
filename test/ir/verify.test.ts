// The verifier: one test per kind of problem, each written as IR text where the text can say
// it (the parser builds invalid graphs on purpose) and as a graph edit where it cannot.
import { describe, expect, it } from "vitest";
import "./test-ops.js";
import { parseGraph } from "../../ir/text/index.js";
import { updateGraph, type Graph } from "../../ir/graph.js";
import { VerifyError, verifyGraph, verifyProblems } from "../../ir/verify.js";
import { defineOp, float } from "../../ir/op.js";
import { findOp, registerOp } from "../../ir/registry.js";
import { tensorType } from "../../ir/types.js";
import { sym } from "../../ir/dim.js";

// An op whose type rule sets a quantization annotation, so the verifier must compare it.
const TestQuantize = defineOp({
  name: "TestQuantize",
  doc: "Quantizes to i8 with a fixed scale (test only).",
  attrs: { scale: float(0.5) },
  inputs: ["x"],
  outputs: ["y"],
  infer: ([x], a) => [tensorType("i8", x!.shape, { kind: "affine", scale: [a.scale], zeroPoint: [0] })],
  evaluate: ([x]) => [x!],
});
if (!findOp(TestQuantize.name)) registerOp(TestQuantize);

const problems = (text: string, allowDead?: boolean) =>
  verifyProblems(parseGraph(text), allowDead === undefined ? {} : { allowDead });
const g = (lines: string, outs = "%y") => `graph @g(%x: f32[1,4,T]) -> (${outs}) {\n${lines}\n}`;

describe("verifyGraph", () => {
  it("accepts a valid graph", () => {
    const text = g([
      "  %b = const f32[4,1] [1, 2, 3, 4]",
      "  %s = const i64[2] [4, 7]",
      "  %a, _ = TestMask(%x)",
      "  %c = TestBinary(%a, %b, _)",
      "  %d = TestConcat(%c, %x, %c) {axis=2}",
      '  %e = TestAttrs(%d) {d=[1, T], f=1, fs=[0.5], i=2, is=[], s="s", ss=["a"], t=f32[1] [0]}',
      "  %r = TestReshape(%x, %s) : f32[4,7]",
      "  %y = TestUnary(%e) {alpha=0.1}",
    ].join("\n"), "%y, %r, %b, %x");
    expect(problems(text)).toEqual([]);
    expect(() => verifyGraph(parseGraph(text), { allowDead: false })).not.toThrow();
  });

  it("reports an unregistered op", () => {
    expect(problems(g("  %y = NoSuchOp(%x) : f32[1,4,T]"))).toEqual(['node "y" (NoSuchOp): op NoSuchOp is not registered']);
  });

  describe("input and output slots", () => {
    it("reports too few and too many inputs", () => {
      expect(problems(g("  %y = TestBinary(%x) : f32[1,4,T]"))).toEqual(['node "y" (TestBinary) has 1 inputs, TestBinary takes 2 to 3 (a, b, c?)']);
      expect(problems(g("  %y = TestUnary(%x, %x) : f32[1,4,T]"))).toEqual(['node "y" (TestUnary) has 2 inputs, TestUnary takes 1 (x)']);
      expect(problems(g("  %y = TestConcat() {axis=0} : f32[1,4,T]"))).toEqual(['node "y" (TestConcat) has 0 inputs, TestConcat takes at least 1 (xs*)']);
    });

    it("reports a required input left out", () => {
      expect(problems(g("  %y = TestBinary(_, %x) : f32[1,4,T]"))).toEqual(['node "y" (TestBinary) leaves out required input 0 (a)']);
    });

    it("reports too many outputs and a required output left out", () => {
      expect(problems(g("  %y, %m, %z = TestMask(%x) : f32[1,4,T], bool[1,4,T], bool[1,4,T]"))).toEqual([
        'node "y" (TestMask) has 3 outputs, TestMask takes 1 to 2 (y, mask?)',
      ]);
      expect(problems(g("  _, %y = TestMask(%x) : _, bool[1,4,T]"))).toEqual(['node "" (TestMask) leaves out required output 0 (y)']);
    });
  });

  describe("definitions and uses", () => {
    it("reports a use before the definition (topological order)", () => {
      expect(problems(g("  %y = TestUnary(%a) : f32[1,4,T]\n  %a = TestUnary(%x) : f32[1,4,T]"))).toEqual([
        'node "y" (TestUnary) reads %a before it is defined (by later node "a" (TestUnary)): nodes are not in topological order',
      ]);
    });

    it("reports a node reading its own output", () => {
      expect(problems(g("  %y = TestUnary(%y) : f32[1,4,T]"))).toEqual(['node "y" (TestUnary) reads %y, its own output']);
    });

    it("reports a value nothing defines", () => {
      expect(problems(g("  %y = TestUnary(%nope) : f32[1,4,T]"))).toEqual([
        `node "y" (TestUnary) reads %nope, which is not a graph input, a constant or any node's output`,
      ]);
    });

    it("reports a value produced twice", () => {
      expect(problems(g("  %y = TestUnary(%x) : f32[1,4,T]\n  %y = TestUnary(%x) : f32[1,4,T]  @name(\"again\")"))).toEqual([
        'node "again" (TestUnary) produces %y, which node "y" (TestUnary) already produces',
      ]);
      expect(problems(g("  %y, %y = TestMask(%x) : f32[1,4,T], f32[1,4,T]"))).toContain('node "y" (TestMask) produces %y, which it already produces');
    });

    it("reports outputs that shadow a graph input or a constant", () => {
      expect(problems(g("  %x = TestUnary(%x) : f32[1,4,T]", "%x"))).toEqual(['node "x" (TestUnary) produces %x, which shadows a graph input']);
      expect(problems(g("  %c = const f32[1,4,1] [1, 2, 3, 4]\n  %c = TestUnary(%x) : f32[1,4,1]", "%c"))).toContain(
        'node "c" (TestUnary) produces %c, which shadows a constant',
      );
    });

    it("reports graph outputs nothing produces", () => {
      expect(problems(g("  %a = TestUnary(%x)", "%a, %y"))).toEqual([
        "graph output %y is not a graph input, a constant or any node's output",
      ]);
    });

    it("reports a graph input listed twice or also a constant", () => {
      expect(problems("graph @g(%x: f32[2], %x: f32[2]) -> (%x) {\n}")).toEqual(["graph input %x is listed twice"]);
      expect(problems("graph @g(%x: f32[2]) -> (%x) {\n  %x = const f32[2] [1, 2]\n}")).toEqual(["graph input %x is also a constant"]);
    });
  });

  describe("types", () => {
    it("reports values without a type", () => {
      expect(problems(g("  %y = TestUnary(%x) : _"))).toEqual(['node "y" (TestUnary): output %y has no type']);
      expect(problems("graph @g(%x: _) -> (%y) {\n  %y = TestUnary(%x) : f32[2]\n}")).toEqual([
        "graph input %x has no type",
        'node "y" (TestUnary): input %x has no type',
      ]);
      const noType = updateGraph(parseGraph("graph @g() -> (%c) {\n  %c = const f32[] [1]\n}"), (d) => {
        delete d.types.c;
      });
      expect(verifyProblems(noType)).toEqual(["constant %c has no type"]);
    });

    it("reports a recorded type that differs from the type rule's", () => {
      expect(problems(g("  %y = TestUnary(%x) : f32[1,4,T+1]"))).toEqual([
        'node "y" (TestUnary): output %y is recorded as f32[1,4,T+1] but TestUnary\'s type rule gives f32[1,4,T]',
      ]);
      expect(problems(g("  %y = TestUnary(%x) : f64[1,4,T]"))).toHaveLength(1);
    });

    it("ignores a quantization annotation the type rule does not set, and checks one it does", () => {
      expect(problems(g("  %y = TestUnary(%x) : f32[1,4,T]{q: scale=0.5, zp=0}"))).toEqual([]);
      expect(problems(g("  %y = TestQuantize(%x) {scale=0.25} : i8[1,4,T]{q: scale=0.25, zp=0}"))).toEqual([]);
      expect(problems(g("  %y = TestQuantize(%x) {scale=0.25} : i8[1,4,T]{q: scale=0.5, zp=0}"))).toEqual([
        'node "y" (TestQuantize): output %y is recorded as i8[1,4,T]{q: scale=0.5, zp=0} but TestQuantize\'s type rule gives i8[1,4,T]{q: scale=0.25, zp=0}',
      ]);
      expect(problems(g("  %y = TestQuantize(%x) : i8[1,4,T]"))).toHaveLength(1);
    });

    it("reports a failing type rule", () => {
      expect(problems("graph @g(%x: f32[2], %w: i8[2]) -> (%y) {\n  %y = TestBinary(%x, %w) : f32[2]\n}")).toEqual([
        'node "y" (TestBinary): the type rule of TestBinary fails: a is f32 but b is i8',
      ]);
    });

    it("gives the type rule the values of constant inputs", () => {
      const text = "graph @g(%x: f32[2]) -> (%y) {\n  %s = const i64[2] [1, 2]\n  %y = TestReshape(%x, %s) : f32[2,1]\n}";
      expect(problems(text)).toEqual(['node "y" (TestReshape): output %y is recorded as f32[2,1] but TestReshape\'s type rule gives f32[1,2]']);
    });

    it("reports a type rule that gives no type for an output", () => {
      expect(problems("graph @g(%x: f32[4]) -> (%a) {\n  %a, %b = TestSplit(%x) : f32[2], f32[2]\n}")).toEqual([]);
      const short = updateGraph(parseGraph(g("  %y, %m = TestMask(%x)")), (d) => {
        d.nodes[0]!.op = "TestUnary";
        d.nodes[0]!.inputs = ["x"];
      });
      expect(verifyProblems(short)).toContain('node "y" (TestUnary) has 2 outputs, TestUnary takes 1 (y)');
    });
  });

  describe("constants", () => {
    const base = parseGraph("graph @g() -> (%c) {\n  %c = const f32[2] [1, 2]\n}");
    it("reports a type that does not match the tensor", () => {
      const bad = updateGraph(base, (d) => {
        d.types.c = { dtype: "f32", shape: [3] };
      });
      expect(verifyProblems(bad)).toEqual(["constant %c has type f32[3] but its tensor is f32[2]"]);
      const quantized = updateGraph(base, (d) => {
        d.types.c = { dtype: "f32", shape: [2], quant: { kind: "fixed", intBits: 1, fracBits: 6 } };
      });
      expect(verifyProblems(quantized)).toEqual([]);
    });

    it("reports storage that does not fit the dtype or the shape", () => {
      const wrongArray = updateGraph(base, (d) => {
        d.constants.c = { dtype: "f32", shape: [2], data: new Float64Array(2) };
      });
      expect(verifyProblems(wrongArray)).toEqual(["constant %c: f32 data is stored in a Float64Array, expected Float32Array"]);
      const wrongLength = updateGraph(base, (d) => {
        d.constants.c = { dtype: "f32", shape: [2], data: new Float32Array(3) };
      });
      expect(verifyProblems(wrongLength)).toEqual(["constant %c: holds 3 elements, shape [2] needs 2"]);
    });
  });

  describe("attributes", () => {
    it("reports attributes the op does not define", () => {
      expect(problems(g("  %y = TestUnary(%x) {beta=1} : f32[1,4,T]"))).toEqual([
        'node "y" (TestUnary) has attribute beta, which TestUnary does not define (known: alpha, axis)',
      ]);
    });

    it("reports values of the wrong kind", () => {
      const attrs: [string, string][] = [
        ["i=1.5", "i must be an integer"],
        ['f="x"', "f must be a number"],
        ["is=[1, 2.5]", "is must be a list of integers"],
        ['fs=["a"]', "fs must be a list of numbers"],
        ["s=1", "s must be a string"],
        ["ss=[1]", "ss must be a list of strings"],
        ["t=[1]", "t must be a tensor"],
        ["d=[1.5, T]", "d must be a list of dims (integers or symbolic dims)"],
        ["is=[T]", "is must be a list of integers"],
      ];
      for (const [a, why] of attrs) {
        expect(problems(g(`  %y = TestAttrs(%x) {${a}} : f32[1,4,T]`))).toEqual([`node "y" (TestAttrs): attribute ${why}`]);
      }
    });

    it("reports a malformed tensor attribute", () => {
      const good = parseGraph(g("  %y = TestAttrs(%x) {t=f32[2] [1, 2]}"));
      const bad: Graph = { ...good, nodes: [{ ...good.nodes[0]!, attrs: { t: { dtype: "f32", shape: [3], data: new Float32Array(2) } } }] };
      expect(verifyProblems(bad)).toEqual(['node "y" (TestAttrs): attribute t is a malformed tensor: holds 2 elements, shape [3] needs 3']);
    });

    it("reports a missing required attribute", () => {
      expect(problems(g("  %y = TestConcat(%x) : f32[1,4,T]"))).toEqual(['node "y" (TestConcat) lacks the required attribute axis']);
    });
  });

  describe("dead code", () => {
    const text = g("  %a = TestUnary(%x)\n  %d = TestUnary(%x)\n  %m, %n = TestMask(%a)\n  %y = TestUnary(%m)\n  %e, _ = TestMask(%a)");
    it("is allowed by default", () => {
      expect(problems(text)).toEqual([]);
    });
    it("is reported with allowDead: false", () => {
      expect(problems(text, false)).toEqual([
        'node "d" (TestUnary) is dead code: none of its outputs (%d) is used or a graph output',
        'node "e" (TestMask) is dead code: none of its outputs (%e) is used or a graph output',
      ]);
    });
  });

  it("throws one error listing every problem", () => {
    const bad = parseGraph(g("  %y = TestUnary(%nope, %x) {beta=1} : f32[1]\n  %z = NoSuchOp(%x) : f32[1]"));
    let err: unknown;
    try {
      verifyGraph(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifyError);
    const v = err as VerifyError;
    expect(v.problems).toHaveLength(4);
    expect(v.message).toBe([
      "graph @g is invalid (4 problems):",
      '  - node "y" (TestUnary) has 2 inputs, TestUnary takes 1 (x)',
      '  - node "y" (TestUnary) has attribute beta, which TestUnary does not define (known: alpha, axis)',
      `  - node "y" (TestUnary) reads %nope, which is not a graph input, a constant or any node's output`,
      '  - node "z" (NoSuchOp): op NoSuchOp is not registered',
    ].join("\n"));
  });

  it("names odd values the way the text does", () => {
    const text = 'graph @g(%x: f32[2]) -> (%"onnx::Y") {\n  %"onnx::Y" = TestUnary(%"in put") : f32[2]\n}';
    expect(problems(text)).toEqual([`node "onnx::Y" (TestUnary) reads %"in put", which is not a graph input, a constant or any node's output`]);
  });

  it("checks symbolic shapes symbolically", () => {
    const ok: Graph = parseGraph(g("  %y = TestConcat(%x, %x) {axis=2} : f32[1,4,2*T]"));
    expect(verifyProblems(ok)).toEqual([]);
    expect(ok.types.y!.shape[2]).toEqual({ c: 0, terms: [{ coef: 2, atom: sym("T").terms[0]!.atom }] });
  });
});
