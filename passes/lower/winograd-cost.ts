// The cost model of Winograd convolution against the direct (GEMM) convolution, per output
// element of a 1-D conv with Cg input and Mg output channels per group and r taps, for F(m, rs)
// over S = ceil(r / rs) segments of rs taps (rs = r: one segment; n = m + rs - 1):
//   direct    Cg r multiply-adds;
//   Winograd  S Cg n / m multiply-adds in the tap GEMMs, plus per output the output transform's
//             additions (nnz(A^T) / m) and the store and reload of the n GEMM results (2 n / m),
//             plus the input transform (nnz(B^T) / m per input channel, and n / m stores) shared
//             by the Mg output channels.
// A transform addition or a store counts TRANSFORM_WEIGHT multiply-adds: the packed GEMM keeps
// its vector units busy with register-blocked FMAs while the transforms stream strided tiles
// through memory (the weight comes from timing the c99 code, docs/measurements/2026-12-07-winograd.md:
// chosen at weight 1, the 32-channel k = 7 layers of wav2letter ran 0.9x of direct; at 4, the
// 128-channel k = 3 layers of asr-digits ran 0.91-0.96x as F(6, 3); at 8 neither is chosen, and
// wav2letter's k = 32 layer (1.5x faster) still is). Small GEMMs run below peak: the tap GEMMs have depth Cg, and a depth below 16 keeps the
// accumulators too briefly to hide the loads, so their multiply-adds count 16 / (S Cg) times. The
// target matters through the direct path's efficiency: with dot-product instructions (sdot) an
// int8 direct convolution makes 4 multiply-adds per lane and instruction, which the int16
// transform domain cannot use, so exact integer Winograd pays only without them (as in ncnn). The
// scaled scheme requantizes the transformed operands to int8, so its tap GEMMs are the direct
// convolution's int8 GEMM (sdot included) on n / (m r) of the multiplies; it pays for the
// requantization of each transformed input (one more operation per V) and a 64-bit multiply per
// tap result in the output transform.
// Winograd is chosen when it costs at most WIN_MARGIN of direct: the transforms' memory traffic is
// harder to predict than the MACs.
//
// The candidates of a tile m: F(m, r) whole, and segments of rs = m, 2m, ... taps (a multiple of m,
// so every segment reads the same transformed tiles, shifted).
//
// Accuracy: F(m, rs) is allowed when its fp32 amplification (ir/winograd/analysis.ts) is at most
// MAX_AMPLIFICATION; its tolerance against direct convolution is then TOLERANCE_PER_AMPLIFICATION
// times that amplification of max |output| (F(4, 3): 9.9e-5, within DESIGN's 1e-4).
import type { Target } from "../../ir/target.js";
import { analyzeWinograd } from "../../ir/winograd/analysis.js";
import { DEFAULT_POINTS, winogradTransforms } from "../../ir/winograd/transforms.js";

export const WIN_MARGIN = 0.8;
export const TRANSFORM_WEIGHT = 8;
export const MAX_AMPLIFICATION = 40;
export const TOLERANCE_PER_AMPLIFICATION = 1e-5;
/** The output tiles auto considers. */
export const AUTO_TILES = [2, 3, 4, 6] as const;

export interface ConvCost {
  readonly m: number;
  /** Taps per segment (r: one segment) and the number of segments. */
  readonly rs: number;
  readonly S: number;
  readonly direct: number;
  readonly winograd: number;
  readonly amplification: number;
}

/** The tolerance of F(m, r) (or of segments of F(m, r)) against direct convolution, relative to max |output|. */
export function winogradTolerance(m: number, r: number): number {
  return TOLERANCE_PER_AMPLIFICATION * Math.max(1, analyzeWinograd(m, r).amplification);
}

/** Costs per output element of direct and segmented F(m, rs) convolution (see the header). */
/** Which integer scheme a cost is for: the exact (int16 operands) or the scaled (int8 operands) one. */
export type IntegerScheme = "exact" | "scaled";

export function convCost(m: number, rs: number, r: number, Cg: number, Mg: number, target: Target, integer?: IntegerScheme): ConvCost {
  const t = winogradTransforms(m, rs);
  const n = t.n, S = Math.ceil(r / rs);
  const nnzA = t.AT.flat().filter((v) => !v.isZero()).length;
  const nnzB = t.BT.flat().filter((v) => !v.isZero()).length;
  const depthPenalty = S * Cg < 16 ? 16 / (S * Cg) : 1;
  // Exact integer: the tap GEMMs multiply int16 operands, half as many per NEON register as the
  // int8 direct GEMM's. Scaled: the same int8 GEMM as direct, sdot included.
  const lanes = integer === "exact" && target.neon ? 2 : integer === "scaled" && target.dotprod ? 1 / 4 : 1;
  const requant = integer === "scaled" ? n / m + (Cg * n) / (m * Mg) : 0;
  const transforms = nnzA / m + (2 * n) / m + (Cg * (nnzB + n)) / (m * Mg) + requant;
  const winograd = (S * Cg * n / m) * depthPenalty * lanes + TRANSFORM_WEIGHT * transforms;
  const direct = (Cg * r) / (integer && target.dotprod ? 4 : 1);
  return { m, rs, S, direct, winograd, amplification: analyzeWinograd(m, rs).amplification };
}

/** The segment lengths tried with tile m for r taps: r itself, and multiples of m below r. */
function segmentLengths(m: number, r: number): number[] {
  const out = [r];
  for (let rs = m; rs < r; rs += m) if (r > 1) out.push(rs);
  return out.filter((rs) => rs > 1 && m + rs - 2 <= DEFAULT_POINTS.length);
}

/**
 * The cheapest allowed tile among `tiles` for the layer, or why none is; `forced` (a tile the user
 * named) skips the cost comparison but not the accuracy limit.
 */
export function chooseTile(tiles: readonly number[], r: number, Cg: number, Mg: number, target: Target, opts: { integer?: IntegerScheme; forced?: boolean; fits?: (m: number, rs: number) => boolean; fitsRule?: string } = {}): { cost: ConvCost } | { why: string } {
  const costs = tiles.flatMap((m) => segmentLengths(m, r).map((rs) => convCost(m, rs, r, Cg, Mg, target, opts.integer)));
  const accurate = costs.filter((c) => (opts.fits ? opts.fits(c.m, c.rs) : c.amplification <= MAX_AMPLIFICATION));
  if (accurate.length === 0 && opts.fits) {
    return { why: `no F(m, taps) of m = ${tiles.join(", ")} on ${r} taps or segments of them ${opts.fitsRule ?? "fits"}` };
  }
  if (accurate.length === 0) {
    return { why: `every F(m, taps) of m = ${tiles.join(", ")} on ${r} taps or segments of them would amplify the fp32 error more than ${MAX_AMPLIFICATION}x over direct` };
  }
  const best = accurate.reduce((a, b) => (b.winograd < a.winograd ? b : a));
  if (!opts.forced && best.winograd > WIN_MARGIN * best.direct) {
    return { why: `${label(best)} would cost ${best.winograd.toFixed(1)} against direct's ${best.direct.toFixed(1)} operations per output (${Cg} input, ${Mg} output channels per group): it pays below ${WIN_MARGIN} of direct` };
  }
  return { cost: best };
}

/**
 * Whether integer-exact F(m, rs) keeps its operands in int16: the transformed input (from centred
 * 8-bit values, |x - zp| <= 255) and the integer-scaled transformed weights (int8).
 */
export function integerFits(m: number, rs: number): boolean {
  if (m + rs - 2 > DEFAULT_POINTS.length) return false;
  const iw = analyzeWinograd(m, rs).integer;
  const l1 = (row: readonly bigint[]) => row.reduce((s, v) => s + (v < 0n ? -v : v), 0n);
  return iw.BT.every((row) => l1(row) * 255n <= 32767n) && iw.G.every((row) => l1(row) * 128n <= 32767n);
}

/** F(m, r), or S x F(m, rs) for segments. */
export function label(c: ConvCost): string {
  return c.S > 1 ? `${c.S} segments of F(${c.m}, ${c.rs})` : `F(${c.m}, ${c.rs})`;
}
