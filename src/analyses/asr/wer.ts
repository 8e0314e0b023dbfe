// Word and character error rates (edit distance over words / characters), as speech papers report.

/** Levenshtein distance between two sequences. */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

export interface ErrorRates {
  /** Word errors / reference words. */
  wer: number;
  /** Character errors (spaces included) / reference characters. */
  cer: number;
  wordErrors: number;
  words: number;
}

/** Corpus-level WER and CER of hypotheses against references (same order). */
export function errorRates(refs: readonly string[], hyps: readonly string[]): ErrorRates {
  let wordErrors = 0, words = 0, charErrors = 0, chars = 0;
  refs.forEach((ref, i) => {
    const hyp = hyps[i] ?? "";
    const rw = ref.split(/\s+/).filter(Boolean);
    wordErrors += editDistance(rw, hyp.split(/\s+/).filter(Boolean));
    words += rw.length;
    charErrors += editDistance([...ref], [...hyp]);
    chars += ref.length;
  });
  return { wer: words ? wordErrors / words : 0, cer: chars ? charErrors / chars : 0, wordErrors, words };
}
