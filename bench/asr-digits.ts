// ../shared/asr-digits as the benches that score it see it (bench:winograd-int8, bench:sparsity):
// the model, its dev utterances in order (the first `limit`), the references, the calibration
// utterances 0400-0499, the C build of a graph over every utterance, and WER of hypotheses.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CEngine, errorRates, greedyDecode, importOnnxFile, parseVocabulary, readTensorFile, type Graph, type Tensor } from "neonc";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A command-line option's value (`--name VALUE`), or undefined. */
export const arg = (name: string): string | undefined => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
export const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function asrDigits(limit = Infinity) {
  const dir = path.resolve(root, "../shared/asr-digits");
  const vocab = parseVocabulary(readFileSync(path.join(dir, "vocab.json"), "utf8"));
  const refs = new Map(readFileSync(path.join(dir, "dev", "transcripts.tsv"), "utf8").split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]));
  const all = readdirSync(path.join(dir, "dev")).filter((f) => f.endsWith(".input.pb")).map((f) => f.slice(0, 4)).sort();
  const ids = all.slice(0, limit);
  const load = (id: string) => readTensorFile(path.join(dir, "dev", `${id}.input.pb`)).tensor;
  const imported = importOnnxFile(path.join(dir, "model.onnx"));
  const input = imported.inputs[0]!, output = imported.outputs[0]!;
  const sets: Record<string, Tensor>[] = ids.map((id) => ({ [input]: load(id) }));
  const maxT = Math.max(...sets.map((s) => s[input]!.shape[2]!));
  return {
    imported, input, output, ids, sets,
    /** Dev utterances 0400-0499, the benches' calibration data. */
    calibration: (): Record<string, Tensor>[] => all.filter((id) => id >= "0400" && id < "0500").map((id) => ({ [input]: load(id) })),
    /** g compiled for c99 (-O3 -march=native), for the utterances. */
    engine: (g: Graph) => CEngine.create(g, { target: "c99", maxDims: { T: maxT }, opt: "-O3", extraFlags: ["-march=native"] }),
    /** Greedy CTC decoding of one output. */
    decode: (t: Tensor) => greedyDecode(t, vocab),
    /** WER of hypotheses (one per utterance, in order). */
    score: (hyps: readonly string[]) => errorRates(ids.map((id) => refs.get(id) ?? ""), hyps),
  };
}
