import { it } from "vitest";
import { importOnnxFile } from "../../../src/frontend/onnx/index.js";
import { runSyntheticCalibration } from "../../../src/calibration/synthetic/index.js";
it("measure", () => {
  const model = process.env.M ?? "../shared/asr-digits/model.onnx";
  const g = importOnnxFile(model);
  const t0 = performance.now();
  const r = runSyntheticCalibration(g, {
    count: Number(process.env.COUNT ?? 8), steps: Number(process.env.STEPS ?? 20), lr: Number(process.env.LR ?? 0.1),
    dims: { T: Number(process.env.T ?? 200) },
    onProgress: (p) => { if (p.step % 5 === 0 || p.step === 1) console.log(`step ${p.step} loss ${p.loss.toExponential(4)} ${p.elapsedMs.toFixed(0)}ms`); },
  });
  console.log(JSON.stringify({ bn: r.batchNorms, initial: r.initialLoss, final: r.finalLoss, msPerStep: r.msPerStep, total: performance.now() - t0 }));
  console.log(JSON.stringify(r.layerLosses));
}, 600000);
