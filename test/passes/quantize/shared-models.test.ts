// -O1 then quantize on every model of ../shared/models: calibrated on its two test data sets,
// the quantized graph verifies, runs, and tracks the reference outputs of test_data_set_0 (the
// float model's, from ONNX Runtime; SQNR printed).
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { readTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { runPipeline } from "../../../passes/index.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../../src/adapters/onnx/data-dir.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { verifyGraph } from "../../../ir/verify.js";
import { sharedPath } from "../../helpers/shared.js";

const dir = sharedPath("models");
const models = dir ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];

describe.runIf(dir !== undefined)("int8 on the shared models", () => {
  for (const name of models) {
    it(name, () => {
      const g = runPipeline(importOnnxFile(path.join(dir!, name, "model.onnx")), "-O1");
      const data = [...readCalibrationDir(path.join(dir!, name), g)];
      const q = quantizeGraph(g, calibrate(g, data).ranges);
      verifyGraph(q);
      const ops = [...new Set(q.nodes.map((n) => n.op))].sort();
      const r = runGraph(q, data[0]!);
      const sqnr = g.outputs.map((o, k) => {
        const a = readTensorFile(path.join(dir!, name, "test_data_set_0", `output_${k}.pb`)).tensor.data as Float32Array;
        const b = r[o]!.data as Float32Array;
        let sig = 0, err = 0;
        for (let i = 0; i < a.length; i++) {
          sig += a[i]! * a[i]!;
          err += (a[i]! - b[i]!) ** 2;
        }
        return 10 * Math.log10(sig / err);
      });
      console.log(`${name}: ${ops.join(" ")}; output SQNR ${sqnr.map((s) => s.toFixed(1)).join(", ")} dB`);
      for (const s of sqnr) expect(s).toBeGreaterThan(15);
    });
  }
});
