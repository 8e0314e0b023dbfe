// What PyTorch writes as a formula comes back as one op: the exports of test/fixtures/exports
// (made by its make.py with torch 1.13: nn.LayerNorm at opset 11 with and without the affine
// part, nn.GELU both ways at opset 13, nn.Hardswish at opset 13, nn.SiLU at opset 11) become a
// single LayerNormalization / Gelu / HardSwish / Swish node under -O1, the interpreter matches
// torch's output before and after, and the generated C matches the interpreter (`neonc check`),
// in float and in --int8, where the op is lowered to its integer kernel.
// Opset 18's ReduceMean with its axes as an input (which torch 1.13 cannot write) is built with
// the ONNX builder.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxBytes, importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { runPipeline } from "../../passes/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { maxAbsDiff } from "../../src/testing/index.js";
import { buildModel } from "../helpers/onnx-builder.js";
import { neoncInProcess, ROOT } from "../app/cli/helpers.js";
import { rigOrSkip } from "../codegen/helpers.js";

const DIR = path.join(ROOT, "test/fixtures/exports");

const EXPORTS: Record<string, string> = {
  layernorm_opset11: "LayerNormalization",
  layernorm_2d_plain_opset11: "LayerNormalization",
  gelu_erf_opset13: "Gelu",
  gelu_tanh_opset13: "Gelu",
  hardswish_opset13: "HardSwish",
  silu_opset11: "Swish",
};

/** Max |got - ref| within 1e-5 of max |ref|. */
function expectClose(got: Tensor, ref: Tensor, what: string): void {
  const a = Array.from(got.data as Float32Array), b = Array.from(ref.data as Float32Array);
  const mag = maxAbsDiff(b, new Float64Array(b.length));
  expect(maxAbsDiff(b, a), `${what} (max |ref| ${mag})`).toBeLessThanOrEqual(1e-5 * mag);
}

describe("PyTorch's decomposed exports come back as one op", () => {
  for (const [name, op] of Object.entries(EXPORTS)) {
    it(`${name} -> ${op}`, async (ctx) => {
      const model = path.join(DIR, name, "model.onnx");
      const g = importOnnxFile(model);
      const x = readTensorFile(path.join(DIR, name, "test_data_set_0/input_0.pb")).tensor;
      const ref = readTensorFile(path.join(DIR, name, "test_data_set_0/output_0.pb")).tensor;
      const out = runPipeline(g, "-O1", { verifyEach: true, log: () => {} });
      expect(out.nodes.map((n) => n.op)).toEqual([op]);
      expectClose(runGraph(g, { x }).y!, ref, "the imported graph against torch");
      expectClose(runGraph(out, { x }).y!, ref, `the ${op} against torch`);
      rigOrSkip(ctx, "c99", "native");
      const r = await neoncInProcess("check", model, "--target", "c99", "--max-dim", "T=16");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split("\n").pop()).toMatch(/^ok: within/);
      const q = await neoncInProcess("check", model, "--target", "c99", "--max-dim", "T=16", "--int8", "--calibration", path.join(DIR, name, "test_data_set_0"), "--explain", "quantize");
      expect(q.code, q.stderr).toBe(0);
      expect(q.stderr).toContain(`${op} y: fired lower: lowered to integers`);
      expect(q.stdout.trim().split("\n").pop()).toMatch(/^ok: within/);
    });
  }

  it("an opset-18 LayerNorm whose ReduceMean axes are an input -> LayerNormalization", () => {
    const axes = fromNumbers("i64", [1], [-1]);
    const bytes = buildModel({
      opset: 18,
      inputs: [{ name: "x", shape: [1, "T", 8] }],
      outputs: [{ name: "y", shape: [1, "T", 8] }],
      initializers: { axes, two: fromNumbers("f32", [], [2]), eps: fromNumbers("f32", [], [1e-5]), w: fromNumbers("f32", [8], [1, 2, 3, 4, 5, 6, 7, 8]) },
      nodes: [
        { op: "ReduceMean", inputs: ["x", "axes"], outputs: ["m"] },
        { op: "Sub", inputs: ["x", "m"], outputs: ["d"] },
        { op: "Pow", inputs: ["d", "two"], outputs: ["sq"] },
        { op: "ReduceMean", inputs: ["sq", "axes"], outputs: ["v"] },
        { op: "Add", inputs: ["v", "eps"], outputs: ["a"] },
        { op: "Sqrt", inputs: ["a"], outputs: ["s"] },
        { op: "Reciprocal", inputs: ["s"], outputs: ["r"] },
        { op: "Mul", inputs: ["d", "r"], outputs: ["q"] },
        { op: "Mul", inputs: ["w", "q"], outputs: ["y"] },
      ],
    });
    const g = importOnnxBytes(bytes, "layernorm-opset18");
    const out = runPipeline(g, "-O1", { verifyEach: true, log: () => {} });
    expect(out.nodes.map((n) => n.op)).toEqual(["LayerNormalization"]);
    const x = fromNumbers("f32", [1, 3, 8], Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.3) * 4));
    expectClose(runGraph(out, { x }).y!, runGraph(g, { x }).y!, "the LayerNormalization against the decomposition");
  });
});
