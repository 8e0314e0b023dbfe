// ONNX's backend node tests for the ops the model zoo found missing (ArgMax, ArgMin, CumSum,
// Einsum, Mod, Trilu; test/fixtures/onnx-node, made by its make.py): each model is imported and
// run by the interpreter and its outputs compared with the expected ones at the ONNX backend's
// tolerance (rtol 1e-3, atol 1e-7; integers exactly). Tests that feed CumSum's axis or Trilu's k
// as a graph input get those integer inputs bound at import, as test/conformance does.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { compareTensors, floatTolerance } from "../../src/testing/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/onnx-node");
const tests = readdirSync(root).filter((d) => d.startsWith("test_")).sort();

function runNodeTest(dir: string): void {
  const sets = readdirSync(dir).filter((d) => d.startsWith("test_data_set_")).sort();
  expect(sets.length).toBeGreaterThan(0);
  for (const set of sets) {
    const sdir = path.join(dir, set);
    const files = readdirSync(sdir);
    const inputs = files.filter((f) => /^input_\d+\.pb$/.test(f)).sort().map((f) => readTensorFile(path.join(sdir, f)));
    let g: Graph;
    try {
      g = importOnnxFile(path.join(dir, "model.onnx"));
    } catch {
      const bind = Object.fromEntries(inputs.filter((x) => x.tensor.dtype === "i64" || x.tensor.dtype === "i32" || x.tensor.shape.length === 0).map((x) => [x.name, x.tensor]));
      g = importOnnxFile(path.join(dir, "model.onnx"), { bind });
    }
    const feed: Record<string, Tensor> = {};
    for (const x of inputs) if (g.inputs.includes(x.name)) feed[x.name] = x.tensor;
    const out = runGraph(g, feed);
    files.filter((f) => /^output_\d+\.pb$/.test(f)).forEach((_, k) => {
      const expected = readTensorFile(path.join(sdir, `output_${k}.pb`)).tensor;
      const why = compareTensors(expected, out[g.outputs[k]!]!, floatTolerance(expected.dtype, { rtol: 1e-3, atol: 1e-7 }));
      expect(why, `${set} output ${g.outputs[k]}`).toBeUndefined();
    });
  }
}

describe("ONNX node tests of ArgMax, ArgMin, CumSum, Einsum, Mod and Trilu", () => {
  it("are all here", () => expect(tests.length).toBe(73));
  for (const name of tests) it(name, () => runNodeTest(path.join(root, name)));
});
