// Calibration for the quantize pass: observers, running data through the float graph, reading
// calibration folders, and the per-layer SQNR report. Synthetic (zero-shot) calibration lives in
// ./synthetic and produces input samples for `calibrate`.
export { calibrate, calibrationFromJson, calibrationToJson, type CalibrateOptions, type CalibratedRange, type CalibrationResult } from "./calibrate.js";
export {
  entropyObserver, minMaxObserver, mseObserver, observerByName, percentileObserver, OBSERVER_NAMES,
  type Observer, type ObserverName, type ValueObserver, type ValueRange,
} from "./observers.js";
export { Histogram, HISTOGRAM_BINS } from "./histogram.js";
export { calibrationWarnings, MIN_CALIBRATION_INPUTS, type CalibrationWarning } from "./thin.js";
export { sqnrReport, type LayerReport, type SqnrReport } from "./sqnr.js";
export type { InputSample, SampleSet, CalibrationData } from "./samples.js";
