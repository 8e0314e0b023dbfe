// The int8-weight x float-activation product of the hybrid recurrent kernels (hybrid-lstm.ts,
// hybrid-gru.ts, hybrid-rnn.ts):
//   y[m][n] = s[n] * sum_k q[n][k] * x[m][k]  (+ bias[n])
// with q the int8 gate rows (one scale s per row, as the hybrid ops store them) and x float.
// The weights stay int8 in weights.c and are widened in registers as they are read, so a step
// streams a quarter of the bytes of the float kernel and nothing is dequantized into memory.
//
// Why float and not int8 x int8: x is a float activation, and the hybrid op promises float
// numbers (within the float generator's tolerance); quantizing x on the fly would be the
// integer mode, not this one. So each weight is widened int8 -> int16 -> int32 -> float32
// (vmovl_s8, vmovl_s16, vcvtq_f32_s32) and multiply-added in float (vfmaq / vmlaq). The sum is
// scaled once per row at the end, which is exact algebra (the interpreter scales each weight
// first; the two differ by float rounding only).
//
// q is packed at compile time as [ceil(N/nb)][K][nb] (nb rows per block, k-major, zero padded),
// so a block is one contiguous run read once per row tile, and every k loads nb consecutive
// bytes that widen into nb/4 float vectors. A tile of mr rows of x shares each widened weight
// vector: the input projection of all time steps (M = T x batch) uses mr > 1 to spread the
// widening over several rows; the recurrent product (one row per step) uses mr = 1 with more
// rows per block, so enough independent accumulators hide the multiply-add latency.
//
// The widening is the price: per 16 weights of the recurrence aarch64 runs one load, 6 sxtl,
// 4 scvtf and 4 fmla where float runs 4 loads and 4 fmla. The hybrid product wins where the
// float weights do not stay in cache (docs/codegen.md, Hybrid recurrent layers, has figures).
import type { KernelContext } from "../kernel.js";
import type { Target } from "../../ir/target.js";
import { fmaN } from "./common.js";
import { useMadd } from "./gemm.js";

/** A product shape: nb weight rows per packed block, mr rows of x per tile. */
export interface HybridTile {
  readonly nb: number;
  readonly mr: number;
}

/**
 * Tiles per target. aarch64 has 32 vector registers: the projection keeps 4 x 16 outputs in 16
 * accumulators, the recurrence 32 outputs in 8. armv7 has 16: 4 x 8 (8 accumulators) and 16
 * (4 accumulators, leaving room for the widening temporaries). Scalar C is written so that the
 * compiler vectorizes the nb loop; its sizes come from timing lstm_encoder's second layer on x86
 * with gcc -O2 (K = 256, 1024 gate rows, 291 rows of x): 4 x 16 does the projection in 5.5 ms
 * against 9.4 ms one row at a time, and the recurrence takes 9.1-9.7 ms for blocks of 16 to 64
 * rows (bound by the widening, not by the block).
 */
export function hybridTiles(t: Target): { readonly projection: HybridTile; readonly recurrence: HybridTile } {
  if (t.arch === "aarch64") return { projection: { nb: 16, mr: 4 }, recurrence: { nb: 32, mr: 1 } };
  if (t.arch === "armv7") return { projection: { nb: 8, mr: 4 }, recurrence: { nb: 16, mr: 1 } };
  return { projection: { nb: 16, mr: 4 }, recurrence: { nb: 32, mr: 1 } };
}

/** Rows after padding to whole blocks. */
export function paddedRows(n: number, tile: HybridTile): number {
  return Math.ceil(n / tile.nb) * tile.nb;
}

/** The C helper's name for a tile. */
function helperName(tile: HybridTile): string {
  return `neonc_hgemm_i8f32_${tile.nb}x${tile.mr}`;
}

/** Scalar tile of `rows` rows of x: nb sums per row in local arrays the compiler vectorizes. */
function scalarTile(rows: number, nb: number): string {
  const r = Array.from({ length: rows }, (_, i) => i);
  return `{
      float ${r.map((i) => `c${i}[${nb}]`).join(", ")};
      const float *restrict x0 = x + (size_t)m0 * ldx;${r.slice(1).map((i) => `\n      const float *restrict x${i} = x${i - 1} + ldx;`).join("")}
      for (j = 0; j < ${nb}; j++) { ${r.map((i) => `c${i}[j] = 0.0f;`).join(" ")} }
      for (k = 0; k < K; k++) {
        const int8_t *restrict qk = qb + (size_t)k * ${nb};
        ${r.map((i) => `const float x${i}k = x${i}[k];`).join(" ")}
        for (j = 0; j < ${nb}; j++) {
          const float w = (float)qk[j];
          ${r.map((i) => `c${i}[j] = NEONC_MADD(c${i}[j], w, x${i}k);`).join(" ")}
        }
      }
${r.map((i) => `      {
        float *restrict yi = y + (size_t)(m0 + ${i}) * ldy + n0;
        if (bb) for (j = 0; j < ${nb}; j++) yi[j] = c${i}[j] * sb[j] + bb[j];
        else for (j = 0; j < ${nb}; j++) yi[j] = c${i}[j] * sb[j];
      }`).join("\n")}
    }`;
}

/**
 * The widening of four int16 lanes to float. On wasm32 it is written with the exponent trick:
 * clang 14 folds vcvtq_f32_s32(vmovl_s16(..)) into one int16-to-float conversion, which its
 * WebAssembly backend lowers lane by lane (8 extract/convert/replace per vector): lstm_encoder
 * --int8 ran 118 ms that way, 43 ms with this (docs/measurements/2026-12-07-wasm32.md). The
 * trick is exact for |v| < 2^22: the bits of 1.5 * 2^23 plus v, read as a float, are
 * 1.5 * 2^23 + v (the float's unit there is 1), and subtracting 1.5 * 2^23 leaves v.
 */
function useS16ToF32(ctx: KernelContext): void {
  ctx.helper("neonc_s16_f32x4", `
#if defined(__wasm_simd128__)
#define NEONC_S16_F32X4_(v) wasm_f32x4_sub(wasm_i32x4_add((v), wasm_i32x4_splat(0x4B400000)), wasm_f32x4_splat(12582912.0f))
#define neonc_s16lo_f32x4(h) NEONC_S16_F32X4_(wasm_i32x4_extend_low_i16x8(h))
#define neonc_s16hi_f32x4(h) NEONC_S16_F32X4_(wasm_i32x4_extend_high_i16x8(h))
#else
#define neonc_s16lo_f32x4(h) vcvtq_f32_s32(vmovl_s16(vget_low_s16(h)))
#define neonc_s16hi_f32x4(h) vcvtq_f32_s32(vmovl_s16(vget_high_s16(h)))
#endif`);
}

/** NEON tile: nb/4 float32x4 accumulators per row; each k widens nb int8 weights once. */
function neonTile(ctx: KernelContext, rows: number, nb: number): string {
  const r = Array.from({ length: rows }, (_, i) => i);
  const v = Array.from({ length: nb / 4 }, (_, i) => i);
  const h = Array.from({ length: nb / 8 }, (_, i) => i);
  // 16 weights per load where the block allows (vmovl_s8 of the high half is one SXTL2 on
  // aarch64 and a free d-register view on armv7), 8 for an odd last half.
  const pairs = Math.floor(h.length / 2);
  const load = Array.from({ length: pairs }, (_, p) => `b${p} = vld1q_s8(qk + ${16 * p})`);
  const widen = (i: number) => (i < 2 * pairs
    ? `h${i} = vmovl_s8(${i % 2 === 0 ? "vget_low_s8" : "vget_high_s8"}(b${i >> 1}))`
    : `h${i} = vmovl_s8(vld1_s8(qk + ${8 * i}))`);
  const acc = (i: number, j: number) => `a${i}_${j}`;
  return `{
      float32x4_t ${r.flatMap((i) => v.map((j) => `${acc(i, j)} = vdupq_n_f32(0.0f)`)).join(", ")};
      const float *x0 = x + (size_t)m0 * ldx;${r.slice(1).map((i) => `\n      const float *x${i} = x${i - 1} + ldx;`).join("")}
      for (k = 0; k < K; k++) {
        const int8_t *qk = qb + (size_t)k * ${nb};
${load.length > 0 ? `        const int8x16_t ${load.join(", ")};\n` : ""}        const int16x8_t ${h.map(widen).join(", ")};
        const float32x4_t ${h.map((i) => `w${2 * i} = neonc_s16lo_f32x4(h${i}), w${2 * i + 1} = neonc_s16hi_f32x4(h${i})`).join(", ")};
        ${r.map((i) => `const float x${i}k = x${i}[k];`).join(" ")}
${r.map((i) => `        ${v.map((j) => `${acc(i, j)} = ${fmaN(ctx, acc(i, j), `w${j}`, `x${i}k`)};`).join(" ")}`).join("\n")}
      }
${r.map((i) => `      {
        float *yi = y + (size_t)(m0 + ${i}) * ldy + n0;
${v.map((j) => `        const float32x4_t s${j} = vmulq_f32(${acc(i, j)}, vld1q_f32(sb + ${4 * j}));`).join("\n")}
        if (bb) { ${v.map((j) => `vst1q_f32(yi + ${4 * j}, vaddq_f32(s${j}, vld1q_f32(bb + ${4 * j})));`).join(" ")} }
        else { ${v.map((j) => `vst1q_f32(yi + ${4 * j}, s${j});`).join(" ")} }
      }`).join("\n")}
    }`;
}

/**
 * Adds the product helper for a tile and returns its name. Signature:
 * `name(M, K, N, x, ldx, q, s, bias, y, ldy)`: x is M rows of K floats (row stride ldx), q the
 * packed int8 rows, s and bias (NULL for none) N floats, y M rows of N floats (row stride
 * ldy); N is a multiple of the tile's nb.
 */
export function useHybridProduct(ctx: KernelContext, tile: HybridTile): string {
  const { nb, mr } = tile;
  const neon = ctx.target.neon;
  if (nb <= 0 || mr <= 0 || (neon && nb % 8 !== 0)) throw new Error(`the hybrid product tile ${nb}x${mr} is not valid (nb must be a multiple of 8 on NEON)`);
  if (!neon) useMadd(ctx);
  else useS16ToF32(ctx);
  const name = helperName(tile);
  const tileCode = (rows: number) => (neon ? neonTile(ctx, rows, nb) : scalarTile(rows, nb));
  const restrict = neon ? "" : "restrict ";
  ctx.helper(name, `
/* y[m][n] = s[n] * sum_k q[n][k] * x[m][k] (+ bias[n]); q int8, packed [N/${nb}][K][${nb}]. */
static void ${name}(int M, int K, int N, const float *${restrict}x, int ldx, const int8_t *${restrict}q, const float *${restrict}s,
                    const float *${restrict}bias, float *${restrict}y, int ldy) {
  int m0, n0, k${neon ? "" : ", j"};
  for (n0 = 0; n0 < N; n0 += ${nb}) {
    const int8_t *qb = q + (size_t)n0 * K;
    const float *sb = s + n0, *bb = bias ? bias + n0 : 0;
    m0 = 0;${mr > 1 ? `
    for (; m0 + ${mr} <= M; m0 += ${mr}) ${tileCode(mr)}` : ""}
    for (; m0 < M; m0++) ${tileCode(1)}
  }
}`);
  return name;
}

/**
 * Packs rows [row0, row0 + n) of a row-major [*, K] int8 matrix for a tile: [ceil(n/nb)][K][nb],
 * zero padded.
 */
export function packHybridRows(q: Int8Array, n: number, K: number, tile: HybridTile, row0 = 0): Int8Array {
  const { nb } = tile;
  const out = new Int8Array(paddedRows(n, tile) * K);
  for (let r = 0; r < n; r++) {
    const base = Math.floor(r / nb) * nb * K + (r % nb);
    const src = (row0 + r) * K;
    for (let k = 0; k < K; k++) out[base + k * nb] = q[src + k]!;
  }
  return out;
}

/** n values starting at `from` of a list, zero padded to whole blocks (scales and biases). */
export function padRows(values: ArrayLike<number>, n: number, tile: HybridTile, from = 0): Float32Array {
  const out = new Float32Array(paddedRows(n, tile));
  for (let r = 0; r < n; r++) out[r] = values[from + r]!;
  return out;
}

/** Packed int8 rows in weights.c with their scales and bias, as C expressions. */
export interface HybridRows {
  readonly q: string;
  readonly s: string;
  /** `0` when there is no bias. */
  readonly bias: string;
  /** Rows after padding (N of the product, and the row stride of its output). */
  readonly n: number;
}

/**
 * Adds rows [row0, row0 + n) of an int8 matrix (row-major [*, K]) to weights.c, packed for
 * `tile`, with their scales (`scales[row0 + r]`) and an optional bias (n values, bias[r]).
 */
export function addHybridRows(
  ctx: KernelContext, hint: string, q: Int8Array, scales: ArrayLike<number>, n: number, K: number, tile: HybridTile,
  row0 = 0, bias?: ArrayLike<number>,
): HybridRows {
  return {
    q: ctx.addWeights(`${hint}_i8x${tile.nb}`, packHybridRows(q, n, K, tile, row0)),
    s: ctx.addWeights(`${hint}_scales`, padRows(scales, n, tile, row0)),
    bias: bias ? ctx.addWeights(`${hint}_bias`, padRows(bias, n, tile)) : "0",
    n: paddedRows(n, tile),
  };
}

/** C call of the product: M rows of x (stride ldx) times the rows, into y (stride rows.n). */
export function hybridProduct(ctx: KernelContext, tile: HybridTile, rows: HybridRows, M: string, K: number, x: string, ldx: string, y: string): string {
  return `${useHybridProduct(ctx, tile)}(${M}, ${K}, ${rows.n}, ${x}, ${ldx}, ${rows.q}, ${rows.s}, ${rows.bias}, ${y}, ${rows.n});`;
}
