// The pass pipeline on every shared model, end to end: `canonicalize,fold-batchnorm,
// fuse-activation,conv2d-to-1d` leaves no BatchNormalization, Identity or Dropout; keeps the
// outputs within 1e-5 of their largest magnitude when both graphs run in double precision (the
// pass's own error); moves them by at most twice the input's float32 noise when they run in
// float32 (how far the interpreter and PyTorch's float32 run already disagree on the original
// model: folding a BatchNorm changes which float32 roundings happen, not how fine they are); and
// its ONNX export runs in onnxruntime-node with the same outputs. One model also goes through
// `neonc optimize` on the command line.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runPipeline } from "../../../passes/index.js";
import type { Tensor } from "../../../ir/types.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { importOnnxFile, readTensorFile } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { repoRoot, sharedPath } from "../../helpers/shared.js";
import { runOrt } from "../../helpers/ort.js";
import { maxAbsDiff } from "../../../src/testing/index.js";
import { widenGraph, widenTensor } from "../../helpers/widen-f64.js";

const models = sharedPath("models");
const PIPELINE = "canonicalize,fold-batchnorm,fuse-activation,conv2d-to-1d";

/** The largest |a - b| and the largest |a|, the reference. */
const maxDiff = (a: Float32Array, b: Float32Array) => ({ err: maxAbsDiff(a, b), ref: maxAbsDiff(a, new Float32Array(a.length)) });

describe.runIf(models)(`${PIPELINE} on the shared models`, () => {
  const names = models ? readdirSync(models).filter((d) => existsSync(path.join(models, d, "model.onnx"))).sort() : [];
  for (const name of names) {
    it(name, async () => {
      const dir = path.join(models!, name);
      const g = importOnnxFile(path.join(dir, "model.onnx"));
      const opt = runPipeline(g, PIPELINE, { verifyEach: true });
      const left = opt.nodes.filter((n) => ["BatchNormalization", "Identity", "Dropout"].includes(n.op));
      expect(left.map((n) => n.name)).toEqual([]);

      const input: Record<string, Tensor> = { [g.inputs[0]!]: readTensorFile(path.join(dir, "test_data_set_0", "input_0.pb")).tensor };
      const before = runGraph(g, input);
      const after = runGraph(opt, input);
      const theirs = await runOrt(exportOnnx(opt), input);
      const wideInput = Object.fromEntries(Object.entries(input).map(([k, t]) => [k, widenTensor(t)]));
      const wideBefore = runGraph(widenGraph(g), wideInput), wideAfter = runGraph(widenGraph(opt), wideInput);
      g.outputs.forEach((o, k) => {
        const a = after[o]!.data as Float32Array;
        const d = maxDiff(before[o]!.data as Float32Array, a);
        const e = maxDiff(a, theirs[o]!);
        // The float32 noise of this input: how far the interpreter and the exporter's own float32
        // run (PyTorch, output_K.pb) already disagree on the original model.
        const noise = maxAbsDiff(before[o]!.data as Float32Array, readTensorFile(path.join(dir, "test_data_set_0", `output_${k}.pb`)).tensor);
        console.log(`${name}: ${g.nodes.length} -> ${opt.nodes.length} nodes; optimized vs original max abs diff ${d.err.toExponential(2)} (float32 noise ${noise.toExponential(2)}), onnxruntime on the export vs interpreter ${e.err.toExponential(2)} (max |out| ${d.ref.toFixed(3)})`);
        expect(d.err).toBeLessThanOrEqual(2 * noise);
        // In double precision only the pass's own error is left: within 1e-5 of the largest output.
        expect(maxAbsDiff(wideBefore[o]!, wideAfter[o]!)).toBeLessThanOrEqual(1e-5 * d.ref);
        expect(e.err).toBeLessThanOrEqual(1e-4 * d.ref);
      });
    });
  }

  it("neonc optimize writes the optimized model from the command line", () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "neonc-opt-")), "w2l.onnx");
    const stdout = execFileSync("node", [path.join(repoRoot, "dist/neonc.mjs"), "optimize", path.join(models!, "wav2letter/model.onnx"), "--passes", PIPELINE, "-o", out], { encoding: "utf8" });
    expect(stdout).toMatch(/wrote .*w2l\.onnx/);
    const g = importOnnxFile(out);
    // Fused activations are written back as standard ONNX: each Conv is followed by its Relu.
    expect(g.nodes.filter((n) => n.op === "Conv").length).toBe(11);
    expect(g.nodes.filter((n) => n.op === "Relu").length).toBe(11);
    expect(readFileSync(out).length).toBeGreaterThan(1000);
  });
});
