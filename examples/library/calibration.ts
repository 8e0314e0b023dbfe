// examples/library/calibration.ts — the pieces under --int8, one by one: calibrate a float graph
// on data with an observer, save and reload the ranges, make synthetic (zero-shot) inputs instead,
// quantize on the ranges, and measure the per-layer SQNR.
import {
  attachCalibration, calibrate, calibrationFromJson, calibrationToJson, loadModel, observerByName, readCalibrationDir,
  runPipeline, runSyntheticCalibration, quantizeGraph, sqnrReport,
} from "neonc";

const imported = loadModel("examples/digits/model.onnx");
const g = runPipeline(imported, "-O1"); // fold BatchNorm, fuse Relu
const data = readCalibrationDir("examples/digits/dev", g, { limit: 8 }); // read lazily, one sample at a time
const cal = calibrate(g, data, { observer: observerByName("percentile") });
const saved = calibrationToJson(cal); // what --calibration FILE.json reads
const q = quantizeGraph(g, calibrationFromJson(saved).ranges); // integer-only graph

// Zero-shot: inputs whose statistics match the BatchNorms of the graph before -O1 folded them.
const synthetic = runSyntheticCalibration(imported, { count: 2, steps: 10, seed: 0 });
const qs = quantizeGraph(g, calibrate(g, synthetic.inputs).ranges);

// The same as a pipeline: ranges attached to the graph, then the -int8 preset (-O1, quantize).
const viaPipeline = runPipeline(attachCalibration(g, cal), "-int8");

const report = sqnrReport(g, q, [...readCalibrationDir("examples/digits/dev", g, { offset: 8, limit: 2 })]);
console.log(`data: ${q.nodes.length} nodes, output SQNR ${report.outputs[0]!.sqnrDb.toFixed(1)} dB; synthetic: ${qs.nodes.length} nodes (BatchNorm loss ${synthetic.initialLoss.toPrecision(3)} -> ${synthetic.finalLoss.toPrecision(3)}); pipeline: ${viaPipeline.nodes.length} nodes`);
