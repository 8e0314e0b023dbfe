// The float Winograd convolution F(m, r) of ConvWinograd (1-D, stride 1, dilation 1), as the
// interpreter runs it and its C emitter (codegen/kernels/conv-winograd.ts) runs it on the device:
//   U[j][o][c] = (G w[o][c])_j, rounded once to fp32 from the exact value (compile time);
//   V[j][c][t] = (B^T d_t)_j for tile t, the input padded with zeros;
//   M[j][o][t] = Σ_c U[j][o][c] V[j][c][t]   (one GEMM per tap j, the batched GEMM);
//   y[o][t m + i] = bias[o] + Σ_j A^T[i][j] M[j][o][t].
// Every step rounds to fp32 in the order the C sums (Math.fround), so the two agree to a few ulps.
import type { NumericArray } from "../dtype.js";
import type { ConvArgs } from "./conv.js";
import { toNumbers, winogradTransforms } from "../winograd/transforms.js";

const f = Math.fround;

/** The transformed weights U [group][n][Mg][Cg] of w [M][Cg][r], rounded once to fp32. */
export function winogradWeights(w: NumericArray, M: number, Cg: number, group: number, m: number, r: number): Float32Array {
  const t = winogradTransforms(m, r);
  const G = toNumbers(t.G);
  const Mg = M / group;
  const out = new Float32Array(group * t.n * Mg * Cg);
  for (let gi = 0; gi < group; gi++) {
    for (let j = 0; j < t.n; j++) {
      for (let o = 0; o < Mg; o++) {
        for (let c = 0; c < Cg; c++) {
          const src = ((gi * Mg + o) * Cg + c) * r;
          let s = 0;
          for (let k = 0; k < r; k++) s += G[j]![k]! * Number(w[src + k]!);
          out[((gi * t.n + j) * Mg + o) * Cg + c] = s;
        }
      }
    }
  }
  return out;
}

const weightCache = new WeakMap<object, Map<string, Float32Array>>();

function cachedWeights(w: NumericArray, M: number, Cg: number, group: number, m: number, r: number): Float32Array {
  let byKey = weightCache.get(w);
  if (!byKey) weightCache.set(w, (byKey = new Map()));
  const key = `${M},${Cg},${group},${m},${r}`;
  let u = byKey.get(key);
  if (!u) byKey.set(key, (u = winogradWeights(w, M, Cg, group, m, r)));
  return u;
}

/** y = conv1d(x, w) + b by F(m, r); the geometry must have stride 1 and dilation 1. */
export function convWinograd(x: NumericArray, w: NumericArray, b: NumericArray | undefined, y: NumericArray, a: ConvArgs, m: number): void {
  const g = a.geometry;
  if (g.inShape.length !== 1 || g.strides[0] !== 1 || g.dilations[0] !== 1) throw new Error("Winograd convolution takes 1-D convolutions of stride 1 and dilation 1");
  const r = g.kernel[0]!;
  const t = winogradTransforms(m, r);
  const [AT, BT] = [toNumbers(t.AT), toNumbers(t.BT)];
  const { N, C, M, group } = a;
  const Cg = C / group, Mg = M / group, n = t.n;
  const L = g.inShape[0]!, Tout = g.outShape[0]!, pl = g.padBegin[0]!;
  const tiles = Math.ceil(Tout / m);
  const U = cachedWeights(w, M, Cg, group, m, r);
  const V = new Float32Array(n * Cg * tiles), Mt = new Float32Array(n * Mg * tiles), d = new Float32Array(n);
  for (let bi = 0; bi < N; bi++) {
    for (let gi = 0; gi < group; gi++) {
      // Input transform, tile by tile.
      for (let c = 0; c < Cg; c++) {
        const xo = (bi * C + gi * Cg + c) * L;
        for (let tt = 0; tt < tiles; tt++) {
          for (let i = 0; i < n; i++) {
            const p = tt * m + i - pl;
            d[i] = p >= 0 && p < L ? Number(x[xo + p]!) : 0;
          }
          for (let j = 0; j < n; j++) {
            let s = 0;
            const row = BT[j]!;
            for (let i = 0; i < n; i++) if (row[i] !== 0) s = f(s + f(row[i]! * d[i]!));
            V[(j * Cg + c) * tiles + tt] = s;
          }
        }
      }
      // One GEMM per tap.
      Mt.fill(0);
      for (let j = 0; j < n; j++) {
        const u0 = (gi * n + j) * Mg * Cg;
        for (let o = 0; o < Mg; o++) {
          const mo = (j * Mg + o) * tiles;
          for (let c = 0; c < Cg; c++) {
            const u = U[u0 + o * Cg + c]!, vo = (j * Cg + c) * tiles;
            for (let tt = 0; tt < tiles; tt++) Mt[mo + tt] = f(Mt[mo + tt]! + f(u * V[vo + tt]!));
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
