// The op-coverage table in docs is the registries' own output (so it is current), and its rows
// say what the registries say.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { opCoverage, opCoverageMarkdown } from "../../../src/adapters/report/op-coverage.js";
import { allOps } from "../../../ir/registry.js";
import { findKernel } from "../../../codegen/kernel.js";
import "../../../src/index.js";
import { repoRoot } from "../../helpers/shared.js";
import { parseGraph } from "../../../ir/text/index.js";
import { compileGraph } from "../../../codegen/emit-model.js";
import { getTarget } from "../../../ir/target.js";
import { fromNumbers } from "../../../ir/types.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { buildModel } from "../../helpers/onnx-builder.js";

describe("op coverage", () => {
  it("docs/op-coverage.md is current (regenerate: npx tsx src/app/cli/main.ts ops --markdown > docs/op-coverage.md)", () => {
    expect(readFileSync(path.join(repoRoot, "docs/op-coverage.md"), "utf8")).toBe(opCoverageMarkdown());
  });

  it("has one row per registered op, and C where a kernel or a lowering exists", () => {
    const rows = opCoverage();
    expect(rows.map((r) => r.op).sort()).toEqual(allOps().map((d) => d.name).sort());
    const byOp = new Map(rows.map((r) => [r.op, r]));
    expect(byOp.get("Relu")).toMatchObject({ c: "kernel", int8: "table", gradient: true });
    expect(byOp.get("Conv")).toMatchObject({ c: "lowered", int8: "integer", gradient: true });
    expect(byOp.get("Conv")!.algorithms).toContain("ConvIm2col");
    for (const r of rows) if (r.c === "kernel") expect(findKernel(r.op), r.op).toBeDefined();
    for (const r of rows) if (r.c === "lowered") for (const a of r.algorithms) expect(findKernel(a), `${r.op} via ${a}`).toBeDefined();
  });

  it("says what the generator does with the ops it has no kernel for, and that holds: If compiles to C, Constant is folded at import", () => {
    const byOp = new Map(opCoverage().map((r) => [r.op, r]));
    expect(byOp.get("If")!.c).toBe("emitted");
    expect(byOp.get("Constant")!.c).toBe("folded");
    expect(opCoverageMarkdown()).toMatch(/\| If \| If \| yes \| emitted: branches inline \(codegen\/emit-if\.ts\) \|/);
    const ifGraph = parseGraph(`graph @g(%x: f32[2], %c: bool[]) -> (%y) {
  %y = If(%c, %x) {else_branch=graph @e(%x: f32[2]) -> (%n) {
      %n = Neg(%x) : f32[2]
    }, then_branch=graph @t(%x: f32[2]) -> (%x) {
    }} : f32[2]
}`);
    expect(compileGraph(ifGraph, { target: getTarget("c99") }).files["model.c"]).toMatch(/if \(\(.*\)\[0\] != 0\)/);
    const g = importOnnxBytes(buildModel({
      inputs: [{ name: "x", shape: [3] }], outputs: [{ name: "y", shape: [3] }],
      nodes: [
        { op: "Constant", inputs: [], outputs: ["k"], attrs: { value: fromNumbers("f32", [3], [1, 2, 3]) } },
        { op: "Add", inputs: ["x", "k"], outputs: ["y"] },
      ],
    }), "constant.onnx");
    expect(g.nodes.map((n) => n.op)).toEqual(["Add"]);
  });
});
