// The IR text format, feature by feature: each test writes a graph, checks the exact text or
// parsed structure, and that printing the parse gives the text back.
import { describe, expect, it } from "vitest";
import "./test-ops.js";
import { parseGraph, printGraph, graphFromText } from "../../ir/text/index.js";
import { makeGraph, type Graph } from "../../ir/graph.js";
import { fromNumbers, makeTensor } from "../../ir/types.js";
import { parseDim, sym } from "../../ir/dim.js";
import { graphBits } from "./helpers.js";

/** Parses, checks that printing gives the same text (modulo the caller's layout), returns g. */
function roundTrip(text: string): Graph {
  const g = parseGraph(text);
  const printed = printGraph(g);
  expect(printGraph(parseGraph(printed))).toBe(printed);
  expect(graphBits(parseGraph(printed))).toEqual(graphBits(g));
  return g;
}

const body = (lines: string) => `graph @g(%x: f32[1,4,T]) -> (%y) {\n${lines}\n}\n`;

describe("IR text: graph header and nodes", () => {
  it("prints the example graph exactly and parses it back", () => {
    const text = [
      "graph @main(%features: f32[1,4,T]) -> (%log_probs) {",
      "  %b = const f32[3] [0.5, -1, 2.25]",
      "  %c = TestUnary(%features) {alpha=0.25, axis=2} : f32[1,4,T]",
      "  %y, %mask = TestMask(%c) : f32[1,4,T], bool[1,4,T]",
      "  %log_probs = TestBinary(%y, %b) : f32[1,4,3]",
      "}",
      "",
    ].join("\n");
    const g = parseGraph(text);
    expect(g.name).toBe("main");
    expect(g.inputs).toEqual(["features"]);
    expect(g.outputs).toEqual(["log_probs"]);
    expect(g.types.features).toEqual({ dtype: "f32", shape: [1, 4, sym("T")] });
    expect(g.nodes.map((n) => n.op)).toEqual(["TestUnary", "TestMask", "TestBinary"]);
    expect(g.nodes[1]!.outputs).toEqual(["y", "mask"]);
    expect(g.nodes[0]!.attrs).toEqual({ alpha: 0.25, axis: 2 });
    expect(g.nodes[0]!.name).toBe("c");
    expect(printGraph(g)).toBe(text);
  });

  it("sorts attributes by name and puts types last, so CHECK substrings match", () => {
    const g = roundTrip(body("  %y = TestAttrs(%x) {s=\"a\", i=3, d=[1, T]}"));
    const line = printGraph(g).split("\n")[1]!;
    expect(line).toBe('  %y = TestAttrs(%x) {d=[1, T], i=3, s="a"} : f32[1,4,T]');
    expect(line).toContain("%y = TestAttrs(%x) {d=[1, T], i=3");
  });

  it("omits an empty attribute block", () => {
    expect(printGraph(roundTrip(body("  %y = TestUnary(%x) {}")))).toContain("%y = TestUnary(%x) : f32[1,4,T]");
  });

  it("writes omitted optional inputs and outputs as _", () => {
    const g = roundTrip(body("  %y, _ = TestMask(%x) : f32[1,4,T], _\n  %z = TestBinary(%y, %y, _) : f32[1,4,T]"));
    expect(g.nodes[0]!.outputs).toEqual(["y", ""]);
    expect(g.nodes[1]!.inputs).toEqual(["y", "y", ""]);
    expect(printGraph(g)).toContain("%z = TestBinary(%y, %y, _) : f32[1,4,T]");
    expect(printGraph(g)).toContain("%y, _ = TestMask(%x) : f32[1,4,T], _");
  });

  it("infers the types of nodes written without them", () => {
    const g = roundTrip(body("  %a, %m = TestMask(%x)\n  %y = TestConcat(%a, %x) {axis=-1}"));
    expect(g.types.m).toEqual({ dtype: "bool", shape: [1, 4, sym("T")] });
    expect(printGraph(g)).toContain("%y = TestConcat(%a, %x) {axis=-1} : f32[1,4,2*T]");
  });

  it("gives the type rule the values of constant inputs", () => {
    const g = roundTrip(body("  %s = const i64[2] [4, -1]\n  %y = TestReshape(%x, %s)"));
    expect(g.types.y).toEqual({ dtype: "f32", shape: [4, -1] });
  });

  it("uses the number of outputs for variadic outputs", () => {
    const g = roundTrip("graph @g(%x: f32[6,2]) -> (%a) {\n  %a, %b, %c = TestSplit(%x)\n}");
    expect(g.types.c).toEqual({ dtype: "f32", shape: [2, 2] });
  });

  it("writes a node without outputs as a bare call", () => {
    const g = roundTrip(body("  TestUnary(%x)\n  %y = TestUnary(%x)"));
    expect(g.nodes[0]!.outputs).toEqual([]);
    expect(g.nodes[0]!.name).toBe("");
    expect(printGraph(g)).toContain("\n  TestUnary(%x)\n");
  });

  it("keeps a node name only when it differs from the first output", () => {
    const g = roundTrip(body('  %y = TestUnary(%x) @name("conv1")\n  %z = TestUnary(%y) @name("z")'));
    expect(g.nodes.map((n) => n.name)).toEqual(["conv1", "z"]);
    const text = printGraph(g);
    expect(text).toContain('%y = TestUnary(%x) : f32[1,4,T]  @name("conv1")');
    expect(text).toContain("%z = TestUnary(%y) : f32[1,4,T]\n");
  });

  it("quotes value, graph and op names that need it, with escapes", () => {
    const text = [
      'graph @"my graph"(%"in put": f32[2]) -> (%"onnx::Conv_12") {',
      '  %"onnx::Conv_12" = "const"(%"in put") : f32[2]',
      '  %"q\\"\\n\\u0000" = "with space"(%"onnx::Conv_12") : f32[2]',
      "  %a.b_1 = TestUnary(%\"onnx::Conv_12\") : f32[2]",
      "  %12 = TestUnary(%a.b_1) : f32[2]",
      "}",
      "",
    ].join("\n");
    const g = roundTrip(text);
    expect(g.name).toBe("my graph");
    expect(g.inputs).toEqual(["in put"]);
    expect(g.nodes[0]!.op).toBe("const");
    expect(g.nodes[1]!.outputs).toEqual(['q"\n\u0000']);
    expect(g.nodes[1]!.op).toBe("with space");
    expect(printGraph(g)).toBe(text);
  });

  it("skips comments and blank lines, including golden-test RUN and CHECK lines", () => {
    const text = `// RUN: canonicalize

graph @g(%x: f32[2]) -> (%y) {   // header
  // a comment line
  %y = TestUnary(%x)  // trailing

}
// CHECK: %y = TestUnary(%x)
`;
    const g = roundTrip(text);
    expect(g.nodes).toHaveLength(1);
  });

  it("accepts typed graph outputs and checks them", () => {
    const g = roundTrip("graph @g(%x: f32[1,4,T]) -> (%y: f32[1,4,T]) {\n  %y = TestUnary(%x)\n}");
    expect(printGraph(g)).toContain("-> (%y) {");
  });

  it("lets a graph output be a graph input or a constant", () => {
    const g = roundTrip("graph @g(%x: f32[2]) -> (%x, %c) {\n  %c = const i8[] [-128]\n}");
    expect(g.constants.c!.data).toEqual(new Int8Array([-128]));
    expect(g.nodes).toEqual([]);
  });

  it("prints graph inputs of unknown type as _ and reads them back", () => {
    const g = makeGraph({ name: "g", inputs: ["x"], outputs: ["x"], nodes: [], types: {}, constants: {} });
    expect(printGraph(g)).toBe("graph @g(%x: _) -> (%x) {\n}\n");
    expect(graphBits(parseGraph(printGraph(g)))).toEqual(graphBits(g));
  });
});

describe("IR text: metadata", () => {
  it("round-trips metadata with odd keys and values", () => {
    const g = roundTrip('meta {producer_name="pytorch", "odd key"="va\\"l\\nue"}\ngraph @g(%x: f32[1]) -> (%x) {\n}');
    expect(g.meta).toEqual({ producer_name: "pytorch", "odd key": 'va"l\nue' });
    expect(printGraph(g).split("\n")[0]).toBe('meta {producer_name="pytorch", "odd key"="va\\"l\\nue"}');
  });

  it("tells empty metadata from none", () => {
    expect(roundTrip("meta {}\ngraph @g() -> () {\n}").meta).toEqual({});
    expect(roundTrip("graph @g() -> () {\n}").meta).toBeUndefined();
  });
});

describe("IR text: types", () => {
  it("prints symbolic dims as canonical dim expressions", () => {
    const g = roundTrip("graph @g(%x: f32[1,64,floor((T+1)/2)], %y: f32[2*T+1, ceil(T/4), S-T]) -> (%x) {\n}");
    expect(printGraph(g)).toContain("%x: f32[1,64,floor((T+1)/2)], %y: f32[2*T+1,floor((T+3)/4),S-T]");
  });

  it("prints scalars as [] and every dtype by name", () => {
    const dts = ["f32", "f64", "f16", "bf16", "f8e4m3fn", "f8e4m3fnuz", "f8e5m2", "f8e5m2fnuz", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "bool", "string"];
    const ins = dts.map((d, i) => `%v${i}: ${d}[]`).join(", ");
    const g = roundTrip(`graph @g(${ins}) -> () {\n}`);
    expect(g.types.v17).toEqual({ dtype: "string", shape: [] });
  });

  it("prints per-tensor, per-channel and fixed-point quantization", () => {
    const text = [
      "graph @g(%a: i8[1,64,T]{q: scale=0.05, zp=3}, %b: i8[2,4]{q: axis=0, scale=[0.1, 0.30000000000000004], zp=[0, -1]}, %c: i16[4]{q: Q3.12}) -> (%a) {",
      "  %d = const u8[2]{q: axis=1, scale=[1e-7], zp=[128]} [0, 255]",
      "}",
      "",
    ].join("\n");
    const g = roundTrip(text);
    expect(g.types.a!.quant).toEqual({ kind: "affine", scale: [0.05], zeroPoint: [3] });
    expect(g.types.b!.quant).toEqual({ kind: "affine", scale: [0.1, 0.30000000000000004], zeroPoint: [0, -1], axis: 0 });
    expect(g.types.c!.quant).toEqual({ kind: "fixed", intBits: 3, fracBits: 12 });
    expect(g.types.d!.quant).toEqual({ kind: "affine", scale: [1e-7], zeroPoint: [128], axis: 1 });
    expect(printGraph(g)).toBe(text);
  });

  it("keeps the exact scale of a quantized type", () => {
    const scale = 1 / 3;
    const g = makeGraph({
      name: "g", inputs: ["a"], outputs: ["a"], nodes: [], constants: {},
      types: { a: { dtype: "i8", shape: [2], quant: { kind: "affine", scale: [scale, 2 ** -30], zeroPoint: [0, 5] } } },
    });
    const back = parseGraph(printGraph(g));
    expect(back.types.a!.quant).toEqual(g.types.a!.quant);
  });
});

describe("IR text: attributes", () => {
  it("spells float attributes of registered ops with a decimal point", () => {
    const g = roundTrip(body("  %y = TestUnary(%x) {alpha=1, axis=2}"));
    expect(printGraph(g)).toContain("{alpha=1.0, axis=2}");
    expect(g.nodes[0]!.attrs.alpha).toBe(1);
  });

  it("keeps every bit of float attributes, with nan, inf, -0 and extremes", () => {
    const values = [0.1, 1 / 3, -0, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 1e21, 123456789.12345678];
    for (const alpha of values) {
      const g = makeGraph({
        name: "g", inputs: ["x"], outputs: ["y"], constants: {},
        types: { x: { dtype: "f32", shape: [1] }, y: { dtype: "f32", shape: [1] } },
        nodes: [{ name: "y", op: "TestUnary", inputs: ["x"], outputs: ["y"], attrs: { alpha, axis: -0 } }],
      });
      const back = parseGraph(printGraph(g));
      expect(Object.is(back.nodes[0]!.attrs.alpha, alpha)).toBe(true);
      expect(Object.is(back.nodes[0]!.attrs.axis, -0)).toBe(true);
    }
  });

  it("reads every kind of attribute value", () => {
    const g = roundTrip(body(
      '  %y = TestAttrs(%x) {d=[1, T, floor((T+1)/2), -1], f=-2.5e-8, fs=[1.0, nan, -inf], i=-7, is=[1, 2, 3], s="he said \\"hi\\"", ss=["a", ""], t=i64[2] [9223372036854775807, -9223372036854775808]}',
    ));
    const a = g.nodes[0]!.attrs;
    expect(a.d).toEqual([1, sym("T"), parseDim("floor((T+1)/2)"), -1]);
    expect(a.f).toBe(-2.5e-8);
    expect(a.fs).toEqual([1, NaN, -Infinity]);
    expect(a.i).toBe(-7);
    expect(a.is).toEqual([1, 2, 3]);
    expect(a.s).toBe('he said "hi"');
    expect(a.ss).toEqual(["a", ""]);
    expect(a.t).toEqual(makeTensor("i64", [2], new BigInt64Array([9223372036854775807n, -9223372036854775808n])));
  });

  it("reads attributes of unregistered ops and unknown attributes by their syntax", () => {
    const g = roundTrip("graph @g(%x: f32[2]) -> (%y) {\n  %y = Mystery(%x) {a=1, b=1.5, c=[], d=[\"s\"], e=[2, T], \"odd name\"=f32[] [3]} : f32[2]\n}");
    expect(g.nodes[0]!.attrs).toEqual({ a: 1, b: 1.5, c: [], d: ["s"], e: [2, sym("T")], "odd name": fromNumbers("f32", [], [3]) });
    expect(printGraph(g)).toContain('{a=1, b=1.5, c=[], d=["s"], e=[2, T], "odd name"=f32[] [3]}');
  });
});

describe("IR text: constants", () => {
  const constLine = (t: ReturnType<typeof makeTensor>) => {
    const g = makeGraph({ name: "g", inputs: [], outputs: ["c"], nodes: [], types: { c: { dtype: t.dtype, shape: t.shape } }, constants: { c: t } });
    const text = printGraph(g);
    expect(graphBits(parseGraph(text))).toEqual(graphBits(g));
    expect(printGraph(parseGraph(text))).toBe(text);
    return text.split("\n")[1]!.replace(/^ {2}%c = const /, "");
  };

  it("writes small float tensors as the shortest exact decimals", () => {
    expect(constLine(fromNumbers("f32", [2, 3], [0.1, -0, NaN, Infinity, -Infinity, 1e-45]))).toBe("f32[2,3] [0.1, -0, nan, inf, -inf, 1e-45]");
    expect(constLine(fromNumbers("f64", [3], [0.1, 5e-324, 1 / 3]))).toBe("f64[3] [0.1, 5e-324, 0.3333333333333333]");
    expect(constLine(fromNumbers("f32", [2], [Math.fround(1 / 3), 3.4028234663852886e38]))).toBe("f32[2] [0.33333334, 3.4028235e+38]");
  });

  it("writes integer extremes exactly, 64-bit ones too", () => {
    expect(constLine(fromNumbers("i32", [2], [-2147483648, 2147483647]))).toBe("i32[2] [-2147483648, 2147483647]");
    expect(constLine(makeTensor("u64", [2], new BigUint64Array([0n, 18446744073709551615n])))).toBe("u64[2] [0, 18446744073709551615]");
    expect(constLine(makeTensor("i64", [1], new BigInt64Array([-9223372036854775808n])))).toBe("i64[1] [-9223372036854775808]");
  });

  it("writes bools, strings and packed floats", () => {
    expect(constLine(fromNumbers("bool", [3], [1, 0, 1]))).toBe("bool[3] [true, false, true]");
    expect(constLine(makeTensor("string", [2], ['a"b', "ω\n"]))).toBe('string[2] ["a\\"b", "ω\\n"]');
    expect(constLine(makeTensor("f16", [2], new Uint16Array([0x3c00, 0x7e01])))).toBe("f16[2] [0x3c00, 0x7e01]");
    expect(constLine(makeTensor("f8e4m3fn", [1], new Uint8Array([0x7f])))).toBe("f8e4m3fn[1] [0x7f]");
  });

  it("writes scalars and empty tensors", () => {
    expect(constLine(fromNumbers("f32", [], [2.5]))).toBe("f32[] [2.5]");
    expect(constLine(makeTensor("i8", [0, 3]))).toBe("i8[0,3] []");
  });

  it("switches to base64 above 16 elements, keeping every byte", () => {
    const big = fromNumbers("f32", [17], Array.from({ length: 17 }, (_, i) => i / 7));
    const line = constLine(big);
    expect(line).toMatch(/^f32\[17\] base64"[A-Za-z0-9+/=]+"$/);
    expect(constLine(fromNumbers("f32", [16], new Array(16).fill(1)))).toMatch(/^f32\[16\] \[1, 1/);
    const strs = makeTensor("string", [20], new Array(20).fill("s"));
    expect(constLine(strs)).toMatch(/^string\[20\] \["s", /);
  });

  it("uses base64 for data a list would not keep: NaN payloads, odd bool bytes", () => {
    const nan = fromNumbers("f32", [1], [0]);
    new Uint32Array((nan.data as Float32Array).buffer)[0] = 0x7fc00001;
    expect(constLine(nan)).toMatch(/^f32\[1\] base64"/);
    expect(constLine(makeTensor("bool", [1], new Uint8Array([2])))).toBe('bool[1] base64"Ag=="');
  });

  it("reads hand-written base64 and literal data", () => {
    const g = parseGraph('graph @g() -> (%a, %b) {\n  %a = const i16[2] base64"AQD//w=="\n  %b = const f32[2] [1.5, -2e-3]\n}');
    expect(g.constants.a!.data).toEqual(new Int16Array([1, -1]));
    expect(g.constants.b!.data).toEqual(new Float32Array([1.5, -2e-3]));
  });
});
