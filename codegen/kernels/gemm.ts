// The float GEMM shared by pointwise / im2col convolution, MatMul and the recurrent cells:
//   Y[M, N] = act(Wp * X[K, N] + bias)
// with W packed at compile time in blocks of 4 rows, k-major ([ceil(M/4)][K][4], zero padded),
// so the micro-kernel reads one 4-float vector of weights per k. X and Y are row-major with
// leading dimensions ldx and ldy. The NEON micro-kernel holds an 8 x 8 block of Y in sixteen
// registers on aarch64 (4 x 8 on armv7); the scalar one 4 x 48 / 4 x 8 blocks in local arrays
// written so that -O3 vectorizes them, then 4 x 4 and single columns.
import type { KernelContext } from "../kernel.js";
import { fmaN, useScalarAct, useVectorAct } from "./common.js";

/** Packs rows [row0, row0+M) of a row-major [*, K] matrix into 4-row k-major blocks. */
export function packRows4(w: Float32Array, M: number, K: number, row0 = 0): Float32Array {
  const blocks = Math.ceil(M / 4);
  const out = new Float32Array(blocks * K * 4);
  for (let m = 0; m < M; m++) {
    const b = m >> 2, r = m & 3;
    const src = (row0 + m) * K;
    const dst = b * K * 4 + r;
    for (let k = 0; k < K; k++) out[dst + k * 4] = w[src + k]!;
  }
  return out;
}

/** Bias padded to a multiple of 4 (zeros when there is none). */
export function padBias(b: Float32Array | undefined, M: number, row0 = 0): Float32Array {
  const out = new Float32Array(Math.ceil(M / 4) * 4);
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

/**
 * Adds `neonc_gemm_f32(M, N, K, wp, x, ldx, y, ldy, bias4, act, p0, p1)`; bias4 is padded to
 * a multiple of 4 and may be NULL.
 */
export function useGemm(ctx: KernelContext): void {
  if (ctx.target.neon) {
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
        const float *xr = x + (size_t)k * ldx + n0;
        const float32x4_t wv = vld1q_f32(w + 4 * k), wv2 = vld1q_f32(w2 + 4 * k);
        const float32x4_t x0 = vld1q_f32(xr), x1 = vld1q_f32(xr + 4);
${[0, 1, 2, 3, 4, 5, 6, 7].map((r) => `        ${mla(`c${r}0`, "x0", r & 3, r < 4 ? "wv" : "wv2")} ${mla(`c${r}1`, "x1", r & 3, r < 4 ? "wv" : "wv2")}`).join("\n")}
      }
${[0, 1, 2, 3, 4, 5, 6, 7].map(store8).join("\n")}
    }
    for (; n0 < N; n0++) {
      float32x4_t c = vld1q_f32(bv), c2 = vld1q_f32(bv + 4);
      for (k = 0; k < K; k++) {
        const float xv = x[(size_t)k * ldx + n0];
        c = ${fmaNLocal("c", "vld1q_f32(w + 4 * k)", "xv")};
        c2 = ${fmaNLocal("c2", "vld1q_f32(w2 + 4 * k)", "xv")};
      }
      neonc_store_rows(yb, ldy, 4, n0, neonc_act_f32x4(c, act, p0, p1));
      neonc_store_rows(yb + 4 * (size_t)ldy, ldy, rows2, n0, neonc_act_f32x4(c2, act, p0, p1));
    }
  }`
      : "";
    const wsplit = a64 ? "" : "      float32x2_t wl = vget_low_f32(wv), wh = vget_high_f32(wv);\n";
    ctx.helper("gemm_f32", `
static void neonc_store_rows(float *y, int ldy, int rows, int n, float32x4_t v) {
  float t[4];
  int r;
  vst1q_f32(t, v);
  for (r = 0; r < rows; r++) y[(size_t)r * ldy + n] = t[r];
}

static void neonc_gemm_f32(int M, int N, int K, const float *wp, const float *x, int ldx,
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
        const float *xr = x + (size_t)k * ldx + n0;
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
      for (k = 0; k < K; k++) c = ${fmaNLocal("c", "vld1q_f32(w + 4 * k)", "x[(size_t)k * ldx + n0]")};
      neonc_store_rows(yb, ldy, rows, n0, neonc_act_f32x4(c, act, p0, p1));
    }
  }
}`);
    return;
  }
  useScalarAct(ctx);
  useMadd(ctx);
  ctx.helper("gemm_f32", `
/* One 4 x NB block of Y with the NB columns innermost, so -O3 turns the j loops into vector code
   with c[][] in registers; restrict tells the compiler that Y cannot alias X or W. NB = 48 and 8
   measured best with gcc 12 on AVX2/AVX-512, with and without FMA (NB = 16 vectorizes badly
   there, and 24 spills once fused: avoid them). */
#define NEONC_GEMM_BLOCK(NB) \\
  { \\
    float c[4][NB]; \\
    for (r = 0; r < 4; r++) for (j = 0; j < NB; j++) c[r][j] = bv[r]; \\
    for (k = 0; k < K; k++) { \\
      const float *restrict xr = x + (size_t)k * ldx + n0; \\
      const float *restrict wk = w + 4 * k; \\
      for (r = 0; r < 4; r++) for (j = 0; j < NB; j++) c[r][j] = NEONC_MADD(c[r][j], wk[r], xr[j]); \\
    } \\
    for (r = 0; r < rows; r++) for (j = 0; j < NB; j++) y[(size_t)(m0 + r) * ldy + n0 + j] = neonc_act_f32(c[r][j], act, p0, p1); \\
  }

static void neonc_gemm_f32(int M, int N, int K, const float *restrict wp, const float *restrict x, int ldx,
                           float *restrict y, int ldy, const float *restrict bias, int act, float p0, float p1) {
  int m0, n0, k, r, j;
  for (m0 = 0; m0 < M; m0 += 4) {
    const float *restrict w = wp + (size_t)m0 * K;
    const int rows = M - m0 < 4 ? M - m0 : 4;
    float bv[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    if (bias) for (r = 0; r < 4; r++) bv[r] = bias[m0 + r];
    for (n0 = 0; n0 + 48 <= N; n0 += 48) NEONC_GEMM_BLOCK(48)
    for (; n0 + 8 <= N; n0 += 8) NEONC_GEMM_BLOCK(8)
    for (; n0 < N; n0 += 4) {
      const int cols = N - n0 < 4 ? N - n0 : 4;
      float c[4][4];
      for (r = 0; r < 4; r++) for (j = 0; j < 4; j++) c[r][j] = bv[r];
      if (cols == 4) {
        for (k = 0; k < K; k++) {
          const float *xr = x + (size_t)k * ldx + n0;
          const float *wk = w + 4 * k;
          const float x0 = xr[0], x1 = xr[1], x2 = xr[2], x3 = xr[3];
          for (r = 0; r < 4; r++) {
            const float wr = wk[r];
            c[r][0] += wr * x0; c[r][1] += wr * x1; c[r][2] += wr * x2; c[r][3] += wr * x3;
          }
        }
      } else if (cols == 1) {
        /* Matrix-vector products (recurrent cells) land here: keep the 4 sums in locals. */
        float s0 = c[0][0], s1 = c[1][0], s2 = c[2][0], s3 = c[3][0];
        for (k = 0; k < K; k++) {
          const float xv = x[(size_t)k * ldx + n0];
          const float *wk = w + 4 * k;
          s0 += wk[0] * xv; s1 += wk[1] * xv; s2 += wk[2] * xv; s3 += wk[3] * xv;
        }
        c[0][0] = s0; c[1][0] = s1; c[2][0] = s2; c[3][0] = s3;
      } else {
        for (k = 0; k < K; k++) {
          const float *xr = x + (size_t)k * ldx + n0;
          for (r = 0; r < 4; r++) for (j = 0; j < cols; j++) c[r][j] += w[4 * k + r] * xr[j];
        }
      }
      for (r = 0; r < rows; r++) for (j = 0; j < cols; j++) y[(size_t)(m0 + r) * ldy + n0 + j] = neonc_act_f32(c[r][j], act, p0, p1);
    }
  }
}
#undef NEONC_GEMM_BLOCK`);
}
