// Greedy CTC decoding of a model's per-frame class scores into text.
//
// The rule used by ../shared/asr-digits/wer.py: argmax over the classes of each frame, merge
// consecutive repeats, drop the blank, map indices to characters, normalise whitespace.
import type { Tensor } from "../../../ir/types.js";

export interface Vocabulary {
  /** Character of each class index ("" for the blank). */
  readonly labels: readonly string[];
  readonly blank: number;
}

/** Reads the vocab.json format of the asr-digits model ({ blank_index, index_to_char }). */
export function parseVocabulary(json: string): Vocabulary {
  const v = JSON.parse(json) as { blank_index: number; index_to_char: Record<string, string> };
  const n = Object.keys(v.index_to_char).length;
  const labels = Array.from({ length: n }, (_, i) => v.index_to_char[String(i)] ?? "");
  return { labels, blank: v.blank_index };
}

/**
 * Decodes scores of shape [1, C, T] (classAxis 1) or [1, T, C] (classAxis 2).
 */
export function greedyDecode(scores: Tensor, vocab: Vocabulary, classAxis: 1 | 2 = 1): string {
  if (scores.shape.length !== 3 || scores.shape[0] !== 1) throw new Error(`expected scores of shape [1, C, T] or [1, T, C], got [${scores.shape.join(",")}]`);
  const data = scores.data as Float32Array;
  const C = scores.shape[classAxis]!;
  const T = scores.shape[classAxis === 1 ? 2 : 1]!;
  if (C !== vocab.labels.length) throw new Error(`the model has ${C} classes, the vocabulary ${vocab.labels.length}`);
  const cStride = classAxis === 1 ? T : 1;
  const tStride = classAxis === 1 ? 1 : C;
  let prev = -1;
  let text = "";
  for (let t = 0; t < T; t++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < C; c++) {
      const s = data[t * tStride + c * cStride]!;
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    if (best !== prev && best !== vocab.blank) text += vocab.labels[best];
    prev = best;
  }
  return text.trim().split(/\s+/).filter(Boolean).join(" ");
}
