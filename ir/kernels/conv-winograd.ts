// The float Winograd convolution of ConvWinograd (1-D, stride 1, dilation 1), as the interpreter
// runs it and its C emitter (codegen/kernels/conv-winograd.ts) runs it on the device. The kernel
// of r taps is cut into S = ceil(r / rs) segments of rs taps (rs = r: one segment; the last one
// zero-padded), each computed by F(m, rs) with n = m + rs - 1; a segment length that is a multiple
// of m starts its tiles on the same tile grid, so all segments share one input transform and
// their products are summed in the transform domain:
//   U[s][j][o][c] = (G w[o][c][s rs ...])_j, rounded once to fp32 from the exact value (compile time);
//   V[j][c][t] = (B^T d_t)_j for tile t (m inputs apart), the input padded with zeros;
//   M[j][o][t] = Σ_s Σ_c U[s][j][o][c] V[j][c][t + s rs / m]   (one GEMM per tap j, depth S Cg);
//   y[o][t m + i] = bias[o] + Σ_j A^T[i][j] M[j][o][t].
// Every step rounds to fp32 in the order the C sums (Math.fround), so the two agree to a few ulps.
import type { NumericArray } from "../dtype.js";
import type { ConvArgs } from "./conv.js";
import { toNumbers, winogradTransforms } from "../winograd/transforms.js";

const f = Math.fround;

/** The geometry of a (segmented) Winograd convolution with kernel r, tile m and segment rs (0: r). */
export function winogradPlan(r: number, m: number, segment: number): { rs: number; S: number; n: number; shift: number } {
  const rs = segment > 0 && segment < r ? segment : r;
  const S = Math.ceil(r / rs);
  if (S > 1 && rs % m !== 0) throw new Error(`Winograd segments of ${rs} taps do not start on the tile grid of m = ${m}`);
  return { rs, S, n: m + rs - 1, shift: rs / m };
}

/** The transformed weights U [group][n][Mg][S][Cg] of w [M][Cg][r], rounded once to fp32. */
export function winogradWeights(w: NumericArray, M: number, Cg: number, group: number, r: number, m: number, segment: number): Float32Array {
  const { rs, S, n } = winogradPlan(r, m, segment);
  return transformWeights(w, toNumbers(winogradTransforms(m, rs).G), { M, Cg, group, r, rs, S, n }, new Float32Array(group * n * (M / group) * S * Cg));
}

/**
 * out[group][n][Mg][S][Cg] = G w per segment of each kernel row: the weight transform of the float
 * and the integer forms (`out` is a Float32Array, rounding once, or an Int32Array, exact).
 */
export function transformWeights<T extends Float32Array | Int32Array>(
  w: ArrayLike<number | bigint>, G: readonly (readonly number[])[],
  d: { M: number; Cg: number; group: number; r: number; rs: number; S: number; n: number }, out: T,
): T {
  const { Cg, group, r, rs, S, n } = d;
  const Mg = d.M / group;
  for (let gi = 0; gi < group; gi++) {
    for (let j = 0; j < n; j++) {
      for (let o = 0; o < Mg; o++) {
        for (let sg = 0; sg < S; sg++) {
          for (let c = 0; c < Cg; c++) {
            const src = ((gi * Mg + o) * Cg + c) * r;
            let acc = 0;
            for (let k = 0; k < rs && sg * rs + k < r; k++) acc += G[j]![k]! * Number(w[src + sg * rs + k]!);
            out[(((gi * n + j) * Mg + o) * S + sg) * Cg + c] = acc;
          }
        }
      }
    }
  }
  return out;
}

const weightCache = new WeakMap<object, Map<string, Float32Array>>();

function cachedWeights(w: NumericArray, M: number, Cg: number, group: number, r: number, m: number, segment: number): Float32Array {
  let byKey = weightCache.get(w);
  if (!byKey) weightCache.set(w, (byKey = new Map()));
  const key = `${M},${Cg},${group},${r},${m},${segment}`;
  let u = byKey.get(key);
  if (!u) byKey.set(key, (u = winogradWeights(w, M, Cg, group, r, m, segment)));
  return u;
}

/** y = conv1d(x, w) + b by F(m, rs) over segments; the geometry must have stride 1 and dilation 1. */
export function convWinograd(x: NumericArray, w: NumericArray, b: NumericArray | undefined, y: NumericArray, a: ConvArgs, m: number, segment: number): void {
  const g = a.geometry;
  if (g.inShape.length !== 1 || g.strides[0] !== 1 || g.dilations[0] !== 1) throw new Error("Winograd convolution takes 1-D convolutions of stride 1 and dilation 1");
  const r = g.kernel[0]!;
  const { rs, S, n, shift } = winogradPlan(r, m, segment);
  const t = winogradTransforms(m, rs);
  const [AT, BT] = [toNumbers(t.AT), toNumbers(t.BT)];
  const { N, C, M, group } = a;
  const Cg = C / group, Mg = M / group;
  const L = g.inShape[0]!, Tout = g.outShape[0]!, pl = g.padBegin[0]!;
  const tiles = Math.ceil(Tout / m), vt = tiles + (S - 1) * shift;
  const U = cachedWeights(w, M, Cg, group, r, m, segment);
  const V = new Float32Array(n * Cg * vt), Mt = new Float32Array(n * Mg * tiles), d = new Float32Array(n);
  for (let bi = 0; bi < N; bi++) {
    for (let gi = 0; gi < group; gi++) {
      // Input transform, tile by tile (vt tiles: the later segments read further).
      for (let c = 0; c < Cg; c++) {
        const xo = (bi * C + gi * Cg + c) * L;
        for (let tt = 0; tt < vt; tt++) {
          for (let i = 0; i < n; i++) {
            const p = tt * m + i - pl;
            d[i] = p >= 0 && p < L ? Number(x[xo + p]!) : 0;
          }
          for (let j = 0; j < n; j++) {
            let s = 0;
            const row = BT[j]!;
            for (let i = 0; i < n; i++) if (row[i] !== 0) s = f(s + f(row[i]! * d[i]!));
            V[(j * Cg + c) * vt + tt] = s;
          }
        }
      }
      // One GEMM per tap, over the segments and channels (depth S Cg, segment-major).
      Mt.fill(0);
      for (let j = 0; j < n; j++) {
        for (let o = 0; o < Mg; o++) {
          const mo = (j * Mg + o) * tiles;
          const u0 = ((gi * n + j) * Mg + o) * S * Cg;
          for (let sg = 0; sg < S; sg++) {
            for (let c = 0; c < Cg; c++) {
              const u = U[u0 + sg * Cg + c]!, vo = (j * Cg + c) * vt + sg * shift;
              for (let tt = 0; tt < tiles; tt++) Mt[mo + tt] = f(Mt[mo + tt]! + f(u * V[vo + tt]!));
            }
          }
        }
      }
      // Output transform with the bias.
      for (let o = 0; o < Mg; o++) {
        const oc = gi * Mg + o;
        const yo = (bi * M + oc) * Tout;
        const bias = b ? Number(b[oc]!) : 0;
        for (let tt = 0; tt < tiles; tt++) {
          for (let i = 0; i < m && tt * m + i < Tout; i++) {
            let s = 0;
            const row = AT[i]!;
            for (let j = 0; j < n; j++) if (row[j] !== 0) s = f(s + f(row[j]! * Mt[(j * Mg + o) * tiles + tt]!));
            y[yo + tt * m + i] = f(bias + s);
          }
        }
      }
    }
  }
}
