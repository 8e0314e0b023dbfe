// Plugs zero-shot calibration into the quantize pass as the source named "synthetic"
// (`--calibration synthetic`, `quantize{calibration=synthetic,seed=N}`): synthesise inputs
// from the graph's BatchNorm statistics, then calibrate on them like on real data.
//
// Importing this module registers the source. The graph handed over must still have its
// BatchNormalization nodes (run it before fold-batchnorm); without them the source fails with
// the message of runSyntheticCalibration, which suggests --calibration DIR.
import { registerCalibrationSource } from "../../../passes/quantize/calibration-source.js";
import { startProgress } from "../../cli/progress.js";
import { calibrate } from "../calibrate.js";
import { observerByName } from "../observers.js";
import { DEFAULT_STEPS, runSyntheticCalibration } from "./index.js";

/** Synthetic samples made for the quantize pass (its `samples` option can only lower this). */
export const SYNTHETIC_SAMPLES = 8;

registerCalibrationSource("synthetic", (graph, options) => {
  const steps = DEFAULT_STEPS;
  const bar = startProgress(steps, "synthesising calibration inputs");
  let r;
  try {
    r = runSyntheticCalibration(graph, {
      count: Math.min(options.samples, SYNTHETIC_SAMPLES), seed: options.seed, steps,
      onProgress: (p) => bar.tick(`BN loss ${p.loss.toPrecision(4)}`),
    });
  } finally {
    bar.stop();
  }
  options.log(`synthetic calibration: ${r.inputs.length} inputs matched to ${r.batchNorms} BatchNorm statistics, loss ${r.initialLoss.toPrecision(4)} -> ${r.finalLoss.toPrecision(4)} in ${steps} steps (${(r.msPerStep / 1000).toFixed(2)} s/step); observer ${options.observer}`);
  return calibrate(graph, r.inputs, { observer: observerByName(options.observer) });
});
