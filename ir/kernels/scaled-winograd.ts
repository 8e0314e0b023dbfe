// The scaled (RSQ-style) integer Winograd convolution of QConvWinogradScaled (1-D, stride 1,
// dilation 1): QConv's accumulator, bias + Σ (x - zp) w, approximated with int8 operands in the
// Winograd domain, so the tap GEMMs are the same int8 x int8 GEMMs as direct convolution's, with
// n / (m r) of its multiplies. Every step is defined on 32-bit integers (so C, scalar or NEON,
// matches bit for bit):
//   V[j][t][c]  = (B^T d_t)_j, the integer input transform of the centred input d = x - zp
//                 (zeros outside), |V| <= 255 ‖B^T_j‖₁ within int16;
//   V8          = sat8(rdmulh(V, mult_j)), rdmulh(a, b) = floor((2ab + 2^15) / 2^16), NEON's
//                 vqrdmulh (and SIMD128's q15mulr) with a per-tap Q15 multiplier mult_j =
//                 round(2^15 / alpha_j): V8 ≈ V / alpha_j, the tap's input scale;
//   U8[j][o][k] = round(U_int / beta_jo), U_int = G_int w (the integer weight transform), beta_jo =
//                 max_k |U_int[j][o][k]| / 127: per tap and output channel, at compile time;
//   M[j][o][t]  = Σ_k U8 V8 (int32, the int8 GEMM), k = segment * Cg + c over the S segments;
//   T           = fp(M, q_jo), the gemmlowp fixed-point multiplication (ir/fixed-point.ts) by
//                 alpha_j beta_jo / S_A * 2^g, S_A the output transform's scale (exact:
//                 S_A acc = Σ_j A_int U_int V) and g guard bits (negative: fewer bits);
//   acc[t m + i] = sat32(bias + sat32(rshift(Σ_j A_int[i][j] T_j, g))), rshift(v, s) =
//                 floor((v + 2^(s-1)) / 2^s) (NEON's vrshr), or a saturating left shift when g < 0.
// g is the most guard bits (at most 8) for which the worst-case sum Σ_j |A_int| |T_j| stays
// within int32, so the sums never wrap.
// The input scales alpha_j are the layer's parameters (attribute input_scales; the winograd pass
// picks them on calibration data to minimize the layer's error, and fine-tuning may learn them).
import type { NumericArray } from "../dtype.js";
import type { QConvArgs } from "./integer-conv.js";
import { winogradPlan } from "./conv-winograd.js";
import { integerTransforms, integerWinogradWeights } from "./integer-winograd.js";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../fixed-point.js";

/** floor((v + 2^(s-1)) / 2^s): a rounding right shift (half up), exact for |v| < 2^53. */
function roundShift(v: number, s: number): number {
  return s === 0 ? v : Math.floor((v + 2 ** (s - 1)) / 2 ** s);
}

const sat32 = (v: number) => (v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v);

/** sat32(rshift(p, g)), or sat32(p * 2^-g) for negative g: the accumulator from the guarded sum. */
export function unguard(p: number, guard: number): number {
  return sat32(guard >= 0 ? roundShift(p, guard) : p * 2 ** -guard);
}

/** The Q15 multiplier of input scale alpha (>= 1): round(2^15 / alpha), at most 2^15 - 1. */
export function inputMultiplier(alpha: number): number {
  return Math.min(32767, Math.max(1, Math.round(32768 / alpha)));
}

/** sat8(rdmulh(v, mult)): the transformed input requantized to int8. */
export function requantizeTap(v: number, mult: number): number {
  const r = Math.floor((2 * v * mult + 32768) / 65536);
  return r > 127 ? 127 : r < -128 ? -128 : r;
}

/** What the scaled scheme computes with, derived from the int8 weights and the input scales (see the header). */
export interface ScaledWinogradPlan {
  readonly m: number;
  readonly rs: number;
  readonly S: number;
  readonly n: number;
  /** The integer input transform B^T (n x n) and output transform A_int (m x n). */
  readonly BT: number[][];
  readonly A: number[][];
  /** Per tap: the Q15 multiplier of V (from input_scales). */
  readonly mult: number[];
  /** U8 [group][n][Mg][S * Cg]. */
  readonly U8: Int8Array;
  /** Per [group][n][Mg]: the fixed-point multiplier and shift of alpha_j beta_jo / S_A * 2^guard. */
  readonly tapMultiplier: Int32Array;
  readonly tapShift: Int32Array;
  /** Guard bits of the transform-domain sums (negative: bits dropped). */
  readonly guard: number;
}

/** Why the scaled scheme cannot run F(m, r) over these sizes, or undefined. */
export function scaledUnsupported(r: number, m: number, segment: number): string | undefined {
  const { rs, S, shift } = winogradPlan(r, m, segment);
  if (S > 1 && shift !== 1) return `segments of ${rs} taps over tiles of ${m} (the scaled GEMM reads segment s of tile t at tile t + s: segments must be m taps)`;
  const { BT } = integerTransforms(m, rs);
  const worst = Math.max(...BT.map((row) => row.reduce((a, v) => a + Math.abs(v), 0)));
  if (worst * 255 > 32767) return `F(${m}, ${rs})'s input transform grows 8-bit inputs by ${worst}x, past int16`;
  return undefined;
}

/** The plan of a layer: w int8 [M][Cg][r]; inputScales: one alpha >= 1 per tap. */
export function scaledWinogradPlan(w: ArrayLike<number>, M: number, Cg: number, group: number, r: number, m: number, segment: number, inputScales: readonly number[]): ScaledWinogradPlan {
  const bad = scaledUnsupported(r, m, segment);
  if (bad) throw new Error(`scaled integer Winograd: ${bad}`);
  const { rs, S, n } = winogradPlan(r, m, segment);
  if (inputScales.length !== n) throw new Error(`scaled integer Winograd F(${m}, ${rs}) needs ${n} input scales, got ${inputScales.length}`);
  if (inputScales.some((a) => !(a >= 1) || !Number.isFinite(a))) throw new Error(`scaled integer Winograd input scales must be finite and at least 1, got [${inputScales.join(", ")}]`);
  const { BT, AT, S: SA } = integerTransforms(m, rs);
  const Mg = M / group, depth = S * Cg;
  const U = integerWinogradWeights(w, M, Cg, group, r, m, segment);
  const mult = inputScales.map(inputMultiplier);
  const alpha = mult.map((q) => 32768 / q);
  const U8 = new Int8Array(U.length);
  const scale = new Float64Array(group * n * Mg), mBound = new Float64Array(group * n * Mg);
  for (let row = 0; row < group * n * Mg; row++) {
    let max = 0;
    for (let k = 0; k < depth; k++) max = Math.max(max, Math.abs(U[row * depth + k]!));
    const beta = max / 127;
    let sum = 0;
    for (let k = 0; k < depth; k++) {
      const u = U[row * depth + k]!;
      const q = max === 0 ? 0 : Math.sign(u) * Math.min(127, Math.floor(Math.abs(u) / beta + 0.5));
      U8[row * depth + k] = q;
      sum += Math.abs(q);
    }
    scale[row] = (alpha[Math.floor(row / Mg) % n]! * beta) / SA;
    mBound[row] = sum * 128;
  }
  // The most guard bits (at most 8) for which Σ_j |A_int[i][j]| max |T_j| stays within int32.
  let worstSum = 0;
  for (let gi = 0; gi < group; gi++) {
    for (let o = 0; o < Mg; o++) {
      for (const arow of AT) {
        let s = 0;
        arow.forEach((a, j) => (s += Math.abs(a) * (scale[(gi * n + j) * Mg + o]! * mBound[(gi * n + j) * Mg + o]! + 1)));
        worstSum = Math.max(worstSum, s);
      }
    }
  }
  const guard = Math.min(8, Math.floor(Math.log2((2 ** 31 - 1) / (1.001 * Math.max(worstSum, 1)))));
  if (guard < -16) throw new Error(`scaled integer Winograd: this layer's transform-domain sums (${Cg} channels, F(${m}, ${rs})) would need more than 16 bits dropped to stay within int32`);
  const tapMultiplier = new Int32Array(scale.length), tapShift = new Int32Array(scale.length);
  scale.forEach((v, row) => {
    const q = quantizeMultiplier(v * 2 ** guard);
    tapMultiplier[row] = q.multiplier;
    tapShift[row] = q.shift;
  });
  return { m, rs, S, n, BT, A: AT, mult, U8, tapMultiplier, tapShift, guard };
}

/**
 * Calls `visit(j, V)` with each tap's integer transformed input for every tile of a centred
 * channel row: the V the scaled scheme requantizes (the pass picks input scales from these).
 */
export function forEachTransformedTile(row: ArrayLike<number>, zp: number, padBegin: number, tiles: number, m: number, BT: readonly (readonly number[])[], visit: (j: number, v: number) => void): void {
  const n = BT.length, L = row.length;
  const d = new Float64Array(n);
  for (let t = 0; t < tiles; t++) {
    for (let i = 0; i < n; i++) {
      const p = t * m + i - padBegin;
      d[i] = p >= 0 && p < L ? Number(row[p]!) - zp : 0;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += BT[j]![i]! * d[i]!;
      visit(j, s);
    }
  }
}

/** QConv's int32 accumulator approximated by scaled integer Winograd (see the header). */
export function qconvWinogradScaledAccumulate(x: NumericArray, w: Int8Array, bias: Int32Array | undefined, a: QConvArgs, m: number, segment: number, inputScales: readonly number[]): Int32Array {
  const g = a.geometry;
  if (g.inShape.length !== 1 || g.strides[0] !== 1 || g.dilations[0] !== 1) throw new Error("Winograd convolution takes 1-D convolutions of stride 1 and dilation 1");
  const { N, C, M, group } = a;
  const Cg = C / group, Mg = M / group;
  const p = scaledWinogradPlan(w, M, Cg, group, g.kernel[0]!, m, segment, inputScales);
  const { n, S, BT, A, mult, U8, tapMultiplier, tapShift, guard } = p;
  const L = g.inShape[0]!, Tout = g.outShape[0]!, pl = g.padBegin[0]!;
  const tiles = Math.ceil(Tout / m), vt = tiles + S - 1, depth = S * Cg;
  const V8 = new Int8Array(n * vt * Cg), T = new Float64Array(n * tiles);
  const acc = new Int32Array(N * M * Tout);
  for (let bi = 0; bi < N; bi++) {
    for (let gi = 0; gi < group; gi++) {
      for (let c = 0; c < Cg; c++) {
        const xo = (bi * C + gi * Cg + c) * L;
        let tile = 0, tap = 0;
        forEachTransformedTile(x.subarray(xo, xo + L) as ArrayLike<number>, a.xZeroPoint, pl, vt, m, BT, (j, v) => {
          V8[(j * vt + tile) * Cg + c] = requantizeTap(v, mult[j]!);
          if (++tap === n) { tap = 0; tile++; }
        });
      }
      for (let o = 0; o < Mg; o++) {
        for (let j = 0; j < n; j++) {
          const row = (gi * n + j) * Mg + o, u0 = row * depth, qm = tapMultiplier[row]!, qs = tapShift[row]!;
          for (let t = 0; t < tiles; t++) {
            const v0 = (j * vt + t) * Cg;
            let s = 0;
            for (let q = 0; q < depth; q++) s += U8[u0 + q]! * V8[v0 + q]!;
            T[j * tiles + t] = multiplyByQuantizedMultiplier(s, qm, qs, "gemmlowp");
          }
        }
        const oc = gi * Mg + o, yo = (bi * M + oc) * Tout, b = bias ? bias[oc]! : 0;
        for (let t = 0; t < tiles; t++) {
          for (let i = 0; i < m && t * m + i < Tout; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += A[i]![j]! * T[j * tiles + t]!;
            acc[yo + t * m + i] = sat32(b + unguard(s, guard));
          }
        }
      }
    }
  }
  return acc;
}
