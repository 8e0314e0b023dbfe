// The int8 GEMM of the integer kernels: acc[m*ldm + n*ldn] = bias[m] + sum_k w[m][k] x[n][k],
// with both operands k-contiguous (weights packed at compile time, M padded to a multiple of 4
// with zero rows; activations as im2col patches, transposed pointwise inputs or MatMul rows).
// Scalar C on c99; NEON: 4 weight rows against one activation row, 16 bytes per step, with
// vmull_s8 + vmlal_s8 + vpadalq_s16 (the pair of products fits int16 when no weight is -128;
// otherwise each product is widened alone), or vdotq_s32 on +dotprod. Exact int32 arithmetic.
import type { KernelContext } from "../kernel.js";

/** Packs w[M][K] (row-major int8) with M rounded up to a multiple of 4 by zero rows. */
export function packRowsInt8(w: Int8Array, M: number, K: number): Int8Array {
  const Mp = Math.ceil(M / 4) * 4;
  const out = new Int8Array(Mp * K);
  out.set(w.subarray(0, M * K));
  return out;
}

/** Adds the GEMM helper and returns its name; `pairSafe`: no weight is -128. */
export function useQGemm(ctx: KernelContext, pairSafe: boolean): string {
  const t = ctx.target;
  const kind = !t.neon ? "scalar" : t.dotprod ? "dot" : pairSafe ? "pair" : "single";
  const name = `neonc_qgemm_s8_${kind}`;
  const sig = `static void ${name}(int M, int N, int K, const int8_t *w, const int8_t *x, int ldx, const int32_t *bias, int32_t *acc, int ldm, int ldn)`;
  if (kind === "scalar") {
    ctx.helper(name, `${sig} {
  int m, n, k;
  for (m = 0; m < M; m++) {
    const int8_t *wr = w + (size_t)m * K;
    for (n = 0; n < N; n++) {
      const int8_t *xr = x + (size_t)n * ldx;
      int32_t s = bias[m];
      for (k = 0; k < K; k++) s += (int32_t)wr[k] * xr[k];
      acc[(size_t)m * ldm + (size_t)n * ldn] = s;
    }
  }
}`);
    return name;
  }
  const hsum = t.arch === "aarch64"
    ? `vpaddq_s32(vpaddq_s32(a0, a1), vpaddq_s32(a2, a3))`
    : `vcombine_s32(vpadd_s32(vpadd_s32(vget_low_s32(a0), vget_high_s32(a0)), vpadd_s32(vget_low_s32(a1), vget_high_s32(a1))), vpadd_s32(vpadd_s32(vget_low_s32(a2), vget_high_s32(a2)), vpadd_s32(vget_low_s32(a3), vget_high_s32(a3))))`;
  const step16 = (r: number) => {
    if (kind === "dot") return `a${r} = vdotq_s32(a${r}, vld1q_s8(w${r} + k), xv);`;
    const wv = `vld1q_s8(w${r} + k)`;
    if (kind === "pair") return `{ int8x16_t wv = ${wv}; a${r} = vpadalq_s16(a${r}, vmlal_s8(vmull_s8(vget_low_s8(wv), vget_low_s8(xv)), vget_high_s8(wv), vget_high_s8(xv))); }`;
    return `{ int8x16_t wv = ${wv}; a${r} = vpadalq_s16(vpadalq_s16(a${r}, vmull_s8(vget_low_s8(wv), vget_low_s8(xv))), vmull_s8(vget_high_s8(wv), vget_high_s8(xv))); }`;
  };
  ctx.helper(name, `${sig} {
  int m, n, k, i;
  for (m = 0; m < M; m += 4) {
    const int8_t *w0 = w + (size_t)m * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
    for (n = 0; n < N; n++) {
      const int8_t *xr = x + (size_t)n * ldx;
      int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
      int32_t s[4];
      for (k = 0; k + 16 <= K; k += 16) {
        int8x16_t xv = vld1q_s8(xr + k);
        ${[0, 1, 2, 3].map(step16).join("\n        ")}
      }
      for (; k + 8 <= K; k += 8) {
        int8x8_t xh = vld1_s8(xr + k);
        a0 = vpadalq_s16(a0, vmull_s8(vld1_s8(w0 + k), xh));
        a1 = vpadalq_s16(a1, vmull_s8(vld1_s8(w1 + k), xh));
        a2 = vpadalq_s16(a2, vmull_s8(vld1_s8(w2 + k), xh));
        a3 = vpadalq_s16(a3, vmull_s8(vld1_s8(w3 + k), xh));
      }
      vst1q_s32(s, ${hsum});
      for (; k < K; k++) {
        s[0] += (int32_t)w0[k] * xr[k];
        s[1] += (int32_t)w1[k] * xr[k];
        s[2] += (int32_t)w2[k] * xr[k];
        s[3] += (int32_t)w3[k] * xr[k];
      }
      for (i = 0; i < 4 && m + i < M; i++) acc[(size_t)(m + i) * ldm + (size_t)n * ldn] = s[i] + bias[m + i];
    }
  }
}`);
  return name;
}
