// A histogram of a value's elements that grows with the data, for the percentile, MSE and
// entropy observers.
//
// The bins cover [-R, R) symmetrically around zero; when an element falls outside, R doubles and
// neighbouring bins merge pairwise into the middle half, so no data is ever re-read and the
// result does not depend on batch boundaries more than a power-of-two rebinning does.

export const HISTOGRAM_BINS = 2048;

export class Histogram {
  readonly counts = new Float64Array(HISTOGRAM_BINS);
  /** Half-width of the covered range; 0 until the first non-zero element. */
  radius = 0;
  min = Infinity;
  max = -Infinity;
  total = 0;

  add(data: ArrayLike<number>): void {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(lo <= hi)) return; // empty, or NaN only
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    const need = Math.max(Math.abs(lo), Math.abs(hi));
    if (this.radius === 0) this.radius = need > 0 ? need * (1 + 1e-6) : 0;
    while (this.radius > 0 && need >= this.radius) this.grow();
    if (this.radius === 0) {
      // Every element so far is zero: count them in the middle bin once a range exists.
      this.counts[HISTOGRAM_BINS / 2] += data.length;
      this.total += data.length;
      return;
    }
    const n = HISTOGRAM_BINS, scale = n / (2 * this.radius), c = this.counts;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v !== v) continue;
      let b = Math.floor((v + this.radius) * scale);
      if (b < 0) b = 0;
      else if (b >= n) b = n - 1;
      c[b]!++;
    }
    this.total += data.length;
  }

  private grow(): void {
    const n = HISTOGRAM_BINS, c = this.counts;
    const merged = new Float64Array(n);
    for (let j = 0; j < n / 2; j++) merged[n / 4 + j] = c[2 * j]! + c[2 * j + 1]!;
    c.set(merged);
    this.radius *= 2;
  }

  binWidth(): number {
    return (2 * this.radius) / HISTOGRAM_BINS;
  }

  /** Centre of bin i. */
  center(i: number): number {
    return -this.radius + (i + 0.5) * this.binWidth();
  }

  /** The value below which a fraction q of the elements lie (linear within a bin). */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * this.total;
    let acc = 0;
    const w = this.binWidth();
    for (let i = 0; i < HISTOGRAM_BINS; i++) {
      const c = this.counts[i]!;
      if (acc + c >= target && c > 0) return -this.radius + (i + (target - acc) / c) * w;
      acc += c;
    }
    return this.max;
  }
}
