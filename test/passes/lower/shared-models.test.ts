// Every Conv, MatMul and Gemm of every model in ../shared (and the asr-digits model) gets an
// algorithm from lower after -O1, on every target, and `--explain lower` names it per node;
// the lowered graph computes what the graph before it computed (test_data_set_0).
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { runPipeline } from "../../../passes/run.js";
import "../../../passes/index.js";
import { getTarget, TARGET_NAMES } from "../../../ir/target.js";
import { isLoweredByTarget } from "../../../ir/traits.js";
import { compareTensors } from "../../../codegen/build.js";
import { sharedPath } from "../../helpers/shared.js";

const models = sharedPath("models");
const digits = sharedPath("asr-digits");
const files = [
  ...(models ? readdirSync(models, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(models, d.name, "model.onnx")) : []),
  ...(digits ? [path.join(digits, "model.onnx")] : []),
];

describe.runIf(files.length > 0)("lower on the shared models", () => {
  for (const file of files) {
    const name = path.basename(path.dirname(file));
    it(`${name}: every Conv, MatMul and Gemm gets an algorithm on every target`, () => {
      const g = runPipeline(importOnnxFile(file), "-O1", { log: () => {} });
      const lowerable = g.nodes.filter((n) => isLoweredByTarget(n.op));
      expect(lowerable.length, name).toBeGreaterThan(0);
      const chosen = new Map<string, number>();
      for (const t of TARGET_NAMES) {
        let log = "";
        const out = runPipeline(g, "lower", { target: getTarget(t), explain: ["lower"], log: (s) => (log += s) });
        expect(out.nodes.filter((n) => isLoweredByTarget(n.op)).map((n) => `${n.op} ${n.name}`), `${name} on ${t}`).toEqual([]);
        for (const n of lowerable) expect(log, `${name} on ${t}: ${n.op} ${n.name}`).toContain(`${n.op} ${n.name}: fired `);
        for (const n of out.nodes) if (lowerable.some((l) => l.outputs[0] === n.outputs[0])) chosen.set(n.op, (chosen.get(n.op) ?? 0) + 1);
      }
      console.log(`${name}: ${[...chosen].map(([op, k]) => `${op} x${k / TARGET_NAMES.length}`).join(", ")}`);
    });
  }

  it.runIf(models)("the lowered QuartzNet 5x5 computes what -O1 gave (test_data_set_0)", () => {
    const dir = path.join(models!, "quartznet5x5");
    const g = runPipeline(importOnnxFile(path.join(dir, "model.onnx")), "-O1", { log: () => {} });
    const lowered = runPipeline(g, "lower", { target: getTarget("aarch64"), log: () => {} });
    const x = readTensorFile(path.join(dir, "test_data_set_0", "input_0.pb")).tensor;
    const [a, b] = [runGraph(g, { [g.inputs[0]!]: x }), runGraph(lowered, { [lowered.inputs[0]!]: x })];
    expect(compareTensors(b[lowered.outputs[0]!]!, a[g.outputs[0]!]!).rel).toBeLessThanOrEqual(1e-6);
  });
});
