// Parse errors of the IR text: each names the line and column and says what was expected.
import { describe, expect, it } from "vitest";
import "./test-ops.js";
import "../../ir/ops/index.js";
import type { AttrSchema } from "../../ir/op.js";
import { allOps } from "../../ir/registry.js";
import { IrTextError, parseGraph } from "../../ir/text/index.js";

function parseError(text: string): IrTextError {
  try {
    parseGraph(text);
  } catch (e) {
    if (e instanceof IrTextError) return e;
    throw e;
  }
  throw new Error("the text parsed without error");
}

const g = (lines: string) => `graph @g(%x: f32[1,4,T]) -> (%y) {\n${lines}\n}`;

describe("IR text parse errors", () => {
  it("reports line and column in the message", () => {
    const e = parseError(g("  %y = TestUnary(%x) {alpha=}"));
    expect([e.line, e.column]).toEqual([2, 29]);
    expect(e.message).toMatch(/^2:29: expected an attribute value/);
  });

  it("needs the graph keyword", () => {
    expect(parseError("grph @g() -> () {}").message).toBe('1:1: expected "graph", found "grph"');
  });

  it("rejects an unknown data type", () => {
    const e = parseError("graph @g(%x: float[2]) -> () {\n}");
    expect(e.message).toBe('1:14: expected a data type (f32, i8, ...), found "float"');
  });

  it("rejects a bad dim expression at its position", () => {
    const e = parseError("graph @g(%x: f32[1, T+*2]) -> () {\n}");
    expect([e.line, e.column]).toEqual([1, 21]);
    expect(e.message).toContain("bad dim expression");
  });

  it("rejects an unterminated graph body", () => {
    expect(parseError("graph @g() -> () {\n  %a = const f32[] [1]\n").message).toMatch(/^3:1: expected "}"/);
  });

  it("rejects text after the graph", () => {
    expect(parseError("graph @g() -> () {\n}\ngraph").message).toBe('3:1: unexpected "graph" after the end of the graph');
  });

  it("rejects a missing = after outputs", () => {
    expect(parseError(g("  %y TestUnary(%x)")).message).toBe('2:6: expected "," or = after a node output, found "TestUnary"');
  });

  it("rejects an unterminated string", () => {
    expect(parseError(g('  %y = TestUnary(%x) @name("abc)')).message).toBe("2:28: unterminated string");
  });

  it("rejects a bad string escape", () => {
    expect(parseError(g('  %y = TestUnary(%x) @name("a\\qb")')).message).toMatch(/^2:28: bad escape in string/);
  });

  it("cannot infer types of an unregistered op", () => {
    const e = parseError(g("  %y = NoSuchOp(%x)"));
    expect(e.message).toBe('2:8: op NoSuchOp is not registered, so the types of its outputs cannot be inferred; write them after " : "');
  });

  it("cannot infer types from a value not yet defined", () => {
    expect(parseError(g("  %y = TestUnary(%z)")).message).toMatch(/^2:8: the type of %z is not known here/);
  });

  it("reports a failing type rule with its message", () => {
    const e = parseError("graph @g(%x: f32[2], %w: i8[2]) -> (%y) {\n  %y = TestBinary(%x, %w)\n}");
    expect(e.message).toBe("2:8: cannot infer the output types of TestBinary: a is f32 but b is i8");
  });

  it("names the node, the op and a missing required attribute instead of failing inside the type rule", () => {
    expect(parseError(g("  %y = TestConcat(%x, %x)")).message).toBe('2:8: node "y" (TestConcat) lacks the required attribute axis, so its output types cannot be inferred');
    expect(parseError(g('  %y = TestConcat(%x, %x) @name("join")')).message).toBe('2:8: node "join" (TestConcat) lacks the required attribute axis, so its output types cannot be inferred');
    // With the types written out, the parser builds the node and leaves the check to the verifier.
    expect(parseGraph(g("  %y = TestConcat(%x, %x) : f32[1,8,T]")).nodes[0]!.attrs).toEqual({});
  });

  it("names every missing required attribute of every registered op", () => {
    // Each input slot gets %x: the check comes before any type rule, whatever the inputs.
    const ops = allOps().filter((d) => Object.values(d.attrs as AttrSchema).some((s) => s.required));
    expect(ops.length).toBeGreaterThan(10);
    for (const d of ops) {
      const missing = Object.entries(d.attrs as AttrSchema).filter(([, s]) => s.required).map(([k]) => k);
      const inputs = d.inputs.filter((slot) => !slot.endsWith("?")).map(() => "%x").join(", ");
      const e = parseError(g(`  %y = ${d.name}(${inputs})`));
      const what = missing.length === 1 ? `attribute ${missing[0]}` : `attributes ${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
      expect(e.message, d.name).toBe(`2:8: node "y" (${d.name}) lacks the required ${what}, so its output types cannot be inferred`);
    }
  });

  it("rejects a type list that does not match the outputs", () => {
    expect(parseError(g("  %y = TestUnary(%x) : f32[1], f32[2]")).message).toBe("2:32: more types than the node's 1 outputs");
    expect(parseError(g("  %y, %m = TestMask(%x) : f32[1]")).message).toMatch(/the node has 2 outputs but 1 types/);
  });

  it("rejects a value redefined with another type", () => {
    const e = parseError(g("  %y = TestUnary(%x) : f32[1,4,T]\n  %y = TestUnary(%x) : f32[2]"));
    expect(e.message).toBe("3:3: %y is defined again with type f32[2], it was f32[1,4,T] at 2:3");
  });

  it("rejects a declared output type that differs from the value's", () => {
    const e = parseError("graph @g(%x: f32[2]) -> (%y: f32[3]) {\n  %y = TestUnary(%x)\n}");
    expect(e.message).toBe("1:26: graph output %y is declared f32[3] but has type f32[2]");
  });

  describe("constants", () => {
    const c = (decl: string) => parseError(`graph @g() -> () {\n  %c = const ${decl}\n}`).message;
    it("checks the element count", () => {
      expect(c("f32[2,2] [1, 2, 3]")).toBe("2:23: the literal has 3 values, f32[2,2] needs 4");
      expect(c("f32[1] [1, 2]")).toBe("2:25: too many values: f32[1] holds 1");
    });
    it("checks integer ranges and kinds", () => {
      expect(c("i8[1] [128]")).toBe("2:21: expected a i8 value (an integer in [-128, 127]), found 128");
      expect(c("u8[1] [1.5]")).toMatch(/found 1.5$/);
      expect(c("i64[1] [9223372036854775808]")).toBe("2:22: 9223372036854775808 does not fit i64");
      expect(c("f16[1] [1.5]")).toMatch(/expected a f16 bit pattern/);
      expect(c("bool[1] [yes]")).toBe('2:23: expected true or false, found "yes"');
    });
    it("checks base64 data", () => {
      expect(c('f32[2] base64"AAAA"')).toBe("2:21: base64 data holds 3 bytes, [2] of f32 needs 8");
      expect(c('f32[1] base64"A$AA"')).toBe("2:21: malformed base64 data");
    });
    it("needs a static shape", () => {
      expect(c("f32[T] [1]")).toBe("2:14: a tensor value needs a static shape, found [T]");
    });
    it("needs data", () => {
      expect(c("f32[1]")).toMatch(/^3:1: expected tensor data/);
    });
    it("rejects a constant defined twice", () => {
      expect(parseError("graph @g() -> () {\n  %c = const f32[] [1]\n  %c = const f32[] [1]\n}").message).toBe("3:3: constant %c is defined twice");
    });
  });

  it("rejects malformed quantization annotations", () => {
    expect(parseError("graph @g(%x: i8[2]{q: scale=0.1}) -> () {\n}").message).toMatch(/needs both scale and zp/);
    expect(parseError("graph @g(%x: i8[2]{q: bits=8}) -> () {\n}").message).toBe('1:23: unknown quantization field "bits" (expected axis, scale, zp or Qm.n)');
  });

  it("rejects an attribute given twice", () => {
    expect(parseError(g("  %y = TestUnary(%x) {axis=1, axis=2}")).message).toBe("2:31: attribute axis is given twice");
  });
});
