// One way from flags to a pipeline (src/app/cli/pipeline-flags.ts): run, optimize, compile and
// check run the preset, then the user's --passes, in that order (then, for C, the lower stage), and take the same diagnostics
// flags (--load, --verify-each, --print-ir-after, --timing, --explain). compile, check and
// run --engine c default to -O1; run and optimize run no preset unless asked. --print-ir-after
// elides large constants unless --print-ir-weights is given, and then the text parses back.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { parseGraph } from "../../../ir/text/index.js";
import { ensureBuilt, f32, neonc, ROOT, tempDir, writeModel, writeTensor } from "./helpers.js";

let dir: string;
let model: string;
let input: string;
const plugin = path.join(ROOT, "examples/custom-pass/fold-mul-chain.ts");

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-pipeline-");
  // Conv -> BatchNormalization -> Relu -> Mul -> Mul: -O1 folds and fuses; fold-mul-chain folds the Muls.
  const w = Array.from({ length: 4 * 4 * 3 }, (_, i) => ((i * 7) % 11) / 11 - 0.5);
  model = writeModel(path.join(dir, "m.onnx"), {
    inputs: [{ name: "x", shape: [1, 4, "T"] }],
    outputs: [{ name: "y", shape: [1, 4, "T"] }],
    initializers: {
      w: fromNumbers("f32", [4, 4, 3], w),
      s: fromNumbers("f32", [4], [1, 0.5, 2, 1.5]), b: fromNumbers("f32", [4], [0.1, -0.2, 0.3, 0]),
      m: fromNumbers("f32", [4], [0, 0.1, -0.1, 0.2]), v: fromNumbers("f32", [4], [1, 2, 0.5, 1]),
      a: fromNumbers("f32", [1], [2]), c: fromNumbers("f32", [4, 1], [1, 2, 3, 4]),
    },
    nodes: [
      { op: "Conv", inputs: ["x", "w"], outputs: ["conv"], attrs: { pads: [1, 1] } },
      { op: "BatchNormalization", inputs: ["conv", "s", "b", "m", "v"], outputs: ["bn"] },
      { op: "Relu", inputs: ["bn"], outputs: ["r"] },
      { op: "Mul", inputs: ["r", "a"], outputs: ["ra"] },
      { op: "Mul", inputs: ["ra", "c"], outputs: ["y"] },
    ],
  });
  input = writeTensor(path.join(dir, "in/x.pb"), f32([1, 4, 5], Array.from({ length: 20 }, (_, i) => Math.sin(i))), "x");
});

/** The pass labels of a --timing table, in order. */
function timed(stderr: string): string[] {
  const start = stderr.indexOf("// pass timing (ms)");
  expect(start, stderr).toBeGreaterThanOrEqual(0);
  return stderr.slice(start).split("\n").slice(1).map((l) => l.replace(/\s+[0-9.]+$/, "").trim()).filter((l) => l && l !== "total");
}

const DIAGNOSTICS = ["--load", plugin, "--passes", "fold-mul-chain", "--verify-each", "--timing", "--explain", "fold-batchnorm"];

describe("the same pipeline and diagnostics flags on every command", () => {
  const commands: Record<string, () => string[]> = {
    run: () => ["run", model, "--input", input, "--output-dir", path.join(dir, "run-out"), "-O1"],
    "run --engine c": () => ["run", model, "--input", input, "--output-dir", path.join(dir, "runc-out"), "--engine", "c", "--target", "c99"],
    optimize: () => ["optimize", model, "-o", path.join(dir, "opt.onnx"), "-O1"],
    compile: () => ["compile", model, "--target", "c99", "--max-dim", "T=8", "-o", path.join(dir, "c")],
    check: () => ["check", model, "--target", "c99", "--max-dim", "T=8"],
  };
  for (const [name, args] of Object.entries(commands)) {
    it(`${name}: the preset first, then --passes; --load, --verify-each, --timing and --explain work`, () => {
      const r = neonc(...args(), ...DIAGNOSTICS);
      expect(r.code, r.stderr).toBe(0);
      const labels = timed(r.stderr);
      expect(labels[0]).toBe("canonicalize (-O1 round 1)");
      // A graph that becomes C ends with the codegen stage (lower), after the user's passes.
      const codegen = name !== "run" && name !== "optimize";
      expect(labels.at(-1)).toBe(codegen ? "lower" : "fold-mul-chain");
      if (codegen) expect(labels.at(-2)).toBe("fold-mul-chain");
      expect(labels.filter((l) => l === "fold-mul-chain")).toHaveLength(1);
      expect(r.stderr).toMatch(/BatchNormalization .*: fired into-producer: folded into Conv/);
    });
  }

  it("run and optimize run no preset unless asked; compile's -O0 turns its default off", () => {
    const r = neonc("optimize", model, "-o", path.join(dir, "o2.onnx"), "--passes", "fold-mul-chain", "--load", plugin, "--timing");
    expect(timed(r.stderr)).toEqual(["fold-mul-chain"]);
    const c = neonc("compile", model, "--target", "c99", "--max-dim", "T=8", "-o", path.join(dir, "c0"), "-O0", "--timing");
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/pass timing/);
    expect(timed(c.stderr)).toEqual(["lower"]);
  });

  it("--print-ir-after elides large constants; with --print-ir-weights the IR parses back", () => {
    const r = neonc("optimize", model, "-o", path.join(dir, "p.onnx"), "-O1", "--print-ir-after", "fold-batchnorm");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/%w\.folded = const f32\[4,4,3\] \.\.\. \/\/ 48 elements elided/);
    expect(r.stderr).toMatch(/= const f32\[4\] \[/); // small constants stay in full
    const full = neonc("optimize", model, "-o", path.join(dir, "p.onnx"), "-O1", "--print-ir-after", "fold-batchnorm", "--print-ir-weights");
    expect(full.stderr).not.toMatch(/elided/);
    const text = full.stderr.split(/^\/\/ ----- IR after .*$/m)[1]!;
    expect(parseGraph(text).nodes.map((n) => n.op)).toContain("Conv");
    expect(neonc("optimize", model, "-o", path.join(dir, "p.onnx"), "--print-ir-weights").code).toBe(2);
  });
});
