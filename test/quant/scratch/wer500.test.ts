import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
import path from "node:path";
import { it } from "vitest";
import { importOnnxFile } from "../../../src/frontend/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { runPipeline } from "../../../passes/index.js";
import { calibrate, readCalibrationDir, observerByName, sqnrReport } from "../../../src/calibration/index.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { greedyDecode, parseVocabulary } from "../../../src/asr/ctc.js";
import { errorRates } from "../../../src/asr/wer.js";
const LOG = "/tmp/q1/wer500.log";
it("wer500", () => {
  const D = "/work/shared/asr-digits";
  const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
  const vocab = parseVocabulary(readFileSync(path.join(D, "vocab.json"), "utf8"));
  const refs = new Map(readFileSync(path.join(D, "dev/transcripts.tsv"), "utf8").trim().split("\n").map((l) => l.split("\t") as [string, string]));
  const all = readCalibrationDir(path.join(D, "dev"), g);
  const ids = all.sources.map((f) => path.basename(f).slice(0, 4));
  const truth = ids.map((id) => refs.get(id)!);
  writeFileSync(LOG, "");
  const hf: string[] = [];
  for (const s of all) hf.push(greedyDecode(runGraph(g, s)[g.outputs[0]!]!, vocab));
  const f = errorRates(truth, hf);
  appendFileSync(LOG, `fp32 WER ${(100 * f.wer).toFixed(2)}% (${f.wordErrors}/${f.words})\n`);
  for (const obs of (process.env.OBS ?? "minmax,percentile,mse,entropy").split(",")) {
    const cal = calibrate(g, readCalibrationDir(path.join(D, "dev"), g, { offset: 400, limit: 100 }), { observer: observerByName(obs) });
    for (const bc of [false, true]) {
      if (bc && obs !== "minmax") continue;
      const q = quantizeGraph(g, cal.ranges, { biasCorrection: bc });
      const hq: string[] = [];
      for (const s of all) hq.push(greedyDecode(runGraph(q, s)[q.outputs[0]!]!, vocab));
      const n = errorRates(truth, hq);
      const rep = sqnrReport(g, q, [...readCalibrationDir(path.join(D, "dev"), g, { offset: 0, limit: 10 })]);
      const worst = [...rep.layers].sort((a, b) => a.sqnrDb - b.sqnrDb)[0]!;
      appendFileSync(LOG, `int8 ${obs}${bc ? "+bias_correction" : ""} WER ${(100 * n.wer).toFixed(2)}% (${n.wordErrors}/${n.words}) e2e SQNR ${rep.outputs[0]!.sqnrDb.toFixed(1)} dB, worst layer ${worst.node} ${worst.sqnrDb.toFixed(1)} dB, size ${(100 * rep.modelBytesInt / rep.modelBytesFloat).toFixed(1)}%\n`);
    }
  }
}, 3600000);
