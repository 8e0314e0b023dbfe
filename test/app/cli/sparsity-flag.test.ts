// --sparsity on the pipeline commands: `--sparsity 0.5 --explain prune` prunes the conv's 8x1
// blocks and says so, `check --sparsity 0.5 --int8` passes on the C, a fraction out of range
// --sparsity-method wanda measures input norms on --calibration DIR; --sparsity-block or
// --sparsity-method alone, and wanda without a folder, are usage errors.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { ensureBuilt, f32, neonc, tempDir, writeModel, writeTensor } from "./helpers.js";

let dir: string;
let model: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-sparsity-");
  const w = Array.from({ length: 16 * 4 * 3 }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
  model = writeModel(path.join(dir, "m.onnx"), {
    inputs: [{ name: "x", shape: [1, 4, "T"] }],
    outputs: [{ name: "y", shape: [1, 16, "T"] }],
    initializers: { w: fromNumbers("f32", [16, 4, 3], w) },
    nodes: [{ op: "Conv", inputs: ["x", "w"], outputs: ["y"], attrs: { pads: [1, 1] } }],
  });
  for (const k of [0, 1]) writeTensor(path.join(dir, "in", `s${k}.input.pb`), f32([1, 4, 16], Array.from({ length: 64 }, (_, i) => Math.sin(i * (k + 2)))), "x");
});

describe("--sparsity", () => {
  it("0.5 prunes half of the conv's 8x1 blocks, --explain prune says so, and check --int8 passes on its C", () => {
    const r = neonc("check", model, "--sparsity", "0.5", "--int8", "--calibration", path.join(dir, "in"), "--input-dir", path.join(dir, "in"), "--target", "c99", "--explain", "prune");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Conv \S+: fired prune-blocks: 12 of its 24 8x1 blocks zeroed by magnitude \(50\.0%\)/);
    expect(r.stdout).toMatch(/^ok/m);
  });

  it("--sparsity-block 4x1 takes 4-row blocks", () => {
    const r = neonc("optimize", model, "--sparsity", "0.25", "--sparsity-block", "4x1", "--explain", "prune", "-o", path.join(dir, "o.onnx"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/12 of its 48 4x1 blocks zeroed/);
  });

  it("--sparsity-method wanda weighs by the input norms measured on --calibration DIR, with or without --int8", () => {
    for (const int8 of [[], ["--int8"]]) {
      const r = neonc("optimize", model, "--sparsity", "0.5", "--sparsity-method", "wanda", "--calibration", path.join(dir, "in"), ...int8, "--explain", "prune", "-o", path.join(dir, "w.onnx"));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/12 of its 24 8x1 blocks zeroed by \|w\| x input norm \(Wanda\)/);
    }
  });

  it("a fraction out of range, --sparsity-block or --sparsity-method alone, or wanda without a calibration folder is a usage error", () => {
    for (const args of [["--sparsity", "1.5"], ["--sparsity", "abc"], ["--sparsity-block", "8x1"], ["--sparsity-method", "wanda"], ["--sparsity", "0.5", "--sparsity-method", "wanda"]]) {
      const r = neonc("optimize", model, ...args, "-o", path.join(dir, "o.onnx"));
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--sparsity/);
    }
  });
});
