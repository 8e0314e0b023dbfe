// examples/library/int8-folder.ts — `neonc optimize MODEL --int8 --calibration DIR --observer mse
// -o OUT.onnx --report-json R.json` as code: calibration on a folder of real inputs (read by the
// Node host, as the CLI reads it), the integer-only graph exported as QDQ ONNX, and the report.
import { mkdirSync, writeFileSync } from "node:fs";
import { exportOnnx, loadModel, quantizeModel, reportOfModel } from "neonc";

const file = "examples/digits/model.onnx";
const q = quantizeModel(loadModel(file), { quantize: { calibration: "examples/digits/dev", observer: "mse" } });
mkdirSync("out/library", { recursive: true });
writeFileSync("out/library/int8.onnx", exportOnnx(q.graph));
const report = reportOfModel(file, q, { calibration: "examples/digits/dev", observer: "mse" });
writeFileSync("out/library/int8-folder.json", JSON.stringify(report, null, 2));
console.log(`${q.calibration.summary}; wrote out/library/int8.onnx; weights ${(100 * report.size.ratio).toFixed(1)}% of float32, worst layer SQNR ${Math.min(...report.layers.map((l) => l.sqnrDb ?? Infinity)).toFixed(1)} dB`);
