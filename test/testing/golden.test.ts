// The golden-fixture runner (src/testing/golden.ts) must be able to fail: every directive is
// checked both ways on small fixtures, and a malformed fixture is refused naming its line.
import { describe, expect, it } from "vitest";
import { checkGoldenFixture, FixtureError, runGoldenFixture } from "../../src/testing/index.js";

/** A Conv quantized with given ranges; `extra` adds directives. */
const conv = (extra: string, run = "quantize") => `// RUN: ${run}
${extra}
graph @g(%x: f32[1,2,T]) -> (%y) {
  %w = const f32[2,2,1] [1, -0.5, 0.25, 0.75]
  %y = Conv(%x, %w)
}
`;
const RANGES = "// CALIBRATE: %x in [-2, 1.984375], %y in [-4, 3.96875]\n// INPUTS: T = 8, values in [-2, 1.984375]";
const problems = (text: string) => runGoldenFixture(text).problems;

describe("golden fixtures: CHECK and LOG", () => {
  it("passes when the printed result and the log hold", () => {
    const r = runGoldenFixture(conv(`${RANGES}\n// NUMERIC: SQNR >= 30 dB\n// CHECK: %y.q = QConv(%x.q, %w.q, %y.b.q)\n// LOG: Conv y: fired lower`));
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.measured[0]).toMatch(/^SQNR >= 30 dB: %y \d+\.\d dB$/);
    expect(r.log).toContain("// explain quantize: 1 node");
  });

  it("reports a CHECK or LOG line that does not hold, with its fixture line", () => {
    const p = problems(conv(`${RANGES}\n// NUMERIC: skip\n// CHECK: QMatMul\n// LOG: MatMul`));
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^LOG \(fixture line 6\) "MatMul" not found;[^]*--- log ---\n\/\/ explain quantize/);
    expect(p[1]).toMatch(/^CHECK \(fixture line 5\) "QMatMul" not found; scanned output lines 1-/);
  });
});

describe("golden fixtures: NUMERIC", () => {
  it("checks SQNR of every output, or of one value", () => {
    expect(problems(conv(`${RANGES}\n// NUMERIC: SQNR >= 90 dB\n// CHECK: QConv`))).toEqual([
      expect.stringMatching(/^NUMERIC \(fixture line 4\) SQNR >= 90 dB: %y has \d+\.\d\d dB over 3 input sets$/),
    ]);
    expect(problems(conv(`${RANGES}\n// NUMERIC: SQNR(%y) >= 90 dB\n// CHECK: QConv`))[0]).toMatch(/SQNR\(%y\) >= 90 dB: %y has/);
    expect(problems(conv(`${RANGES}\n// NUMERIC: SQNR(%nope) >= 9 dB\n// CHECK: QConv`))[0]).toMatch(/%nope is no output and no value quantize lowered \(layers: %y\)/);
  });

  it("holds a quantized result to the float numbers by default, which fails", () => {
    expect(problems(conv(`${RANGES}\n// CHECK: QConv`))).toEqual([
      expect.stringMatching(/^NUMERIC same numbers \(the default\): output %y on input set 1: \d+ of \d+ elements differ beyond the tolerance \(relToMax=0.00001\)/),
    ]);
  });

  it("compares against another graph of the fixture: bit-exact, max |diff| and the share of equal values", () => {
    const fixture = (numeric: string, scale: string) => `// RUN: canonicalize
// INPUTS: values in [-1, 1]
// NUMERIC: ${numeric}
graph @g(%x: f32[64]) -> (%y) {
  %q = Quantize(%x) {out_dtype="i8", scale=0.01, zero_point=0}
  %y = Dequantize(%q) {scale=0.01, zero_point=0}
}
// CHECK: Quantize
graph @ref(%x: f32[64]) -> (%y) {
  %q = Quantize(%x) {out_dtype="i8", scale=${scale}, zero_point=0}
  %y = Dequantize(%q) {scale=${scale}, zero_point=0}
}
`;
    expect(problems(fixture("bit-exact against @ref", "0.01"))).toEqual([]);
    expect(problems(fixture("bit-exact against @ref", "0.02"))[0]).toMatch(/^NUMERIC \(fixture line 3\) bit-exact against @ref: output %y on input set 1: \d+ of 64 elements differ \(exact comparison\)/);
    expect(problems(fixture("max |diff| <= 0.011 against @ref", "0.02"))).toEqual([]);
    expect(problems(fixture("max |diff| <= 0.001 against @ref", "0.02"))[0]).toMatch(/max \|diff\| <= 0.001 against @ref: output %y .* beyond the tolerance \(atol=0.001\)/);
    expect(problems(fixture("equal >= 99% against @ref", "0.02"))[0]).toMatch(/equal >= 99% against @ref: \d+ of 192 values equal \(\d+\.\d\d%\)/);
    expect(problems(fixture("within rtol=0.02 atol=0.011 against @ref", "0.02"))).toEqual([]);
    expect(problems(fixture("bit-exact against @other", "0.01"))[0]).toMatch(/the fixture has no graph @other \(it has @ref\)/);
  });
});

describe("golden fixtures: CALIBRATE, ERROR and the input graph", () => {
  it("calibrates on seeded random inputs, the same each run", () => {
    const text = conv("// CALIBRATE: 16 random inputs, seed 9\n// INPUTS: T = 8\n// NUMERIC: SQNR >= 25 dB\n// CHECK: %x.q = Quantize(%x) {out_dtype=\"i8\", scale=[[S:[0-9.]+]]");
    const a = runGoldenFixture(text), b = runGoldenFixture(text);
    expect(a.problems).toEqual([]);
    expect(a.printed).toBe(b.printed);
    expect(a.printed).toMatch(/"observer\\":\\"minmax\\",\\"samples\\":16/);
  });

  it("a fixture with ERROR must fail with that text", () => {
    const relu = (error: string) => `// RUN: quantize{int16=nope}\n// CALIBRATE: %x in [-1, 1]\n// ERROR: ${error}\ngraph @g(%x: f32[2]) -> (%y) {\n  %y = Relu(%x)\n}\n`;
    expect(problems(relu("no Conv/MatMul/Gemm layer has the node or output name 'nope'"))).toEqual([]);
    expect(problems(relu("something else"))[0]).toMatch(/^ERROR \(fixture line 3\): the pipeline fails, but its message does not contain "something else":\n {2}int16: no Conv/);
    expect(problems(`// RUN: canonicalize\n// ERROR: boom\ngraph @g(%x: f32[2]) -> (%y) {\n  %y = Relu(%x)\n}\n`)).toEqual([
      'ERROR (fixture line 2): expected the pipeline to fail with "boom", but it ran',
    ]);
    expect(problems(conv("// CHECK: Conv", "no-such-pass"))[0]).toMatch(/^the pipeline "no-such-pass" fails: /);
  });

  it("reports an input graph the verifier rejects", () => {
    expect(problems("// RUN: canonicalize\n// CHECK: x\ngraph @g(%x: f32[2]) -> (%y) {\n  %y = Relu(%z) : f32[2]\n}\n")[0]).toMatch(/^the input graph fails the verifier: /);
  });

  it("checkGoldenFixture throws every problem with the result", () => {
    expect(() => checkGoldenFixture(conv(`${RANGES}\n// NUMERIC: SQNR >= 90 dB\n// CHECK: QMatMul`), { name: "x.ir" })).toThrow(
      /^golden fixture x\.ir fails:\n- CHECK \(fixture line 5\)[^]*\n- NUMERIC \(fixture line 4\)[^]*--- result ---\nmeta {[^]*\ngraph @g/,
    );
  });
});

describe("golden fixtures: malformed fixtures are refused naming the line", () => {
  const refused = (text: string) => {
    try {
      runGoldenFixture(text);
    } catch (e) {
      expect(e).toBeInstanceOf(FixtureError);
      return (e as Error).message;
    }
    throw new Error("the fixture was accepted");
  };
  it("unknown or repeated directives, a missing RUN or CHECK", () => {
    expect(refused(conv("// CALIBRATION: %x in [0, 1]\n// CHECK: x"))).toMatch(/^line 2: unknown directive CALIBRATION: \(known: RUN:, TARGET:, CALIBRATE:, INPUTS:, NUMERIC:, ERROR:, CHECK:, LOG:/);
    expect(refused(conv("// RUN: canonicalize\n// CHECK: x"))).toMatch(/^line 2: a second RUN: line \(the first is line 1\)/);
    expect(refused("graph @g(%x: f32[2]) -> (%x) {\n}\n// CHECK: x")).toMatch(/no "\/\/ RUN: pipeline" line/);
    expect(refused(conv(""))).toMatch(/no CHECK lines \(a fixture that expects a failure has an ERROR: line instead\)/);
    expect(refused(conv("// ERROR: x\n// NUMERIC: bit-exact"))).toMatch(/NUMERIC with ERROR/);
    expect(refused(conv("// TARGET: x86\n// CHECK: x"))).toMatch(/^line 2: unknown target 'x86' \(the targets are c99, aarch64, armv7, aarch64\+dotprod, wasm32\)/);
  });

  it("CALIBRATE, INPUTS and NUMERIC that do not parse, or name what is not there", () => {
    expect(refused(conv("// CALIBRATE: x in [0, 1]\n// CHECK: x"))).toMatch(/^line 2: CALIBRATE expects "%value in \[min, max\]" .* got "x in \[0, 1\]"/);
    expect(refused(conv("// CALIBRATE: %x in [1, 0]\n// CHECK: x"))).toMatch(/^line 2: the range \[1, 0\] is empty/);
    expect(refused(conv("// CALIBRATE: %nope in [0, 1]\n// CHECK: x"))).toMatch(/CALIBRATE names %nope, which is no value of the input graph/);
    expect(refused(conv("// INPUTS: T is 8\n// CHECK: x"))).toMatch(/^line 2: INPUTS expects .* got "T is 8"/);
    expect(refused(conv("// INPUTS: %nope in [0, 1]\n// CHECK: x"))).toMatch(/INPUTS gives a range for %nope, which is no input of the graph/);
    expect(refused(conv("// NUMERIC: SQNR > 3 dB\n// CHECK: x"))).toMatch(/^line 2: NUMERIC expects skip, .* got "SQNR > 3 dB"/);
    expect(refused(conv("// NUMERIC: within tol=1\n// CHECK: x"))).toMatch(/"within" expects rtol=X, atol=X and\/or relToMax=X, got "tol=1"/);
    expect(refused(`${conv("// CHECK: x")}graph @g(%x: f32[2]) -> (%x) {\n}\n`)).toMatch(/a second graph named @g/);
  });
});
