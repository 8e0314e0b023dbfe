import { it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../../src/frontend/onnx/index.js";
import { differentiableValues, forwardWithTape, pruneToTargets } from "../../../src/autodiff/index.js";
import { BatchStats, findBatchNorms } from "../../../src/calibration/synthetic/bn-stats.js";
it("real", () => {
  const g0 = importOnnxFile("../shared/asr-digits/model.onnx");
  const layers = findBatchNorms(g0, differentiableValues(g0));
  const g = pruneToTargets(g0, layers.map((l) => l.input));
  for (const n of [8, 100]) {
    const st = new BatchStats(layers);
    for (let i = 0; i < n; i++) {
      const t = readTensorFile(`../shared/asr-digits/dev/${String(i).padStart(4, "0")}.input.pb`).tensor;
      const tape = forwardWithTape(g, { features: t });
      st.add(layers.map((l) => tape.values.get(l.input)!));
    }
    console.log(`real ${n}: loss ${st.lossAndSlopes().loss}`);
  }
}, 600000);
