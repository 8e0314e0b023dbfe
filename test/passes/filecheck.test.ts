// The golden tests' FileCheck must be able to fail: each directive kind is checked both ways.
import { describe, expect, it } from "vitest";
import { fileCheck, parseDirectives } from "./filecheck.js";

const out = ["graph @g(%x: f32[2]) -> (%y) {", "  %a = Relu(%x) : f32[2]", "  %y = Neg(%a) : f32[2]", "}"].join("\n");
const check = (fixture: string) => fileCheck(out, parseDirectives(fixture));

describe("fileCheck", () => {
  it("matches CHECK in order", () => {
    expect(check("// CHECK: Relu\n// CHECK: Neg")).toBeUndefined();
    expect(check("// CHECK: Neg\n// CHECK: Relu")).toMatch(/CHECK \(fixture line 2\) "Relu" not found/);
  });
  it("matches CHECK-NEXT on the very next line", () => {
    expect(check("// CHECK: Relu\n// CHECK-NEXT: %y = Neg(%a)")).toBeUndefined();
    expect(check("// CHECK: graph\n// CHECK-NEXT: Neg")).toMatch(/is not on the next line/);
  });
  it("enforces CHECK-NOT between matches and at the end", () => {
    expect(check("// CHECK-NOT: Conv\n// CHECK: Relu")).toBeUndefined();
    expect(check("// CHECK-NOT: Relu\n// CHECK: Neg")).toMatch(/CHECK-NOT \(fixture line 1\) "Relu" found on output line 2/);
    expect(check("// CHECK: Relu\n// CHECK-NOT: Neg")).toMatch(/"Neg" found on output line 3/);
  });
  it("supports {{regex}} and rejects unknown directives", () => {
    expect(check("// CHECK: %{{[a-z]}} = Relu")).toBeUndefined();
    expect(check("// CHECK: %{{[0-9]}} = Relu")).toMatch(/not found/);
    expect(() => parseDirectives("// CHECK-SAME: x")).toThrow(/unknown directive/);
  });
});
