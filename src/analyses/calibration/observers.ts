// Calibration observers: how the range [min, max] an activation is quantized over is chosen
// from the values seen while running calibration data through the float graph.
//
// - minmax: the extremes seen (TFLite's default; nothing is clipped);
// - percentile{p}: the p-th and (100-p)-th percentiles, clipping rare outliers;
// - mse: the clipping range (a shrink factor alpha of [min, max]) that minimises the expected
//   squared error of 8-bit quantization, from the histogram: clipping error of the bins outside,
//   plus scale^2/12 rounding noise for the elements inside;
// - entropy: the same candidates, choosing the one minimising KL(P || Q) between the histogram
//   P clipped to the range and its 255-level quantized version Q (TensorRT's calibration).
// Every range is widened to contain 0, so that zero (padding, Relu) is exactly representable.
import { Histogram, HISTOGRAM_BINS } from "./histogram.js";

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

export interface ValueObserver {
  observe(data: ArrayLike<number>): void;
  range(): ValueRange;
}

export interface Observer {
  /** "minmax", "percentile", "mse" or "entropy" (shown in reports). */
  readonly name: string;
  create(): ValueObserver;
}

export const OBSERVER_NAMES = ["minmax", "percentile", "mse", "entropy"] as const;
export type ObserverName = (typeof OBSERVER_NAMES)[number];

/** Quantization levels the range is chosen for (int8). */
const LEVELS = 255;

export function minMaxObserver(): Observer {
  return {
    name: "minmax",
    create() {
      let min = Infinity, max = -Infinity;
      return {
        observe(d) {
          for (let i = 0; i < d.length; i++) {
            const v = d[i]!;
            if (v < min) min = v;
            if (v > max) max = v;
          }
        },
        range: () => withZero(min, max),
      };
    },
  };
}

export function percentileObserver(percentile = 99.99): Observer {
  if (!(percentile > 50 && percentile <= 100)) throw new Error(`percentile must be in (50, 100], got ${percentile}`);
  return histogramObserver("percentile", (h) => {
    const q = percentile / 100;
    return withZero(Math.max(h.min, h.quantile(1 - q)), Math.min(h.max, h.quantile(q)));
  });
}

export function mseObserver(): Observer {
  return histogramObserver("mse", (h) => bestShrink(h, quantizationMse));
}

export function entropyObserver(): Observer {
  return histogramObserver("entropy", (h) => bestShrink(h, klDivergence));
}

/** The observer of a name (the CLI's `--observer`). */
export function observerByName(name: string): Observer {
  switch (name) {
    case "minmax": return minMaxObserver();
    case "percentile": return percentileObserver();
    case "mse": return mseObserver();
    case "entropy": return entropyObserver();
    default: throw new Error(`unknown observer "${name}" (expected one of ${OBSERVER_NAMES.join(", ")})`);
  }
}

function withZero(min: number, max: number): ValueRange {
  if (!(min <= max)) return { min: 0, max: 0 };
  return { min: Math.min(min, 0), max: Math.max(max, 0) };
}

function histogramObserver(name: string, choose: (h: Histogram) => ValueRange): Observer {
  return {
    name,
    create() {
      const h = new Histogram();
      return { observe: (d) => h.add(d), range: () => (h.total === 0 ? { min: 0, max: 0 } : choose(h)) };
    },
  };
}

/** Candidate ranges alpha * [min, max] for alpha in a grid over (0, 1]; the one with the lowest cost. */
function bestShrink(h: Histogram, cost: (h: Histogram, lo: number, hi: number) => number): ValueRange {
  const full = withZero(h.min, h.max);
  if (full.max - full.min === 0) return full;
  let best = full, bestCost = cost(h, full.min, full.max);
  for (let k = 1; k < 100; k++) {
    const alpha = 1 - k / 100;
    const lo = full.min * alpha, hi = full.max * alpha;
    // Fewer histogram bins than levels would make the estimate meaningless.
    if ((hi - lo) / h.binWidth() < LEVELS) break;
    const c = cost(h, lo, hi);
    if (c < bestCost) {
      bestCost = c;
      best = { min: lo, max: hi };
    }
  }
  return best;
}

function quantizationMse(h: Histogram, lo: number, hi: number): number {
  const scale = (hi - lo) / LEVELS;
  const noise = (scale * scale) / 12;
  let err = 0;
  for (let i = 0; i < HISTOGRAM_BINS; i++) {
    const n = h.counts[i]!;
    if (n === 0) continue;
    const c = h.center(i);
    if (c < lo) err += n * (lo - c) * (lo - c);
    else if (c > hi) err += n * (c - hi) * (c - hi);
    else err += n * noise;
  }
  return err / h.total;
}

function klDivergence(h: Histogram, lo: number, hi: number): number {
  const w = h.binWidth();
  const i0 = Math.max(0, Math.floor((lo + h.radius) / w));
  const i1 = Math.min(HISTOGRAM_BINS, Math.ceil((hi + h.radius) / w));
  const n = i1 - i0;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = h.counts[i0 + i]!;
  // Outliers are clipped onto the edge bins, as quantization would clip them.
  for (let i = 0; i < i0; i++) p[0] += h.counts[i]!;
  for (let i = i1; i < HISTOGRAM_BINS; i++) p[n - 1] += h.counts[i]!;
  const q = new Float64Array(n);
  for (let g = 0; g < LEVELS; g++) {
    const a = Math.floor((g * n) / LEVELS), b = Math.floor(((g + 1) * n) / LEVELS);
    let mass = 0, nonZero = 0;
    for (let i = a; i < b; i++) {
      mass += p[i]!;
      if (p[i]! > 0) nonZero++;
    }
    if (nonZero === 0) continue;
    for (let i = a; i < b; i++) if (p[i]! > 0) q[i] = mass / nonZero;
  }
  let sp = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i]! / sp;
    if (pi > 0) kl += pi * Math.log(pi / (q[i]! / sq));
  }
  return kl;
}
