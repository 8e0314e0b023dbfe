// The Winograd (Toom-Cook) transforms of a 1-D F(m, r): m outputs of an r-tap correlation from
// n = m + r - 1 inputs with n multiplications, y = A^T [(G g) ⊙ (B^T d)], derived exactly in
// BigInt rationals from n - 1 finite interpolation points and the point at infinity.
//
// Derivation: the linear convolution s = g * h of an r-tap g and an m-tap h is
// s = V_n^-1 [(V_r g) ⊙ (V_m h)], V_k evaluating a polynomial of k coefficients at the points (the
// point at infinity takes its leading coefficient). A correlation is the transposed map, so
// A^T = V_m^T, G = V_r, B^T = (V_n^-1)^T. Row j of B^T is then scaled to coprime integers and
// row j of G by the inverse factor (their product per tap is unchanged): the input transform is
// integer, as in Lavin and Gray's matrices, and every fraction lives in G, which is applied to the
// weights at compile time.
//
// The points: 0, 1, -1, 1/2, -2, -1/2, 2, 1/4, -4, ... in this order (DEFAULT_POINTS). Small
// magnitudes and reciprocal pairs keep the Vandermonde matrices well conditioned, so the
// transforms' row norms (and with them the fp32 error, analysis.ts) grow slowly with n; the
// choice follows the Winograd error-analysis literature (Barabasz, Anderson, Soodhalter, Gregg:
// 0, ±1, ±1/2, ±2, ... with infinity), whose best sets for F(4,3) and F(6,3) these first 5 and 7
// points are. Every point is dyadic, so A^T and B^T hold only values exact in fp32.
import { Rational, inverse, lcm, gcd, transpose, type RationalMatrix } from "./rational.js";

const r = (n: number, d = 1) => Rational.of(n, d);

/** The finite interpolation points in the order they are taken (n - 1 of them for F(m, r)). */
export const DEFAULT_POINTS: readonly Rational[] = [
  r(0), r(1), r(-1), r(1, 2), r(-2), r(-1, 2), r(2), r(1, 4), r(-4), r(-1, 4), r(4), r(3, 2), r(-3, 2), r(2, 3), r(-2, 3),
  r(3), r(-3), r(1, 3), r(-1, 3), r(3, 4), r(-3, 4), r(4, 3), r(-4, 3),
];

export interface WinogradTransforms {
  readonly m: number;
  readonly r: number;
  /** Tile length: n = m + r - 1 inputs, n multiplications. */
  readonly n: number;
  /** The n - 1 finite points (the last tap is the point at infinity). */
  readonly points: readonly Rational[];
  /** Output transform, m x n. */
  readonly AT: RationalMatrix;
  /** Weight transform, n x r. */
  readonly G: RationalMatrix;
  /** Input transform, n x n, integer rows with no common factor. */
  readonly BT: RationalMatrix;
}

/** A k-column Vandermonde matrix over the points and infinity (n rows). */
function vandermonde(points: readonly Rational[], k: number): Rational[][] {
  const rows = points.map((p) => {
    const row: Rational[] = [];
    let v = Rational.ONE;
    for (let i = 0; i < k; i++, v = v.mul(p)) row.push(v);
    return row;
  });
  rows.push(Array.from({ length: k }, (_, i) => (i === k - 1 ? Rational.ONE : Rational.ZERO)));
  return rows;
}

const cache = new Map<string, WinogradTransforms>();

/** The transforms of F(m, r) on the given finite points (default: the first n - 1 of DEFAULT_POINTS). */
export function winogradTransforms(m: number, r: number, points?: readonly Rational[]): WinogradTransforms {
  if (!Number.isInteger(m) || !Number.isInteger(r) || m < 1 || r < 1) throw new Error(`F(${m}, ${r}) needs positive integer m and r`);
  const n = m + r - 1;
  const pts = points ?? DEFAULT_POINTS.slice(0, n - 1);
  if (pts.length !== n - 1) {
    throw new Error(points ? `F(${m}, ${r}) needs ${n - 1} finite points, got ${pts.length}` : `F(${m}, ${r}) needs ${n - 1} finite points; neonc has ${DEFAULT_POINTS.length}`);
  }
  if (new Set(pts.map((p) => p.toString())).size !== pts.length) throw new Error("the interpolation points must be distinct");
  const key = `${m},${r},${pts.join(",")}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const AT = transpose(vandermonde(pts, m));
  const G = vandermonde(pts, r);
  const BT = transpose(inverse(vandermonde(pts, n)));
  // Row j of B^T to coprime integers, row j of G by the inverse factor.
  for (let j = 0; j < n; j++) {
    const row = BT[j]!;
    const den = row.reduce((l, v) => lcm(l, v.den), 1n);
    const num = row.reduce((g, v) => (v.isZero() ? g : gcd(g, v.num < 0n ? -v.num : v.num)), 0n) || 1n;
    const f = Rational.of(den, num);
    BT[j] = row.map((v) => v.mul(f));
    G[j] = G[j]!.map((v) => v.div(f));
  }
  const t: WinogradTransforms = { m, r, n, points: pts, AT, G, BT };
  cache.set(key, t);
  return t;
}

/** A rational matrix as doubles (exact for dyadic entries, rounded once otherwise). */
export function toNumbers(a: RationalMatrix): number[][] {
  return a.map((row) => row.map((v) => v.toNumber()));
}
