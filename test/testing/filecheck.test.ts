// FileCheck (src/testing/filecheck.ts) must be able to fail: every directive is checked both
// ways, and a failure names the directive, its fixture line, the variables it used and what it
// scanned.
import { describe, expect, it } from "vitest";
import { fileCheck, parseDirectives } from "../../src/testing/index.js";

const out = [
  "graph @g(%x: f32[2]) -> (%y) {", //                      1
  "  %w = const i8[2] [1, 2]", //                           2
  "  %a = Relu(%x) : f32[2]", //                            3
  "  %b = Sigmoid(%x) : f32[2]", //                         4
  "  %y = Add(%a, %b) {activation=\"Relu\"} : f32[2]", //   5
  "}", //                                                   6
].join("\n");
const check = (fixture: string, text = out) => fileCheck(text, parseDirectives(fixture));

describe("CHECK", () => {
  it("matches in order, later on the same line or on a later line", () => {
    expect(check("// CHECK: Relu\n// CHECK: Sigmoid")).toBeUndefined();
    expect(check("// CHECK: %y = Add\n// CHECK: Relu")).toBeUndefined(); // the attribute, same line
    expect(check("// CHECK: Sigmoid\n// CHECK: %a = Relu")).toMatch(/^CHECK \(fixture line 2\) "%a = Relu" not found; scanned output lines 4-6 \(the first from column 15\):\n {5}4 \| {3}%b = Sigmoid/);
  });

  it("says which lines it scanned, and shortens long outputs", () => {
    const long = Array.from({ length: 60 }, (_, k) => `line ${k + 1}`).join("\n");
    const msg = check("// CHECK: nowhere", long)!;
    expect(msg).toMatch(/not found; scanned output lines 1-60:/);
    expect(msg).toMatch(/… 36 more lines …/);
    expect(msg).toMatch(/60 \| line 60$/);
  });
});

describe("CHECK-NEXT and CHECK-SAME", () => {
  it("CHECK-NEXT matches on the line right after the previous match", () => {
    expect(check("// CHECK: Relu(%x)\n// CHECK-NEXT: %b = Sigmoid")).toBeUndefined();
    expect(check("// CHECK: %w\n// CHECK-NEXT: Sigmoid")).toMatch(/^CHECK-NEXT \(fixture line 2\) "Sigmoid" is not on the next line \(output line 3\); scanned output line 3:\n {5}3 \| {3}%a = Relu/);
    expect(check("// CHECK-NEXT: graph")).toMatch(/CHECK-NEXT \(fixture line 1\) "graph" has no match before it to follow/);
    expect(check("// CHECK: {{^}}}\n// CHECK-NEXT: x")).toMatch(/has no next line: the output ends/);
  });

  it("CHECK-SAME continues on the previous match's line, after it", () => {
    expect(check("// CHECK: %y = Add(\n// CHECK-SAME: %a, %b\n// CHECK-SAME: activation=\"Relu\"")).toBeUndefined();
    // Before the previous match on the line does not count.
    expect(check("// CHECK: %y = Add(%a\n// CHECK-SAME: %y")).toMatch(/^CHECK-SAME \(fixture line 2\) "%y" is not on the same line as the previous match, after it; scanned output line 5 from column 14:/);
    expect(check("// CHECK: %a = Relu\n// CHECK-SAME: Sigmoid")).toMatch(/CHECK-SAME \(fixture line 2\) "Sigmoid" is not on the same line/);
  });
});

describe("CHECK-NOT", () => {
  it("holds between the surrounding matches and after the last one", () => {
    expect(check("// CHECK-NOT: Conv\n// CHECK: Relu")).toBeUndefined();
    expect(check("// CHECK: Relu\n// CHECK-NOT: Sigmoid\n// CHECK: Add")).toMatch(
      /^CHECK-NOT \(fixture line 2\) "Sigmoid" occurs on output line 4, before the match of CHECK \(fixture line 3\) "Add" on output line 5:\n {5}4 \| {3}%b = Sigmoid/,
    );
    expect(check("// CHECK: Relu\n// CHECK-NOT: Add")).toMatch(/"Add" occurs on output line 5, up to the end of the output/);
    // The part of a line after the previous match counts; the part before it does not.
    expect(check("// CHECK: %y = Add\n// CHECK-NOT: %y")).toBeUndefined();
    expect(check("// CHECK: %y = Add\n// CHECK-NOT: Relu")).toMatch(/"Relu" occurs on output line 5/);
  });
});

describe("CHECK-DAG", () => {
  it("matches a group in any order between the ordered checks around it", () => {
    expect(check("// CHECK: %w\n// CHECK-DAG: %b = Sigmoid\n// CHECK-DAG: %a = Relu\n// CHECK: %y = Add")).toBeUndefined();
    // The next CHECK starts after the group's last match.
    expect(check("// CHECK-DAG: %b = Sigmoid\n// CHECK-DAG: %a = Relu\n// CHECK: Relu(%x)")).toMatch(/CHECK \(fixture line 3\) "Relu\(%x\)" not found; scanned output lines 4-6/);
    expect(check("// CHECK: %a = Relu\n// CHECK-DAG: const\n// CHECK-DAG: Sigmoid")).toMatch(/^CHECK-DAG \(fixture line 2\) "const" not found; scanned output lines 3-6 \(the first from column 12\)/);
  });

  it("does not let two directives of a group take the same text", () => {
    expect(check("// CHECK-DAG: Relu\n// CHECK-DAG: Relu")).toBeUndefined(); // line 3, then the activation on line 5
    expect(check("// CHECK-DAG: Sigmoid\n// CHECK-DAG: Sigmoid")).toMatch(/CHECK-DAG \(fixture line 2\) "Sigmoid" not found \(apart from the group's other matches\)/);
  });

  it("applies a CHECK-NOT before the group up to the group's first match", () => {
    expect(check("// CHECK: %w\n// CHECK-NOT: Add\n// CHECK-DAG: Sigmoid\n// CHECK-DAG: Relu")).toBeUndefined();
    expect(check("// CHECK: %w\n// CHECK-NOT: Relu\n// CHECK-DAG: %y\n// CHECK-DAG: Sigmoid")).toMatch(/CHECK-NOT \(fixture line 2\) "Relu" occurs on output line 3, before the CHECK-DAG group at fixture line 3/);
    expect(check("// CHECK-DAG: Sigmoid\n// CHECK-NEXT: Add")).toMatch(/follows a CHECK-DAG group/);
  });
});

describe("variables", () => {
  it("[[NAME:regex]] binds what the regex matched and [[NAME]] must match it again", () => {
    expect(check("// CHECK: %[[A:[a-z]+]] = Relu\n// CHECK: Add(%[[A]], %b)")).toBeUndefined();
    expect(check("// CHECK: %[[A:[a-z]+]] = Sigmoid\n// CHECK: Add(%[[A]], %b)")).toMatch(
      /^CHECK \(fixture line 2\) "Add\(%\[\[A\]\], %b\)" not found; scanned output lines 4-6 \(the first from column 15\) \(with \[\[A\]\] = "b"\):/,
    );
  });

  it("can be used later in the defining pattern, in CHECK-SAME, CHECK-NOT and CHECK-DAG", () => {
    expect(check("// CHECK: [[V:%[a-z]]] = Relu([[X:%[a-z]]]) : f32[2]\n// CHECK: Sigmoid([[X]])\n// CHECK-SAME: : f32[2]\n// CHECK-NOT: Relu([[V]])")).toBeUndefined();
    expect(check("// CHECK-DAG: [[S:%[a-z]]] = Sigmoid\n// CHECK-DAG: %y = Add(%a, [[S]])")).toBeUndefined();
    expect(check("// CHECK: const i8[[[N:[0-9]+]]]\n// CHECK: f32[[[N]]]")).toBeUndefined();
    expect(check("// CHECK: %[[A:a]] = Relu\n// CHECK-NOT: Add(%[[A]]")).toMatch(/CHECK-NOT \(fixture line 2\) "Add\(%\[\[A\]\]" occurs on output line 5, up to the end of the output \(with \[\[A\]\] = "a"\)/);
    // A back-reference inside one pattern.
    expect(check("// CHECK: [[P:%[a-z]]], [[P]])")).toMatch(/not found/);
    expect(check("// CHECK: Add([[P:%[a-z]]], [[Q:%[a-z]]])\n// CHECK-NOT: Add([[Q]], [[P]])")).toBeUndefined();
  });

  it("names the directive when a variable is used before it is bound, or a pattern is malformed", () => {
    expect(check("// CHECK: [[NOPE]] = Relu")).toMatch(/^CHECK \(fixture line 1\) "\[\[NOPE\]\] = Relu": uses \[\[NOPE\]\], which no earlier directive defined$/);
    expect(() => parseDirectives("// CHECK-NOT: [[X:%a]]")).toThrow(/CHECK-NOT \(fixture line 1\) .*cannot define a variable/);
    expect(() => parseDirectives("// CHECK: [[1x:a]]")).toThrow(/"1x", which is not a variable name/);
    expect(() => parseDirectives("// CHECK: {{(}}")).toThrow(/CHECK \(fixture line 1\) .* invalid regular expression "\("/);
    expect(() => parseDirectives("// CHECK: [[X:a]] [[X:b]]")).toThrow(/defines \[\[X\]\] twice/);
  });
});

describe("directives", () => {
  it("supports {{regex}} and rejects unknown directives and empty patterns", () => {
    expect(check("// CHECK: %{{[a-z]}} = Relu")).toBeUndefined();
    expect(check("// CHECK: %{{[0-9]}} = Relu")).toMatch(/not found/);
    expect(() => parseDirectives("// CHECK-SOMETIMES: x")).toThrow(/fixture line 1: unknown directive "\/\/ CHECK-SOMETIMES: x" \(known: CHECK:, CHECK-NEXT:, CHECK-SAME:, CHECK-NOT:, CHECK-DAG:\)/);
    expect(() => parseDirectives("// CHECK Relu")).toThrow(/unknown directive/);
    expect(() => parseDirectives("// CHECK:   ")).toThrow(/CHECK has an empty pattern/);
  });

  it("takes another prefix, leaving CHECK lines alone", () => {
    const fixture = "// CHECK: Relu\n// LOG: stays in float\n// LOG-NOT: error";
    expect(parseDirectives(fixture, "LOG").map((d) => `${d.prefix}${d.kind} ${d.line}`)).toEqual(["LOG 2", "LOG-NOT 3"]);
    expect(fileCheck("quantize: Add stays in float", parseDirectives(fixture, "LOG"))).toBeUndefined();
    expect(fileCheck("an error", parseDirectives(fixture, "LOG"))).toMatch(/^LOG \(fixture line 2\) "stays in float" not found/);
  });
});
