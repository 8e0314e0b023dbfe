// End to end on ../shared/asr-digits: calibrate on 20 dev utterances (min/max), quantize to
// integer-only int8, run 50 other dev utterances through the interpreter, greedy CTC decode and
// score WER. fp32 comes from the ONNX Runtime reference outputs of those 50 (dev_ref), so only the
// int8 graph has to run here. The goal is int8 within 1.0% absolute WER of fp32 on these 50.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { readTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { runPipeline } from "../../../passes/index.js";
import { calibrate, sqnrReport } from "../../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../../src/adapters/onnx/data-dir.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { greedyDecode, parseVocabulary } from "../../../src/analyses/asr/ctc.js";
import { errorRates } from "../../../src/analyses/asr/wer.js";
import { verifyGraph } from "../../../ir/verify.js";
import { sharedPath } from "../../helpers/shared.js";

const dir = sharedPath("asr-digits");
const FLOAT_OPS = new Set(["Quantize", "Dequantize", "LogSoftmax"]);

describe.runIf(dir !== undefined)("int8 on asr-digits", () => {
  it("keeps WER within 1.0% absolute of fp32 on 50 dev utterances", () => {
    const D = dir!;
    const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
    // Calibration data: utterances 0050-0069, disjoint from the 50 scored below (0000-0049).
    const cal = calibrate(g, readCalibrationDir(path.join(D, "dev"), g, { offset: 50, limit: 20 }));
    expect(cal.samples).toBe(20);
    const q = quantizeGraph(g, cal.ranges);
    verifyGraph(q);
    // Integer-only: the only float ops are the boundary conversions and the final LogSoftmax.
    expect(q.nodes.filter((n) => !n.op.startsWith("Q") && !FLOAT_OPS.has(n.op)).map((n) => n.op)).toEqual([]);
    expect(q.nodes.filter((n) => n.op === "Quantize")).toHaveLength(1);

    const vocab = parseVocabulary(readFileSync(path.join(D, "vocab.json"), "utf8"));
    const refs = new Map(readFileSync(path.join(D, "dev/transcripts.tsv"), "utf8").trim().split("\n").map((l) => l.split("\t") as [string, string]));
    const samples = readCalibrationDir(path.join(D, "dev"), g, { offset: 0, limit: 50 });
    const ids = samples.sources.map((f) => path.basename(f).slice(0, 4));
    const hypFloat: string[] = [], hypInt: string[] = [], truth: string[] = [];
    let i = 0;
    for (const s of samples) {
      const id = ids[i++]!;
      const ref = readTensorFile(path.join(D, "dev_ref", `${id}.output.pb`)).tensor;
      hypFloat.push(greedyDecode(ref, vocab));
      hypInt.push(greedyDecode(runGraph(q, s)[q.outputs[0]!]!, vocab));
      truth.push(refs.get(id)!);
    }
    const f = errorRates(truth, hypFloat), n = errorRates(truth, hypInt);
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    console.log(`asr-digits dev 0000-0049: fp32 WER ${pct(f.wer)} (${f.wordErrors}/${f.words}), int8 WER ${pct(n.wer)} (${n.wordErrors}/${n.words}); calibrated on 20 utterances, min/max`);
    expect(Math.abs(n.wer - f.wer)).toBeLessThanOrEqual(0.01);

    // Size: int8 weights are about a quarter of fp32's.
    const rep = sqnrReport(g, q, [...readCalibrationDir(path.join(D, "dev"), g, { offset: 70, limit: 1 })]);
    console.log(`size ${rep.modelBytesInt} / ${rep.modelBytesFloat} bytes = ${pct(rep.modelBytesInt / rep.modelBytesFloat)}; end-to-end SQNR ${rep.outputs[0]!.sqnrDb.toFixed(1)} dB`);
    expect(rep.modelBytesInt / rep.modelBytesFloat).toBeLessThanOrEqual(0.26);
  });
});
