// Reference kernels that walk one axis of a tensor laid out as [outer][n][inner]: ArgMax/ArgMin
// (the index of the largest or smallest element along the axis) and CumSum (running sums along
// it). Storage is any typed array; 64-bit integers arrive as bigint arrays.

type Elems = ArrayLike<number | bigint>;

/**
 * The index along the axis of the largest (sign 1) or smallest (sign -1) element, per
 * [outer][inner] position. Ties go to the first index, or the last with `last`. NaN counts as
 * beyond every number (numpy's argmax/argmin return the first NaN).
 */
export function argReduce(x: Elems, outer: number, n: number, inner: number, sign: 1 | -1, last: boolean, out: BigInt64Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bv = x[base]!;
      let bnan = typeof bv === "number" && Number.isNaN(bv);
      for (let k = 1; k < n; k++) {
        const v = x[base + k * inner]!;
        const nan = typeof v === "number" && Number.isNaN(v);
        let take: boolean;
        if (bnan) take = nan && last;
        else if (nan) take = true;
        else take = sign > 0 ? v > bv || (last && v === bv) : v < bv || (last && v === bv);
        if (take) {
          best = k;
          bv = v;
          bnan = nan;
        }
      }
      out[o * inner + i] = BigInt(best);
    }
  }
}

/**
 * Running sums along the axis: y[k] = x[0] + ... + x[k] (exclusive: up to x[k-1], so y[0] = 0;
 * reverse: from the end). `round` stores each partial sum in the element type (Math.fround for
 * f32, so the sums round as a float32 accumulator would); bigint storage wraps to 64 bits.
 */
export function cumSum(
  x: Elems, y: { [i: number]: number | bigint }, outer: number, n: number, inner: number,
  exclusive: boolean, reverse: boolean, round: (v: number) => number, bigBits?: 64,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      if (bigBits) {
        let acc = 0n;
        for (let s = 0; s < n; s++) {
          const at = base + (reverse ? n - 1 - s : s) * inner;
          const v = x[at] as bigint;
          if (!exclusive) acc = BigInt.asIntN(64, acc + v);
          y[at] = acc;
          if (exclusive) acc = BigInt.asIntN(64, acc + v);
        }
        continue;
      }
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const at = base + (reverse ? n - 1 - s : s) * inner;
        const v = x[at] as number;
        if (!exclusive) acc = round(acc + v);
        y[at] = acc;
        if (exclusive) acc = round(acc + v);
      }
    }
  }
}
