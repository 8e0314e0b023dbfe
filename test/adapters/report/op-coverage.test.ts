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
});
