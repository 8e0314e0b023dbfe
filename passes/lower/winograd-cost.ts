// The cost model of Winograd convolution against the direct (GEMM) convolution, per output
// element of a 1-D conv with Cg input and Mg output channels per group and r taps, for F(m, r):
//   direct    Cg r multiply-adds;
//   Winograd  Cg n / m multiply-adds in the tap GEMMs, plus per output the output transform's
//             additions (nnz(A^T) / m) and the store and reload of the n GEMM results (2 n / m),
//             plus the input transform (nnz(B^T) / m per input channel, and n / m stores) shared
//             by the Mg output channels.
// A transform addition or a store costs as much as a multiply-add on these cores (one vector op
// each). Small GEMMs run below peak: the tap GEMMs have depth Cg, and a depth below 16 keeps the
// accumulators too briefly to hide the loads, so their multiply-adds count 16 / Cg times. The
// target matters through the direct path's efficiency: with dot-product instructions (sdot) an
// int8 direct convolution makes 4 multiply-adds per lane and instruction, which the int16
// transform domain cannot use, so integer Winograd pays only without them (as in ncnn).
// Winograd is chosen when it costs at most WIN_MARGIN of direct: the transforms' memory traffic is
// harder to predict than the MACs.
//
// Accuracy: F(m, r) is allowed when its fp32 amplification (ir/winograd/analysis.ts) is at most
// MAX_AMPLIFICATION; its tolerance against direct convolution is then TOLERANCE_PER_AMPLIFICATION
// times that amplification of max |output| (F(4, 3): 9.9e-5, within DESIGN's 1e-4).
import type { Target } from "../../ir/target.js";
import { analyzeWinograd } from "../../ir/winograd/analysis.js";
import { winogradTransforms } from "../../ir/winograd/transforms.js";

export const WIN_MARGIN = 0.8;
export const MAX_AMPLIFICATION = 40;
export const TOLERANCE_PER_AMPLIFICATION = 1e-5;
/** The output tiles auto considers. */
export const AUTO_TILES = [2, 4, 6] as const;

export interface ConvCost {
  readonly m: number;
  readonly direct: number;
  readonly winograd: number;
  readonly amplification: number;
}

/** The tolerance of F(m, r) against direct convolution, relative to max |output|. */
export function winogradTolerance(m: number, r: number): number {
  return TOLERANCE_PER_AMPLIFICATION * Math.max(1, analyzeWinograd(m, r).amplification);
}

/** Costs per output element of direct and F(m, r) convolution (see the header). */
export function convCost(m: number, r: number, Cg: number, Mg: number, target: Target, integer = false): ConvCost {
  const t = winogradTransforms(m, r);
  const n = t.n;
  const nnzA = t.AT.flat().filter((v) => !v.isZero()).length;
  const nnzB = t.BT.flat().filter((v) => !v.isZero()).length;
  const depthPenalty = Cg < 16 ? 16 / Cg : 1;
  const winograd = (Cg * n / m) * depthPenalty + nnzA / m + (2 * n) / m + (Cg * (nnzB + n)) / (m * Mg);
  const direct = (Cg * r) / (integer && target.dotprod ? 4 : 1);
  return { m, direct, winograd, amplification: analyzeWinograd(m, r).amplification };
}

/**
 * The cheapest allowed tile among `tiles` for the layer, or why none is; `forced` (a tile the user
 * named) skips the cost comparison but not the accuracy limit.
 */
export function chooseTile(tiles: readonly number[], r: number, Cg: number, Mg: number, target: Target, opts: { integer?: boolean; forced?: boolean } = {}): { cost: ConvCost } | { why: string } {
  const costs = tiles.map((m) => convCost(m, r, Cg, Mg, target, opts.integer));
  const accurate = costs.filter((c) => c.amplification <= MAX_AMPLIFICATION);
  if (accurate.length === 0) {
    return { why: `F(${tiles.join("|")}, ${r}) would amplify the fp32 error ${costs.map((c) => c.amplification.toFixed(0)).join("/")}x over direct (the limit is ${MAX_AMPLIFICATION}x)` };
  }
  const best = accurate.reduce((a, b) => (b.winograd < a.winograd ? b : a));
  if (!opts.forced && best.winograd > WIN_MARGIN * best.direct) {
    return { why: `F(${best.m}, ${r}) would cost ${best.winograd.toFixed(1)} against direct's ${best.direct.toFixed(1)} operations per output (${Cg} input, ${Mg} output channels per group): it pays below ${WIN_MARGIN} of direct` };
  }
  return { cost: best };
}
