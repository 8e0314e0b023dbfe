// Greedy CTC decoding and the WER/CER scorer.
import { describe, expect, it } from "vitest";
import { greedyDecode, parseVocabulary } from "../../../src/analyses/asr/ctc.js";
import { editDistance, errorRates } from "../../../src/analyses/asr/wer.js";
import { makeTensor } from "../../../ir/types.js";

const vocab = parseVocabulary(JSON.stringify({ blank_index: 0, index_to_char: { 0: "", 1: " ", 2: "a", 3: "b" } }));

describe("greedy CTC", () => {
  it("merges repeats, drops blanks and normalises spaces", () => {
    // frames (argmax): a a _ a b 1(space) 1 _ b
    const frames = [2, 2, 0, 2, 3, 1, 1, 0, 3];
    const scores = makeTensor("f32", [1, 4, frames.length]);
    const d = scores.data as Float32Array;
    frames.forEach((c, t) => {
      for (let k = 0; k < 4; k++) d[k * frames.length + t] = k === c ? 0 : -5;
    });
    expect(greedyDecode(scores, vocab)).toBe("aab b");
  });

  it("reads [1, T, C] too", () => {
    const scores = makeTensor("f32", [1, 2, 4], new Float32Array([0, 0, 1, 0, 0, 0, 0, 1]));
    expect(greedyDecode(scores, vocab, 2)).toBe("ab");
  });
});

describe("error rates", () => {
  it("counts edits", () => {
    expect(editDistance([..."kitten"], [..."sitting"])).toBe(3);
    const r = errorRates(["one two three", "four"], ["one too three", ""]);
    expect(r.wordErrors).toBe(2);
    expect(r.words).toBe(4);
    expect(r.wer).toBe(0.5);
  });
});
