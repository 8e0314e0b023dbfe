// A user pass loaded from its module on the command line (`--load`), as docs/passes.md shows:
// examples/custom-pass/fold-mul-chain folds x*a*b into x*(a*b) in `neonc optimize`.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { ROOT, ensureBuilt, neonc } from "./helpers.js";

const plugin = path.join(ROOT, "dist/examples/custom-pass/fold-mul-chain.js");

describe("--load", () => {
  beforeAll(() => ensureBuilt());

  it("registers the example pass for neonc passes and neonc optimize", () => {
    expect(neonc("passes", "--load", plugin).stdout).toMatch(/fold-mul-chain +Folds x\*a\*b/);

    const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-load-"));
    const model = path.join(dir, "mul.onnx");
    writeFileSync(model, buildModel({
      inputs: [{ name: "x", shape: [1, 4, "T"] }],
      outputs: [{ name: "y", shape: [1, 4, "T"] }],
      initializers: { a: fromNumbers("f32", [1], [2]), b: fromNumbers("f32", [4, 1], [1, 2, 3, 4]) },
      nodes: [{ op: "Mul", inputs: ["x", "a"], outputs: ["xa"] }, { op: "Mul", inputs: ["xa", "b"], outputs: ["y"] }],
    }));
    const out = path.join(dir, "out.onnx");
    const r = neonc("optimize", model, "--load", plugin, "--passes", "fold-mul-chain,canonicalize", "-o", out);
    expect(r.code).toBe(0);
    expect(importOnnxFile(out).nodes.map((n) => n.op)).toEqual(["Mul"]);
  });

  it("loads the TypeScript source of a pass (docs/passes.md's tutorial is TypeScript)", () => {
    const ts = path.join(ROOT, "examples/custom-pass/fold-mul-chain.ts");
    const r = neonc("passes", "--load", ts);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/fold-mul-chain +Folds x\*a\*b/);
    const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-load-ts-"));
    const bad = path.join(dir, "broken.ts");
    writeFileSync(bad, "export const x: number = ;\n");
    const b = neonc("passes", "--load", bad);
    expect(b.code).toBe(2);
    expect(b.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(b.stderr).toMatch(/^neonc: --load .*broken\.ts: cannot load the module/);
  });

  it("refuses a module that cannot be loaded, as a usage error", () => {
    const r = neonc("passes", "--load", path.join(os.tmpdir(), "no-such-pass-module.js"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^neonc: .*no-such-pass-module\.js/);
  });
});
