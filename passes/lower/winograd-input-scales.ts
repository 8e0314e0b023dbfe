// The input scales of the scaled integer Winograd scheme (ir/kernels/scaled-winograd.ts): per tap
// j of F(m, r), the alpha_j by which the transformed input V_j = (B^T d)_j is divided before it is
// rounded to int8. Two steps, both on the layer's inputs on calibration data:
// 1. per tap, the alpha with the least mean squared error of the requantized V_j itself (exactly as
//    the kernel computes it: Q15 multiplier, rounding, saturation), over a histogram of every V_j,
//    among a geometric grid from the range that never clips down to a tenth of it;
// 2. the layer's own error decides: the output transform sums large tap products that largely
//    cancel, and clipped values, which come together in several taps, do not cancel, so the scales
//    of step 1 (and of the unclipped range) are tried widened by a few common factors, then each
//    tap alone a little narrower or wider (two sweeps), keeping whatever lowers the squared error
//    of the accumulators against QConv's exact ones on both halves of the data (even and odd
//    tiles of a window of each calibration input, small enough together to keep a trial quick).
import { qconvAccumulate } from "../../ir/kernels/integer-conv.js";
import { convRun } from "../../ir/ops/nn/spatial.js";
import type { Tensor } from "../../ir/types.js";
import { forEachTransformedTile, inputMultiplier, qconvWinogradScaledAccumulate, requantizeTap } from "../../ir/kernels/scaled-winograd.js";

/** Candidates per tap: alpha_max * 0.95^k down to a tenth of it. */
const GRID = Array.from({ length: 46 }, (_, k) => 0.95 ** k);
const BINS = 32768;

export interface TapScale {
  readonly alpha: number;
  /** The mean squared error of the requantized V over its mean square (0: exact). */
  readonly relativeError: number;
}

export interface TapLayout {
  readonly m: number;
  /** The integer input transform B^T (n x n). */
  readonly BT: readonly (readonly number[])[];
  readonly zeroPoint: number;
  readonly padBegin: number;
  /** Transformed tiles per channel row (the output tiles plus the segments' shift). */
  tiles(length: number): number;
}

/** Histograms of every V_j over the captured inputs [N][C][L] of a layer. */
export function tapHistograms(inputs: readonly Tensor[], layout: TapLayout): Float64Array[] {
  const n = layout.BT.length;
  const hist = Array.from({ length: n }, () => new Float64Array(2 * BINS + 1));
  for (const t of inputs) {
    const L = t.shape[2]!, rows = t.shape[0]! * t.shape[1]!;
    const data = t.data as unknown as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
    const tiles = layout.tiles(L);
    for (let r = 0; r < rows; r++) {
      forEachTransformedTile(data.subarray(r * L, (r + 1) * L), layout.zeroPoint, layout.padBegin, tiles, layout.m, layout.BT, (j, v) => {
        hist[j]![Math.max(-BINS, Math.min(BINS, v)) + BINS]!++;
      });
    }
  }
  return hist;
}

/** The MSE-best alpha of one tap's histogram (see the header). */
export function chooseTapScale(hist: Float64Array): TapScale {
  let lo = BINS, hi = BINS, power = 0;
  for (let i = 0; i < hist.length; i++) {
    const c = hist[i]!;
    if (c === 0) continue;
    lo = Math.min(lo, i); hi = Math.max(hi, i);
    power += c * (i - BINS) ** 2;
  }
  const maxAbs = Math.max(BINS - lo, hi - BINS);
  const top = Math.max(1, maxAbs / 127);
  let best: TapScale = { alpha: 1, relativeError: Infinity };
  const tried = new Set<number>();
  for (const f of GRID) {
    const mult = inputMultiplier(Math.max(1, top * f));
    if (tried.has(mult)) continue;
    tried.add(mult);
    const alpha = 32768 / mult;
    let err = 0;
    for (let i = lo; i <= hi; i++) {
      const c = hist[i]!;
      if (c === 0) continue;
      const v = i - BINS, q = requantizeTap(v, mult);
      err += c * (alpha * q - v) ** 2;
    }
    const rel = power === 0 ? 0 : err / power;
    if (rel < best.relativeError) best = { alpha, relativeError: rel };
  }
  return best;
}

/** A QConv layer as the scaled kernel takes it. */
export interface ScaledLayer {
  readonly w: Int8Array;
  readonly M: number;
  readonly Cg: number;
  readonly group: number;
  readonly r: number;
  readonly m: number;
  readonly segment: number;
  readonly zeroPoint: number;
  readonly pads: readonly [number, number];
}

/** Multiply-adds one trial may take (the inputs are cut to a window of time steps to fit). */
const TRIAL_WORK = 4e7;
const WIDEN = [0.8, 1, 1.25, 1.5, 2, 2.5];
const NUDGE = [0.8, 1.25];

/** The input scales (step 2 of the header) and the accumulators' SQNR in dB they give on the calibration windows. */
export function chooseInputScales(inputs: readonly Tensor[], layer: ScaledLayer, perTap: readonly TapScale[], unclipped: readonly number[]): { scales: number[]; sqnrDb: number } {
  const { w, M, Cg, group, r, m, segment, zeroPoint, pads } = layer;
  const C = Cg * group;
  // A window of each calibration input, all of them within the work budget of one trial.
  const budget = Math.max(r + m, Math.floor(TRIAL_WORK / Math.max(1, M * Cg * r * inputs.length)));
  const trials = inputs.map((t) => {
    const L = t.shape[2]!, N = t.shape[0]!, window = Math.min(L, budget);
    const src = t.data as unknown as { subarray(a: number, b: number): ArrayLike<number> };
    const data = new (t.data.constructor as Int8ArrayConstructor)(N * C * window);
    for (let row = 0; row < N * C; row++) data.set(src.subarray(row * L, row * L + window) as ArrayLike<number>, row * window);
    const { geometry } = convRun([N, C, window], [M, Cg, r], { pads: [...pads], strides: [], dilations: [], auto_pad: "NOTSET", kernel_shape: undefined } as never);
    const args = { N, C, M, group, geometry, xZeroPoint: zeroPoint };
    return { data, args, exact: qconvAccumulate(data, w, undefined, args) };
  });
  let signal = 0;
  for (const t of trials) for (const v of t.exact) signal += v * v;
  // The squared error on two folds: even and odd tiles of every window.
  const error = (scales: readonly number[]): [number, number] => {
    const e: [number, number] = [0, 0];
    for (const t of trials) {
      const got = qconvWinogradScaledAccumulate(t.data, w, undefined, t.args, m, segment, scales);
      const len = t.args.geometry.outShape[0]!;
      for (let i = 0; i < got.length; i++) e[Math.floor((i % len) / m) % 2]! += (got[i]! - t.exact[i]!) ** 2;
    }
    return e;
  };
  const clampUp = (v: readonly number[]) => v.map((a) => Math.max(1, a));
  let best = clampUp(unclipped), bestErr = error(best);
  // A candidate replaces the best only when it lowers the error on both folds: a choice that fits
  // one half of the data and not the other is noise, and clipping chosen on noise costs more on
  // new inputs than it saves.
  const tryScales = (s: readonly number[]) => {
    const e = error(clampUp(s));
    if (e[0] < bestErr[0] && e[1] < bestErr[1]) { best = clampUp(s); bestErr = e; }
  };
  for (const f of WIDEN) tryScales(perTap.map((t) => t.alpha * f));
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let j = 0; j < best.length; j++) {
      for (const f of NUDGE) tryScales(best.map((a, k) => (k === j ? a * f : a)));
    }
  }
  const total = bestErr[0] + bestErr[1];
  return { scales: best, sqnrDb: total === 0 ? Infinity : 10 * Math.log10(signal / total) };
}

/** The never-clipping scale of each tap on the histograms: max |V_j| / 127 (at least 1). */
export function unclippedScales(hist: readonly Float64Array[]): number[] {
  return hist.map((h) => {
    let max = 0;
    for (let i = 0; i < h.length; i++) if (h[i]! > 0) max = Math.max(max, Math.abs(i - BINS));
    return Math.max(1, max / 127);
  });
}
