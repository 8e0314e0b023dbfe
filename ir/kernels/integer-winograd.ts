// The integer-exact Winograd convolution of QConvWinograd (1-D, stride 1, dilation 1): the
// accumulator of QConv, bias + Σ (x - zp) w, computed as
//   V[j][c][t] = (B^T d_t)_j on the centred input (x - zp, zeros outside: exact integers),
//   U[s][j][o][c] = (G_int w)_j with the integer-scaled weight transform (ir/winograd/analysis.ts),
//   M[j][o][t] = Σ_s Σ_c U V (shifted by segment as in conv-winograd.ts),
//   acc[o][t m + i] = bias[o] + (Σ_j A_int[i][j] M[j][o][t]) / S,
// where the division is exact: S y = A_int[(G_int g) ⊙ (B^T d)] holds on integers. Every
// intermediate here is an integer below 2^53, so doubles hold it exactly; the int32 result wraps
// as QConv's does. It is therefore QConv's accumulator bit for bit, which the property tests check.
import type { NumericArray } from "../dtype.js";
import type { QConvArgs } from "./integer-conv.js";
import { transformWeights, winogradPlan } from "./conv-winograd.js";
import { winogradTransforms } from "../winograd/transforms.js";
import { integerWinograd } from "../winograd/analysis.js";

/** The integer-scaled transforms of F(m, rs) as numbers. */
export function integerTransforms(m: number, rs: number): { G: number[][]; BT: number[][]; AT: number[][]; S: number } {
  const iw = integerWinograd(winogradTransforms(m, rs));
  const num = (a: readonly (readonly bigint[])[]) => a.map((row) => row.map(Number));
  return { G: num(iw.G), BT: num(iw.BT), AT: num(iw.AT), S: Number(iw.S) };
}

/** The integer transformed weights U [group][n][Mg][S][Cg] of int8 w [M][Cg][r]. */
export function integerWinogradWeights(w: ArrayLike<number>, M: number, Cg: number, group: number, r: number, m: number, segment: number): Int32Array {
  const { rs, S, n } = winogradPlan(r, m, segment);
  return transformWeights(w, integerTransforms(m, rs).G, { M, Cg, group, r, rs, S, n }, new Int32Array(group * n * (M / group) * S * Cg));
}

/** QConv's int32 accumulator by integer Winograd F(m, rs) (see the header). */
export function qconvWinogradAccumulate(x: NumericArray, w: Int8Array, bias: Int32Array | undefined, a: QConvArgs, m: number, segment: number): Int32Array {
  const g = a.geometry;
  if (g.inShape.length !== 1 || g.strides[0] !== 1 || g.dilations[0] !== 1) throw new Error("Winograd convolution takes 1-D convolutions of stride 1 and dilation 1");
  const r = g.kernel[0]!;
  const { rs, S, n, shift } = winogradPlan(r, m, segment);
  const { BT, AT, S: scale } = integerTransforms(m, rs);
  const { N, C, M, group } = a;
  const Cg = C / group, Mg = M / group;
  const L = g.inShape[0]!, Tout = g.outShape[0]!, pl = g.padBegin[0]!;
  const tiles = Math.ceil(Tout / m), vt = tiles + (S - 1) * shift;
  const U = integerWinogradWeights(w, M, Cg, group, r, m, segment);
  const V = new Float64Array(n * Cg * vt), Mt = new Float64Array(n * Mg * tiles), d = new Float64Array(n);
  const acc = new Int32Array(N * M * Tout);
  const zp = a.xZeroPoint;
  for (let bi = 0; bi < N; bi++) {
    for (let gi = 0; gi < group; gi++) {
      for (let c = 0; c < Cg; c++) {
        const xo = (bi * C + gi * Cg + c) * L;
        for (let tt = 0; tt < vt; tt++) {
          for (let i = 0; i < n; i++) {
            const p = tt * m + i - pl;
            d[i] = p >= 0 && p < L ? Number(x[xo + p]!) - zp : 0;
          }
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let i = 0; i < n; i++) s += BT[j]![i]! * d[i]!;
            V[(j * Cg + c) * vt + tt] = s;
          }
        }
      }
      Mt.fill(0);
      for (let j = 0; j < n; j++) {
        for (let o = 0; o < Mg; o++) {
          const mo = (j * Mg + o) * tiles, u0 = ((gi * n + j) * Mg + o) * S * Cg;
          for (let sg = 0; sg < S; sg++) {
            for (let c = 0; c < Cg; c++) {
              const u = U[u0 + sg * Cg + c]!, vo = (j * Cg + c) * vt + sg * shift;
              if (u !== 0) for (let tt = 0; tt < tiles; tt++) Mt[mo + tt] += u * V[vo + tt]!;
            }
          }
        }
      }
      for (let o = 0; o < Mg; o++) {
        const oc = gi * Mg + o, yo = (bi * M + oc) * Tout, b = bias ? bias[oc]! : 0;
        for (let tt = 0; tt < tiles; tt++) {
          for (let i = 0; i < m && tt * m + i < Tout; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += AT[i]![j]! * Mt[(j * Mg + o) * tiles + tt]!;
            if (s % scale !== 0) throw new Error("integer Winograd: the output transform is not divisible by its scale");
            acc[yo + tt * m + i] = b + s / scale;
          }
        }
      }
    }
  }
  return acc;
}
