import { it } from "vitest";
import { importOnnxFile, runPipeline, runGraph } from "../../../src/index.js";
import { calibrate, readCalibrationDir } from "../../../src/calibration/index.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { qconvAccumulate } from "../../../src/runtime/kernels/qint-conv.js";
it("prof", () => {
  const D = "/work/shared/asr-digits";
  const g = runPipeline(importOnnxFile(`${D}/model.onnx`), "-O1");
  const cal = calibrate(g, readCalibrationDir(`${D}/dev`, g, { limit: 3 }));
  const q = quantizeGraph(g, cal.ranges);
  const s = [...readCalibrationDir(`${D}/dev`, g, { offset: 20, limit: 5 })];
  const per = new Map<string, number>();
  for (const x of s) {
    let t = performance.now();
    runGraph(q, x, { onNode: (n) => { const now = performance.now(); const k = n.op + (n.attrs.group && n.attrs.group !== 1 ? "-dw" : ""); per.set(k, (per.get(k) ?? 0) + now - t); t = now; } });
  }
  console.log([...per].map(([k, v]) => `${k} ${(v / 5).toFixed(1)}`).join("\n"));
}, 600000);
