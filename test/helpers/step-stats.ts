// How two runs of an integer tensor differ, in steps of its grid: the tests that compare the
// interpreter with onnxruntime (which requantizes through float and may round a tie the other
// way) count exact matches, matches within one step, and the largest difference.
import { expect } from "vitest";

export interface StepStats {
  /** Values compared, equal ones, ones at most one step apart, and the largest |difference|. */
  n: number;
  exact: number;
  within1: number;
  max: number;
}

export function stepStats(): StepStats {
  return { n: 0, exact: 0, within1: 0, max: 0 };
}

/** Adds the element-wise differences of a and b (which must have the same length) to s. */
export function addSteps(s: StepStats, a: ArrayLike<number>, b: ArrayLike<number>): StepStats {
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    s.n++;
    if (d === 0) s.exact++;
    if (d <= 1) s.within1++;
    s.max = Math.max(s.max, d);
  }
  return s;
}
