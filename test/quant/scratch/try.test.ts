import { readFileSync } from "node:fs";
import { importOnnxFile, runPipeline, runGraph, verifyGraph, printGraph } from "../../../src/index.js";
import { calibrate, readCalibrationDir } from "../../../src/calibration/index.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { greedyDecode, parseVocabulary } from "../../../src/asr/ctc.js";
import { errorRates } from "../../../src/asr/wer.js";
import { it } from "vitest";
it("try", () => {
const D = "/work/shared/asr-digits";
const g0 = importOnnxFile(`${D}/model.onnx`);
const g = runPipeline(g0, "-O1");
console.log(g.nodes.map((n) => n.op + (n.attrs.activation ? "+" + n.attrs.activation : "")).join(" "));
let t = performance.now();
const cal = calibrate(g, readCalibrationDir(`${D}/dev`, g, { limit: 20 }));
console.log("calib ms", performance.now() - t);
const q = quantizeGraph(g, cal.ranges);
verifyGraph(q);
console.log(q.nodes.map((n) => n.op).join(" "));
const vocab = parseVocabulary(readFileSync(`${D}/vocab.json`, "utf8"));
const refs = new Map(readFileSync(`${D}/dev/transcripts.tsv`, "utf8").trim().split("\n").map((l) => l.split("\t") as [string, string]));
const N = Number(process.env.N ?? 50);
const samples = readCalibrationDir(`${D}/dev`, g, { offset: 20, limit: N });
const hf: string[] = [], hq: string[] = [], rs: string[] = [];
let tf = 0, tq = 0;
let i = 0;
for (const s of samples) {
  const id = samples.sources[i++]!.split("/").pop()!.slice(0, 4);
  let t0 = performance.now();
  const yf = runGraph(g, s)[g.outputs[0]!]!;
  tf += performance.now() - t0; t0 = performance.now();
  const yq = runGraph(q, s)[q.outputs[0]!]!;
  tq += performance.now() - t0;
  hf.push(greedyDecode(yf, vocab)); hq.push(greedyDecode(yq, vocab)); rs.push(refs.get(id)!);
}
console.log("fp32", errorRates(rs, hf), "int8", errorRates(rs, hq), "ms/utt", tf / N, tq / N);

}, 600000);
