// The passes on a real model: QuartzNet 5x5 from ../shared (33 BatchNormalization nodes kept at
// export). After canonicalize,fold-batchnorm,fuse-activation,conv2d-to-1d no BatchNormalization,
// Identity or Dropout is left, and the outputs on test_data_set_0 stay within 1e-5 of the largest
// output magnitude when both graphs are evaluated in double precision (the pass's own error), and
// move by at most twice the float32 noise of that input when evaluated in float32 (how far the
// interpreter and PyTorch already disagree on the original model: both sum in float32, and folding
// changes which roundings happen). The interpreter takes a few seconds on this model: it runs once
// per graph.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/run.js";
import "../../passes/index.js";
import { sharedPath } from "../helpers/shared.js";
import { maxAbsDiff } from "../../src/testing/index.js";
import { widenGraph, widenTensor } from "../helpers/widen-f64.js";

const models = sharedPath("models");

describe.runIf(models)("passes on QuartzNet 5x5", () => {
  it("folds every BatchNormalization and keeps the numbers", () => {
    const dir = path.join(models!, "quartznet5x5");
    const g = importOnnxFile(path.join(dir, "model.onnx"));
    const bnBefore = g.nodes.filter((n) => n.op === "BatchNormalization").length;
    expect(bnBefore).toBeGreaterThan(0);
    const timings: string[] = [];
    const out = runPipeline(g, "canonicalize,fold-batchnorm,fuse-activation,conv2d-to-1d", { verifyEach: true, timing: true, log: (t) => timings.push(t) });
    console.log(timings.join(""));
    const left = out.nodes.filter((n) => ["BatchNormalization", "Identity", "Dropout"].includes(n.op));
    expect(left.map((n) => `${n.op} ${n.name}`)).toEqual([]);
    expect(out.nodes.length).toBeLessThan(g.nodes.length);
    expect(out.nodes.some((n) => n.attrs.activation === "Relu")).toBe(true);

    const input = readTensorFile(path.join(dir, "test_data_set_0", "input_0.pb")).tensor;
    const before = runGraph(g, { [g.inputs[0]!]: input })[g.outputs[0]!]!;
    const after = runGraph(out, { [out.inputs[0]!]: input })[out.outputs[0]!]!;
    expect(after.shape).toEqual(before.shape);
    let maxRef = 0, maxErr = 0;
    for (let i = 0; i < before.data.length; i++) {
      const r = before.data[i] as number;
      maxRef = Math.max(maxRef, Math.abs(r));
      maxErr = Math.max(maxErr, Math.abs(r - (after.data[i] as number)));
    }
    // The float32 noise of this input: how far the interpreter and PyTorch's float32 run
    // (output_0.pb) already disagree on the original model.
    const noise = maxAbsDiff(before, readTensorFile(path.join(dir, "test_data_set_0", "output_0.pb")).tensor);
    console.log(`quartznet5x5: ${g.nodes.length} -> ${out.nodes.length} nodes, ${bnBefore} BatchNormalization folded, max abs error ${maxErr.toExponential(2)} (float32 noise ${noise.toExponential(2)}, max |out| ${maxRef.toFixed(3)})`);
    expect(maxErr).toBeLessThanOrEqual(2 * noise);
    // Evaluated in double precision, what is left is the pass's own error (the folded weights
    // rounded to float32): within 1e-5 of the largest output.
    const wide = (graph: typeof g) => runGraph(widenGraph(graph), { [graph.inputs[0]!]: widenTensor(input) })[graph.outputs[0]!]!;
    const w0 = wide(g), w1 = wide(out);
    const wideErr = maxAbsDiff(w0, w1);
    console.log(`quartznet5x5 in double precision: max abs error ${wideErr.toExponential(2)}`);
    expect(wideErr).toBeLessThanOrEqual(1e-5 * maxRef);
  }, 60_000);
});
