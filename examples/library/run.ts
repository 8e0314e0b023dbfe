// examples/library/run.ts — `neonc run MODEL --input-dir DIR --output-dir OUT` as code: every
// NAME.input.pb of a folder through the interpreter, each output written as NAME.output.pb, and
// the transcripts decoded (greedy CTC) and scored against the folder's references.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { encodeTensorFile, errorRates, greedyDecode, loadModel, parseVocabulary, readInputDir, runGraph } from "neonc";

const graph = loadModel("examples/digits/model.onnx"); // importOnnxFile, plus import-qdq for quantized models
const sets = readInputDir("examples/digits/dev", graph.inputs); // input_K.pb, NAME.input.pb or test_data_set_N
const vocab = parseVocabulary(readFileSync("examples/digits/vocab.json", "utf8"));
const refs = new Map(readFileSync("examples/digits/dev/transcripts.tsv", "utf8").trim().split("\n").map((l) => l.split("\t") as [string, string]));

mkdirSync("out/library/run", { recursive: true });
const hyps: string[] = [];
for (const { label, inputs } of sets) {
  const outputs = runGraph(graph, inputs);
  const y = outputs[graph.outputs[0]!]!;
  writeFileSync(`out/library/run/${label}.output.pb`, encodeTensorFile(y, graph.outputs[0]!));
  hyps.push(greedyDecode(y, vocab));
}
const { wer } = errorRates(sets.map((s) => refs.get(s.label) ?? ""), hyps);
console.log(`ran ${sets.length} inputs; outputs in out/library/run; WER ${(100 * wer).toFixed(2)}%`);
