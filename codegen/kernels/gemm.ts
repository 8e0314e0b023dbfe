// The float GEMM of the convolutions (pointwise, direct 1-D, im2col 2-D), and the c99 register
// block generator (c99Block) that matmul.ts reuses:
//   Y[M, N] = act(Wp * X[K, N] + bias)
// with W packed at compile time in blocks of R rows, k-major ([ceil(M/R)][K][R], zero padded;
// R = gemmRowBlock(target)), so the micro-kernel reads one run of R weights per k. X is row
// major with leading dimension ldx (`neonc_gemm_f32`) or given by one offset per row
// (`neonc_gemm_rows_f32`: row k starts at x + xoff[k], which lets a 1-D convolution read its
// taps straight from a padded copy of the input instead of an im2col matrix).
//
// c99 (written for auto-vectorization): R = 8. Register blocks of 8 or 16 rows x 16 / 8 / 1
// columns, one named accumulator array per row and the columns innermost, which is the form
// gcc 12 turns into vector FMAs with every sum in a register (an array indexed [row][col]
// sometimes gets vectorized across rows instead, with shuffles; measured). Column panels are
// the outer loop and row blocks the inner one, so a panel of X stays in L1 while W streams.
// On AVX-512 hosts gcc keeps to 256-bit vectors unless told otherwise: NEONC_WIDE asks for
// 512-bit ones on these functions (a hint only: other compilers and targets see nothing), with
// 16 x 16 blocks (16 zmm sums); elsewhere 8 x 8 blocks fit 16 vector registers. The last
// partial column panel overlaps the previous one (see c99GemmBody), so no column is done alone
// unless N < 8.
//
// NEON: R = 4. The micro-kernel holds an 8 x 8 block of Y in sixteen registers on aarch64
// (4 x 8 on armv7), then single columns.
import type { KernelContext } from "../kernel.js";
import type { Target } from "../../ir/target.js";
import { fmaN, useScalarAct, useSelect, useVectorAct } from "./common.js";

/** Rows per packed weight block of the GEMM on a target. */
export function gemmRowBlock(target: Target): 4 | 8 {
  return target.neon ? 4 : 8;
}

/** Packs rows [row0, row0+M) of a row-major [*, K] matrix into R-row k-major blocks. */
export function packRows(w: Float32Array, M: number, K: number, R: number, row0 = 0): Float32Array {
  const blocks = Math.ceil(M / R);
  const out = new Float32Array(blocks * K * R);
  for (let m = 0; m < M; m++) {
    const b = Math.floor(m / R), r = m % R;
    const src = (row0 + m) * K;
    const dst = b * K * R + r;
    for (let k = 0; k < K; k++) out[dst + k * R] = w[src + k]!;
  }
  return out;
}

/** Bias padded to a multiple of R (zeros when there is none). */
export function padBias(b: Float32Array | undefined, M: number, R: number, row0 = 0): Float32Array {
  const out = new Float32Array(Math.ceil(M / R) * R);
  if (b) out.set(b.subarray(row0, row0 + M));
  return out;
}

/**
 * Adds `NEONC_MADD(acc, a, b)` = acc + a*b for the scalar kernels: fused (fmaf, which compilers
 * vectorize) where C99's FP_FAST_FMAF says the target has a fast one, else a plain multiply-add
 * (fmaf in software would be far slower).
 */
export function useMadd(ctx: KernelContext): void {
  ctx.helper("madd_f32", `
#if defined(FP_FAST_FMAF)
#define NEONC_MADD(acc, a, b) fmaf((a), (b), (acc))
#else
#define NEONC_MADD(acc, a, b) ((acc) + (a) * (b))
#endif`);
}

/**
 * Adds NEONC_WIDE (a function attribute asking gcc >= 8 for 512-bit vectors on AVX-512 hosts,
 * empty elsewhere) and NEONC_WIDE_BLOCKS (1 where it applies), for the c99 kernels. The functions are
 * also kept out of line: inlined into the run function, gcc would compile them with its default
 * 256-bit preference (measured: the LSTM's recurrent product ran at half speed).
 */
export function useWide(ctx: KernelContext): void {
  ctx.helper("wide", `
#if defined(__GNUC__) && __GNUC__ >= 8 && !defined(__clang__) && defined(__AVX512F__)
#define NEONC_WIDE __attribute__((target("prefer-vector-width=512"), noinline))
#define NEONC_WIDE_BLOCKS 1
#else
#define NEONC_WIDE
#define NEONC_WIDE_BLOCKS 0
#endif`);
}

/**
 * The branch-free form of the fused activation for vectorized epilogues:
 * `neonc_act_range(act, p0, p1, &neg, &lo, &hi)` once, then `neonc_act_apply(v, neg, lo, hi)`
 * = clamp(v < 0 ? v * neg : v, lo, hi), equal to neonc_act_f32 bit for bit for every act code
 * (NaN stays NaN, -0 stays -0). The three choices go through neonc_select_f32 (common.ts), a
 * mask on the bits: a float `?:` stays a branch in gcc without -ffinite-math-only, and at -O3
 * gcc unrolls a register block's 8- or 16-column store loops completely before the loop
 * vectorizer (which would if-convert them) runs, so the whole epilogue ran in scalar code, lane
 * by lane (docs/measurements/2026-12-07-float-c-standard-flags.md). Needs selectSource() before it.
 */
export function actRangeSource(): string {
  return `
static void neonc_act_range(int act, float p0, float p1, float *neg, float *lo, float *hi) {
  *neg = act == 3 ? p0 : 1.0f;
  *lo = act == 1 ? 0.0f : (act == 2 ? p0 : -HUGE_VALF);
  *hi = act == 2 ? p1 : HUGE_VALF;
}

static inline float neonc_act_apply(float v, float neg, float lo, float hi) {
  const float t = neonc_select_f32(v < 0.0f, v * neg, v);
  const float u = neonc_select_f32(t < lo, lo, t);
  return neonc_select_f32(u > hi, hi, u);
}`;
}

/** Adds neonc_select_f32, neonc_act_range and neonc_act_apply (actRangeSource) to the model once. */
export function useActRange(ctx: KernelContext): void {
  useSelect(ctx);
  ctx.helper("act_range_f32", actRangeSource());
}

/**
 * Pulls in what a float kernel with a fused activation needs on this target (the vector or
 * scalar activation helpers, NEONC_MADD) and returns its multiply-add emitter.
 */
export function useFloatKernelHelpers(ctx: KernelContext): (acc: string, v: string, scale: string) => string {
  if (ctx.target.neon) useVectorAct(ctx);
  else {
    useScalarAct(ctx);
    useMadd(ctx);
  }
  return (acc, v, scale) => fmaN(ctx, acc, v, scale);
}

/** One register block of the c99 micro-kernels: `rows` x `nb` sums, columns innermost. */
export interface C99Block {
  readonly rows: number;
  readonly nb: number;
  /** Statements before the k loop (row pointers, ...). */
  readonly setup: readonly string[];
  /** Initial value of the sum of row r at column j (C expression; may use j). */
  init(r: number): string;
  /** Statements at the top of step k (pointers), then the multiplier of row r at step k. */
  readonly step: readonly string[];
  mult(r: number): string;
  /** Pointer to the vector operand's run of nb values at step k. */
  readonly vec: string;
  /** Pointer to row r of the output block; rows >= `rowsVar` are not stored. */
  out(r: number): string;
  readonly rowsVar: string;
  /** Columns to store when fewer than nb (C expression), or undefined when always nb. */
  readonly colsVar?: string;
}

/** C statements of one c99 register block (see C99Block), epilogue through neonc_act_apply. */
export function c99Block(b: C99Block): string {
  const rows = Array.from({ length: b.rows }, (_, r) => r);
  const store = (r: number, n: string) => `for (j = 0; j < ${n}; j++) ${b.out(r)}[j] = neonc_act_apply(c${r}[j], neg, lo, hi);`;
  const stores = rows.map((r) => {
    const body = b.colsVar ? `if (${b.colsVar} == ${b.nb}) ${store(r, String(b.nb))} else ${store(r, b.colsVar)}` : store(r, String(b.nb));
    return r === 0 ? `  ${body}` : `  if (${b.rowsVar} > ${r}) { ${body} }`;
  });
  return [
    `{`,
    ...b.setup.map((s) => `  ${s}`),
    `  float ${rows.map((r) => `c${r}[${b.nb}]`).join(", ")};`,
    `  for (j = 0; j < ${b.nb}; j++) { ${rows.map((r) => `c${r}[j] = ${b.init(r)};`).join(" ")} }`,
    `  for (k = 0; k < K; k++) {`,
    `    const float *restrict xr = ${b.vec};`,
    ...b.step.map((s) => `    ${s}`),
    `    const float ${rows.map((r) => `w${r} = ${b.mult(r)}`).join(", ")};`,
    `    for (j = 0; j < ${b.nb}; j++) { const float xv = xr[j]; ${rows.map((r) => `c${r}[j] = NEONC_MADD(c${r}[j], w${r}, xv);`).join(" ")} }`,
    `  }`,
    ...stores,
    `}`,
  ].join("\n");
}

/** The c99 GEMM block over packed weights: rows 0-7 from block w, rows 8-15 from the next one. */
function packedBlock(rows: 8 | 16, nb: number, vec: string): string {
  return c99Block({
    rows, nb,
    setup: [
      `const float *restrict w = wp + (size_t)m0 * K;`,
      `const int rows = M - m0 < ${rows} ? M - m0 : ${rows};`,
      `float bv[${rows}];`,
      `int r;`,
      `for (r = 0; r < ${rows}; r++) bv[r] = bias ? bias[m0 + r] : 0.0f;`,
    ],
    init: (r) => `bv[${r}]`,
    step: rows === 16 ? [`const float *restrict wk = w + 8 * (size_t)k, *restrict wk2 = wk + 8 * (size_t)K;`] : [`const float *restrict wk = w + 8 * (size_t)k;`],
    mult: (r) => (r < 8 ? `wk[${r}]` : `wk2[${r - 8}]`),
    vec,
    out: (r) => `(y + (size_t)(m0 + ${r}) * ldy + n0)`,
    rowsVar: "rows",
  });
}

/**
 * Body of the c99 GEMM: column panels outside, row blocks inside. `vec` points at X row k, column
 * n0. The last partial panel is an 8-column block ending at column N, overlapping columns
 * already done: it recomputes them with the same operations in the same order, so it stores the
 * same values again (single columns only when N < 8).
 */
function c99GemmBody(vec: string): string {
  const rowsLoop = (nb: number, wide: boolean) =>
    wide
      ? [`for (m0 = 0; m0 + 8 < M; m0 += 16)`, packedBlock(16, nb, vec), `if (m0 < M)`, packedBlock(8, nb, vec)].join("\n")
      : [`for (m0 = 0; m0 < M; m0 += 8)`, packedBlock(8, nb, vec)].join("\n");
  return `
  int m0, n0 = 0, k, j;
  float neg, lo, hi;
  neonc_act_range(act, p0, p1, &neg, &lo, &hi);
#if NEONC_WIDE_BLOCKS
  for (; n0 + 16 <= N; n0 += 16) {
${rowsLoop(16, true)}
  }
#endif
  while (n0 < N && N >= 8) {
    if (n0 + 8 > N) n0 = N - 8;
#if NEONC_WIDE_BLOCKS
${rowsLoop(8, true)}
#else
${rowsLoop(8, false)}
#endif
    n0 += 8;
  }
  for (; n0 < N; n0++) {
${rowsLoop(1, false)}
  }`;
}

type RowAddressing = "strided" | "offsets";

/** The NEON GEMM with X row k at `xrow(k)`. */
function neonGemm(ctx: KernelContext, name: string, params: string, xrow: (k: string) => string): string {
  useVectorAct(ctx);
  const a64 = ctx.target.arch === "aarch64";
  const fmaNLocal = (acc: string, v: string, sc: string) => (a64 ? `vfmaq_n_f32(${acc}, ${v}, ${sc})` : `vmlaq_n_f32(${acc}, ${v}, ${sc})`);
  const mla = (acc: string, x: string, lane: number, wv = "wv") =>
    a64 ? `${acc} = vfmaq_laneq_f32(${acc}, ${x}, ${wv}, ${lane});` : `${acc} = vmlaq_lane_f32(${acc}, ${x}, ${lane < 2 ? "wl" : "wh"}, ${lane & 1});`;
  // aarch64 has 32 vector registers: an 8 x 8 block (two packed 4-row blocks, 16 accumulators)
  // loads each X vector once for twice the work. armv7 (16 registers) keeps 4 x 8.
  const acc8 = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => [`c${r}0`, `c${r}1`]);
  const store8 = (r: number) => {
    const row = r === 0 ? "yb" : `yb + ${r} * (size_t)ldy`;
    const st = `vst1q_f32(${row} + n0, neonc_act_f32x4(c${r}0, act, p0, p1)); vst1q_f32(${row} + n0 + 4, neonc_act_f32x4(c${r}1, act, p0, p1));`;
    return r < 4 ? `      ${st}` : `      if (rows2 > ${r - 4}) { ${st} }`;
  };
  const rows8 = a64
    ? `
  /* 8 rows (two packed blocks; the first is full) x 8 columns. */
  for (; m0 + 4 < M; m0 += 8) {
    const float *w = wp + (size_t)m0 * K, *w2 = w + 4 * (size_t)K;
    const int rows2 = M - m0 - 4 < 4 ? M - m0 - 4 : 4;
    float *yb = y + (size_t)m0 * ldy;
    float bv[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    if (bias) for (r = 0; r < 8; r++) bv[r] = bias[m0 + r];
    for (n0 = 0; n0 + 8 <= N; n0 += 8) {
      float32x4_t ${acc8.map((a) => `${a} = vdupq_n_f32(bv[${a[1]}])`).join(", ")};
      for (k = 0; k < K; k++) {
        const float *xr = ${xrow("k")} + n0;
        const float32x4_t wv = vld1q_f32(w + 4 * k), wv2 = vld1q_f32(w2 + 4 * k);
        const float32x4_t x0 = vld1q_f32(xr), x1 = vld1q_f32(xr + 4);
${[0, 1, 2, 3, 4, 5, 6, 7].map((r) => `        ${mla(`c${r}0`, "x0", r & 3, r < 4 ? "wv" : "wv2")} ${mla(`c${r}1`, "x1", r & 3, r < 4 ? "wv" : "wv2")}`).join("\n")}
      }
${[0, 1, 2, 3, 4, 5, 6, 7].map(store8).join("\n")}
    }
    for (; n0 < N; n0++) {
      float32x4_t c = vld1q_f32(bv), c2 = vld1q_f32(bv + 4);
      for (k = 0; k < K; k++) {
        const float xv = ${xrow("k")}[n0];
        c = ${fmaNLocal("c", "vld1q_f32(w + 4 * k)", "xv")};
        c2 = ${fmaNLocal("c2", "vld1q_f32(w2 + 4 * k)", "xv")};
      }
      neonc_store_rows(yb, ldy, 4, n0, neonc_act_f32x4(c, act, p0, p1));
      neonc_store_rows(yb + 4 * (size_t)ldy, ldy, rows2, n0, neonc_act_f32x4(c2, act, p0, p1));
    }
  }`
    : "";
  const wsplit = a64 ? "" : "      float32x2_t wl = vget_low_f32(wv), wh = vget_high_f32(wv);\n";
  ctx.helper("gemm_store_rows", `
static void neonc_store_rows(float *y, int ldy, int rows, int n, float32x4_t v) {
  float t[4];
  int r;
  vst1q_f32(t, v);
  for (r = 0; r < rows; r++) y[(size_t)r * ldy + n] = t[r];
}`);
  return `
static void ${name}(int M, int N, int K, const float *wp, ${params},
                           float *y, int ldy, const float *bias, int act, float p0, float p1) {
  int m0 = 0, n0, k, r;${rows8}
  for (; m0 < M; m0 += 4) {
    const float *w = wp + (size_t)m0 * K;
    const int rows = M - m0 < 4 ? M - m0 : 4;
    float *yb = y + (size_t)m0 * ldy;
    float bv[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    if (bias) for (r = 0; r < 4; r++) bv[r] = bias[m0 + r];
    for (n0 = 0; n0 + 8 <= N; n0 += 8) {
      float32x4_t c00 = vdupq_n_f32(bv[0]), c01 = c00, c10 = vdupq_n_f32(bv[1]), c11 = c10;
      float32x4_t c20 = vdupq_n_f32(bv[2]), c21 = c20, c30 = vdupq_n_f32(bv[3]), c31 = c30;
      for (k = 0; k < K; k++) {
        const float *xr = ${xrow("k")} + n0;
        const float32x4_t wv = vld1q_f32(w + 4 * k);
        const float32x4_t x0 = vld1q_f32(xr), x1 = vld1q_f32(xr + 4);
${wsplit}        ${mla("c00", "x0", 0)} ${mla("c01", "x1", 0)}
        ${mla("c10", "x0", 1)} ${mla("c11", "x1", 1)}
        ${mla("c20", "x0", 2)} ${mla("c21", "x1", 2)}
        ${mla("c30", "x0", 3)} ${mla("c31", "x1", 3)}
      }
      vst1q_f32(yb + n0, neonc_act_f32x4(c00, act, p0, p1));
      vst1q_f32(yb + n0 + 4, neonc_act_f32x4(c01, act, p0, p1));
      if (rows > 1) { vst1q_f32(yb + ldy + n0, neonc_act_f32x4(c10, act, p0, p1)); vst1q_f32(yb + ldy + n0 + 4, neonc_act_f32x4(c11, act, p0, p1)); }
      if (rows > 2) { vst1q_f32(yb + 2 * (size_t)ldy + n0, neonc_act_f32x4(c20, act, p0, p1)); vst1q_f32(yb + 2 * (size_t)ldy + n0 + 4, neonc_act_f32x4(c21, act, p0, p1)); }
      if (rows > 3) { vst1q_f32(yb + 3 * (size_t)ldy + n0, neonc_act_f32x4(c30, act, p0, p1)); vst1q_f32(yb + 3 * (size_t)ldy + n0 + 4, neonc_act_f32x4(c31, act, p0, p1)); }
    }
    /* Remaining columns: one column at a time, the 4 rows in one vector. */
    for (; n0 < N; n0++) {
      float32x4_t c = vld1q_f32(bv);
      for (k = 0; k < K; k++) c = ${fmaNLocal("c", "vld1q_f32(w + 4 * k)", `${xrow("k")}[n0]`)};
      neonc_store_rows(yb, ldy, rows, n0, neonc_act_f32x4(c, act, p0, p1));
    }
  }
}`;
}

function addGemm(ctx: KernelContext, how: RowAddressing): void {
  const name = how === "strided" ? "neonc_gemm_f32" : "neonc_gemm_rows_f32";
  const params = how === "strided" ? "const float *x, int ldx" : "const float *x, const int32_t *xoff";
  if (ctx.target.neon) {
    const xrow = how === "strided" ? (k: string) => `(x + (size_t)${k} * ldx)` : (k: string) => `(x + xoff[${k}])`;
    ctx.helper(name, neonGemm(ctx, name, params, xrow));
    return;
  }
  useScalarAct(ctx);
  useMadd(ctx);
  useWide(ctx);
  useActRange(ctx);
  const vec = how === "strided" ? "x + (size_t)k * ldx + n0" : "x + xoff[k] + n0";
  const rparams = how === "strided" ? "const float *restrict x, int ldx" : "const float *restrict x, const int32_t *restrict xoff";
  ctx.helper(name, `
static NEONC_WIDE void ${name}(int M, int N, int K, const float *restrict wp, ${rparams},
                           float *restrict y, int ldy, const float *restrict bias, int act, float p0, float p1) {${c99GemmBody(vec)}
}`);
}

/**
 * Adds `neonc_gemm_f32(M, N, K, wp, x, ldx, y, ldy, bias, act, p0, p1)`: wp packed by
 * packRows with gemmRowBlock(target) rows; bias padded the same way (padBias) or NULL.
 */
export function useGemm(ctx: KernelContext): void {
  addGemm(ctx, "strided");
}

/**
 * Adds `neonc_gemm_rows_f32(M, N, K, wp, x, xoff, y, ldy, bias, act, p0, p1)`: as
 * neonc_gemm_f32, with row k of X at x + xoff[k] (int32_t offsets).
 */
export function useGemmRows(ctx: KernelContext): void {
  addGemm(ctx, "offsets");
}
