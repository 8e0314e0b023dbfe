// examples/library/synthetic.ts — zero-shot calibration inputs (Q-ASR): seeded noise optimised
// by Adam until its per-layer batch statistics match every BatchNorm's running statistics. The
// graph must still have its BatchNorms (the imported one, before -O1 folds them).
import { loadModel, runSyntheticCalibration, synthesizeCalibrationInputs, type Tensor } from "neonc";

const graph = loadModel("examples/digits/model.onnx");
const inputs: Record<string, Tensor>[] = synthesizeCalibrationInputs(graph, {
  count: 2, steps: 5, lr: 0.2, seed: 0, dims: { T: 100 },
  onProgress: ({ step, steps, loss }) => process.stderr.write(`step ${step}/${steps}: loss ${loss.toPrecision(3)}\n`),
});
// Same, with the figures: initialLoss, finalLoss, losses (one per step + final),
// layerLosses (per BatchNorm node), batchNorms, msPerStep.
const report = runSyntheticCalibration(graph, { count: 2, steps: 5, seed: 1 });
console.log(`${inputs.length} inputs of shape [${inputs[0]![graph.inputs[0]!]!.shape.join(",")}]; ` +
  `BatchNorm loss ${report.initialLoss.toPrecision(3)} -> ${report.finalLoss.toPrecision(3)} over ${report.batchNorms} BatchNorms, ${report.msPerStep.toFixed(0)} ms/step`);
