// Softmax and LogSoftmax along one axis of x viewed as [outer, len, inner].
//
// With inner > 1 (e.g. LogSoftmax over the class axis of [N, classes, T]) the vectors are
// strided; they are processed inner-many at a time with per-lane max and sum arrays so every
// pass reads contiguous memory. The max is subtracted first so exp never overflows.
import type { FloatArray } from "./norm.js";

export function softmax(x: FloatArray, y: FloatArray, outer: number, len: number, inner: number, log: boolean): void {
  const max = new Float64Array(inner);
  const sum = new Float64Array(inner);
  const block = len * inner;
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    max.fill(-Infinity);
    sum.fill(0);
    for (let k = 0, r = base; k < len; k++, r += inner) {
      for (let j = 0; j < inner; j++) {
        const v = x[r + j]!;
        if (v > max[j]!) max[j] = v;
      }
    }
    for (let k = 0, r = base; k < len; k++, r += inner) {
      for (let j = 0; j < inner; j++) {
        const e = Math.exp(x[r + j]! - max[j]!);
        sum[j] += e;
        if (!log) y[r + j] = e;
      }
    }
    if (log) {
      for (let j = 0; j < inner; j++) max[j] += Math.log(sum[j]!);
      for (let k = 0, r = base; k < len; k++, r += inner) {
        for (let j = 0; j < inner; j++) y[r + j] = x[r + j]! - max[j]!;
      }
    } else {
      for (let j = 0; j < inner; j++) sum[j] = 1 / sum[j]!;
      for (let k = 0, r = base; k < len; k++, r += inner) {
        for (let j = 0; j < inner; j++) y[r + j] = y[r + j]! * sum[j]!;
      }
    }
  }
}
