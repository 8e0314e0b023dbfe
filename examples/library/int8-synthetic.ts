// examples/library/int8-synthetic.ts — `neonc compile MODEL --int8 --calibration synthetic
// --target c99 --max-dim T=500 -o DIR --report R.html --report-json R.json` as code: zero-shot
// calibration (inputs synthesised from the BatchNorm statistics, no data), integer-only int8 C,
// and the quantization report (per-layer SQNR, sizes) as HTML and JSON.
import { compileModel, loadModel, writeReports, writeSources } from "neonc";

const file = "examples/digits/model.onnx";
const { model, quantized } = compileModel(loadModel(file), {
  target: "c99",
  maxDims: { T: 500 },
  int8: { calibration: "synthetic", samples: 4, seed: 0 }, // the quantize pass's options (--calibration-samples 4 --seed 0)
});
writeSources(model, "out/library/int8-c");
const report = writeReports(file, quantized!, { calibration: "synthetic", seed: 0 }, { html: "out/library/int8.html", json: "out/library/int8.json" })!;
console.log(`int8 C in out/library/int8-c: weights ${model.weightBytes} bytes; end-to-end SQNR ${report.endToEnd.sqnrDb?.toFixed(1)} dB over ${report.layers.length} integer layers`);
