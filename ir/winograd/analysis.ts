// What a Winograd F(m, r) costs in range and precision, from its exact transforms
// (transforms.ts): the bit growth of each transform (its rows' L1 norms), the integer scaling that
// makes the whole computation exact on integers, and a bound on the fp32 error.
//
// Integer form: G_int = D G with D the diagonal of each row's least common denominator (integer
// weights transform), A_int = S A^T D^-1 with S the least common denominator of A^T D^-1. Then
// S y = A_int [(G_int g) ⊙ (B^T d)] holds exactly on integers and the division by S is exact:
// the result is the direct convolution's integer accumulator, bit for bit.
//
// fp32 error: with u = 2^-24 and γ_k = k u / (1 - k u), a conv over C channels computed as
// V = B^T d, U = fl(G g) (rounded once from the exact value), M_j = Σ_c U_jc V_jc, y = A^T M has
//   |ŷ_i - y_i| <= γ_K · C · Σ_j |A_ij| ‖G_j‖₁ ‖B^T_j‖₁ · max|g| · max|d|,   K = C + nnz(B^T_j) + nnz(A_i) + 1
// (first order, every entry of A^T and B^T being exact in fp32). Direct convolution's matching bound
// is γ_{Cr} · C · r · max|g| · max|d|; `amplification` is the ratio of the two sums, the factor by
// which F(m, r) can be worse than direct in the worst case.
import { Rational, lcm, type RationalMatrix } from "./rational.js";
import { winogradTransforms, type WinogradTransforms } from "./transforms.js";

export interface IntegerWinograd {
  /** Weight transform scaled to integers per row, n x r. */
  readonly G: readonly (readonly bigint[])[];
  /** Input transform (already integer), n x n. */
  readonly BT: readonly (readonly bigint[])[];
  /** Output transform scaled to integers, m x n: S y = A [(G g) ⊙ (B^T d)]. */
  readonly AT: readonly (readonly bigint[])[];
  /** The exact divisor of the output transform. */
  readonly S: bigint;
}

const l1 = (row: readonly Rational[]) => row.reduce((s, v) => s.add(v.abs()), Rational.ZERO);
const maxOf = (xs: readonly Rational[]) => xs.reduce((a, b) => (b.compare(a) > 0 ? b : a), Rational.ZERO);
const nnz = (row: readonly Rational[]) => row.filter((v) => !v.isZero()).length;

/** The integer-scaled transforms of F(m, r). */
export function integerWinograd(t: WinogradTransforms): IntegerWinograd {
  const D = t.G.map((row) => row.reduce((l, v) => lcm(l, v.den), 1n));
  const G = t.G.map((row, j) => row.map((v) => v.mul(Rational.of(D[j]!)).num));
  const scaled = t.AT.map((row) => row.map((v, j) => v.div(Rational.of(D[j]!))));
  const S = scaled.reduce((l, row) => row.reduce((l2, v) => lcm(l2, v.den), l), 1n);
  const AT = scaled.map((row) => row.map((v) => v.mul(Rational.of(S)).num));
  const BT = t.BT.map((row) => row.map((v) => {
    if (!v.isInteger()) throw new Error("the input transform is not integer");
    return v.num;
  }));
  return { G, BT, AT, S };
}

export interface WinogradAnalysis {
  readonly label: string;
  /** Row L1 norms: how much each transform can grow its operand's magnitude, per tap / output. */
  readonly inputGrowth: readonly Rational[];
  readonly weightGrowth: readonly Rational[];
  readonly outputGrowth: readonly Rational[];
  /** The same in bits (log2 of the largest row norm), as the integer kernels see them. */
  readonly bits: { readonly input: number; readonly weight: number; readonly output: number };
  /** The integer scaling (integerWinograd's S and the per-row weight scales). */
  readonly integer: IntegerWinograd;
  /** Multiplications per output: n / m against direct's r. */
  readonly mulsPerOutput: number;
  /** Worst-case fp32 error over direct's (see the header). */
  readonly amplification: number;
  /** The bound's coefficient c(C): |ŷ - y| <= c(C) · max|g| · max|d| for C channels. */
  fp32Bound(channels: number): number;
}

const U = 2 ** -24;
const gamma = (k: number) => (k * U) / (1 - k * U);
const log2 = (v: Rational) => Math.log2(Math.max(1, v.toNumber()));

export function analyzeWinograd(m: number, r: number, points?: readonly Rational[]): WinogradAnalysis {
  const t = winogradTransforms(m, r, points);
  const inputGrowth = t.BT.map(l1), weightGrowth = t.G.map(l1), outputGrowth = t.AT.map(l1);
  const sums = t.AT.map((row) => row.reduce((s, a, j) => s + Math.abs(a.toNumber()) * weightGrowth[j]!.toNumber() * inputGrowth[j]!.toNumber(), 0));
  const worst = Math.max(...sums);
  const K = (C: number) => C + Math.max(...t.BT.map(nnz)) + Math.max(...t.AT.map(nnz)) + 1;
  return {
    label: `F(${m}, ${r})`,
    inputGrowth, weightGrowth, outputGrowth,
    bits: { input: log2(maxOf(inputGrowth)), weight: log2(maxOf(weightGrowth)), output: log2(maxOf(outputGrowth)) },
    integer: integerWinograd(t),
    mulsPerOutput: t.n / m,
    amplification: worst / r,
    fp32Bound: (C) => gamma(K(C)) * C * worst,
  };
}

/** The transforms as text, for docs and --explain (rows of exact rationals). */
export function formatMatrix(a: RationalMatrix): string {
  return a.map((row) => `[${row.map((v) => v.toString()).join(", ")}]`).join("\n");
}
