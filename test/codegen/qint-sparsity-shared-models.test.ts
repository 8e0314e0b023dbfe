// Every shared model pruned to 50% 8x1 blocks (prune, after -O1), quantized to int8 (calibrated
// on test_data_set_0; asr-digits on 4 dev utterances) and cross-compiled for armv7 under qemu:
// on test_data_set_1 every integer tensor entering a Dequantize equals the interpreter's byte for
// byte — `neonc check MODEL --sparsity 0.5 --int8 --target armv7`. The pruned weights stay zero
// through quantization (checked: at least half the pruned layers' int8 weights are zero).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../ir/graph.js";
import { runPipeline } from "../../passes/index.js";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";
import { checkInt8OnRig, prepareInt8 } from "./qint-shared-models.js";

const models = sharedPath("models");
const digits = sharedPath("asr-digits");
const dirs = models ? readdirSync(models, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(path.join(models, d.name, "test_data_set_1"))).map((d) => path.join(models, d.name)) : [];

const prune = (g: Graph) => runPipeline(g, "-O1,prune{sparsity=0.5}", { log: () => {} });

/** Zero weights among the int8 weights of QConv/QMatMul-style nodes. */
function zeroInt8Weights(g: Graph): number {
  let zero = 0, total = 0;
  for (const n of g.nodes) {
    if (!n.op.startsWith("Q")) continue;
    const w = g.constants[n.inputs[1] ?? ""];
    if (!w || w.dtype !== "i8" || w.shape.length < 2) continue;
    for (const v of w.data as Int8Array) { total++; if (v === 0) zero++; }
  }
  return total === 0 ? 1 : zero / total;
}

describe.runIf(dirs.length > 0 || digits)("50% 8x1 block sparsity + int8 on the shared models, armv7", () => {
  const cases: [string, () => ReturnType<typeof prepareInt8>][] = [
    ...dirs.map((d) => [path.basename(d), () => {
      const g = importOnnxFile(path.join(d, "model.onnx"));
      return prepareInt8(path.basename(d), prune(g), readCalibrationDir(d, g, { offset: 0, limit: 1 }), [...readCalibrationDir(d, g, { offset: 1, limit: 1 })]);
    }] as [string, () => ReturnType<typeof prepareInt8>]),
    ...(digits ? [["asr-digits", () => {
      const g = importOnnxFile(path.join(digits, "model.onnx"));
      const dev = path.join(digits, "dev");
      return prepareInt8("asr-digits", prune(g), readCalibrationDir(dev, g, { offset: 0, limit: 4 }), [...readCalibrationDir(dev, g, { offset: 4, limit: 2 })]);
    }] as [string, () => ReturnType<typeof prepareInt8>]] : []),
  ];
  for (const [name, prepare] of cases) {
    it(`${name}: the armv7 C equals the interpreter byte for byte`, (ctx) => {
      const c = prepare();
      const zeros = zeroInt8Weights(c.probe);
      console.log(`${name}: ${(100 * zeros).toFixed(1)}% of the int8 weights zero`);
      expect(zeros, `${name}: share of zero int8 weights`).toBeGreaterThan(0.4);
      checkInt8OnRig(c, "armv7", rigOrSkip(ctx, "armv7", "qemu"));
    });
  }
});
