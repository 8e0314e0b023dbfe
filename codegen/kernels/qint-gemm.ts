// The int8 GEMM of the integer kernels: acc[m*ldm + n*ldn] = bias[m] + sum_k w[m][k] x[n][k],
// with both operands k-contiguous (weights packed at compile time, M padded to a multiple of 4
// with zero rows; activations as im2col patches, transposed pointwise inputs or MatMul rows).
// NEON blocks are 4 weight rows x 2 activation rows (each weight load serves both).
// Scalar C on c99, written for auto-vectorization: int16 activations (the caller's patches are
// int16 there) and each block of 4 weight rows widened to int16 in scratch, so the k-contiguous
// int16 x int16 -> int32 sums become pmaddwd-style dot products; NEON: 4 weight rows against one activation row, 16 bytes per step, with
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

/** A GEMM helper: the C type of its activations and a call builder (scalar calls get a weight-row buffer). */
export interface QGemm {
  /** C type of x (int16_t on c99, int8_t on NEON). */
  readonly xType: "int16_t" | "int8_t";
  /** The C call: args M, N, K, w, x, ldx, bias, acc, ldm, ldn as C expressions. */
  call(M: string | number, N: string, K: number, w: string, x: string, ldx: string | number, bias: string, acc: string, ldm: string | number, ldn: string | number): string;
}

/** Adds the GEMM helper; `pairSafe`: no weight is -128. */
export function useQGemm(ctx: KernelContext, pairSafe: boolean): QGemm {
  const t = ctx.target;
  const kind = !t.neon ? "scalar" : t.dotprod ? "dot" : pairSafe ? "pair" : "single";
  const name = `neonc_qgemm_s8_${kind}`;
  if (kind === "scalar") {
    // 4 rows x 2 columns (then 1); the int16 row copies let the compiler use 16-bit multiply-add pairs.
    ctx.helper(name, `static void ${name}(int M, int N, int K, const int8_t *w, const int16_t *x, int ldx, const int32_t *bias, int32_t *acc, int ldm, int ldn, int16_t *wb) {
  int m, n, k, i;
  int16_t *w0 = wb, *w1 = wb + K, *w2 = wb + 2 * K, *w3 = wb + 3 * K;
  for (m = 0; m < M; m += 4) {
    const int32_t b0 = bias[m], b1 = m + 1 < M ? bias[m + 1] : 0, b2 = m + 2 < M ? bias[m + 2] : 0, b3 = m + 3 < M ? bias[m + 3] : 0;
    for (k = 0; k < 4 * K; k++) wb[k] = w[(size_t)m * K + k];
    for (n = 0; n + 2 <= N; n += 2) {
      const int16_t *xr = x + (size_t)n * ldx, *xq = xr + ldx;
      int32_t s[8];
      int32_t s0 = b0, s1 = b1, s2 = b2, s3 = b3, t0 = b0, t1 = b1, t2 = b2, t3 = b3;
      for (k = 0; k < K; k++) {
        int32_t xv = xr[k], xu = xq[k];
        s0 += w0[k] * xv; t0 += w0[k] * xu;
        s1 += w1[k] * xv; t1 += w1[k] * xu;
        s2 += w2[k] * xv; t2 += w2[k] * xu;
        s3 += w3[k] * xv; t3 += w3[k] * xu;
      }
      s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3; s[4] = t0; s[5] = t1; s[6] = t2; s[7] = t3;
      for (i = 0; i < 4 && m + i < M; i++) {
        acc[(size_t)(m + i) * ldm + (size_t)n * ldn] = s[i];
        acc[(size_t)(m + i) * ldm + (size_t)(n + 1) * ldn] = s[4 + i];
      }
    }
    for (; n < N; n++) {
      const int16_t *xr = x + (size_t)n * ldx;
      int32_t s[4];
      int32_t s0 = b0, s1 = b1, s2 = b2, s3 = b3;
      for (k = 0; k < K; k++) {
        int32_t xv = xr[k];
        s0 += w0[k] * xv;
        s1 += w1[k] * xv;
        s2 += w2[k] * xv;
        s3 += w3[k] * xv;
      }
      s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
      for (i = 0; i < 4 && m + i < M; i++) acc[(size_t)(m + i) * ldm + (size_t)n * ldn] = s[i];
    }
  }
}`);
    return {
      xType: "int16_t",
      call: (M, N, K, w, x, ldx, bias, acc, ldm, ldn) =>
        `${name}(${M}, ${N}, ${K}, ${w}, ${x}, ${ldx}, ${bias}, ${acc}, ${ldm}, ${ldn}, ${ctx.scratch(4 * K, "int16_t")});`,
    };
  }
  const sig = `static void ${name}(int M, int N, int K, const int8_t *w, const int8_t *x, int ldx, const int32_t *bias, int32_t *acc, int ldm, int ldn)`;
  // Accumulators: a0..a3 for column 0, b0..b3 for column 1; x rows xr / xq, vectors xv / xu.
  const acc = ["a", "b"], xrow = ["xr", "xq"], xvec = ["xv", "xu"], xhalf = ["xh", "xg"];
  const hsum = (a: string) => t.arch === "aarch64"
    ? `vpaddq_s32(vpaddq_s32(${a}0, ${a}1), vpaddq_s32(${a}2, ${a}3))`
    : `vcombine_s32(vpadd_s32(vpadd_s32(vget_low_s32(${a}0), vget_high_s32(${a}0)), vpadd_s32(vget_low_s32(${a}1), vget_high_s32(${a}1))), vpadd_s32(vpadd_s32(vget_low_s32(${a}2), vget_high_s32(${a}2)), vpadd_s32(vget_low_s32(${a}3), vget_high_s32(${a}3))))`;
  const step16 = (r: number, cols: number) => {
    const per = (c: number) => {
      const a = `${acc[c]}${r}`, xv = xvec[c]!;
      if (kind === "dot") return `${a} = vdotq_s32(${a}, wv, ${xv});`;
      if (kind === "pair") return `${a} = vpadalq_s16(${a}, vmlal_s8(vmull_s8(wl, vget_low_s8(${xv})), wh, vget_high_s8(${xv})));`;
      return `${a} = vpadalq_s16(vpadalq_s16(${a}, vmull_s8(wl, vget_low_s8(${xv}))), vmull_s8(wh, vget_high_s8(${xv})));`;
    };
    const halves = kind === "dot" ? "" : ` int8x8_t wl = vget_low_s8(wv), wh = vget_high_s8(wv);`;
    return `{ int8x16_t wv = vld1q_s8(w${r} + k);${halves} ${Array.from({ length: cols }, (_, c) => per(c)).join(" ")} }`;
  };
  // One block of 4 weight rows against `cols` activation rows (the weight loads are shared).
  const block = (cols: number) => {
    const cs = Array.from({ length: cols }, (_, c) => c);
    return [
      `const int8_t *xr = x + (size_t)n * ldx${cols > 1 ? ", *xq = xr + ldx" : ""};`,
      `int32x4_t ${cs.map((c) => [0, 1, 2, 3].map((r) => `${acc[c]}${r} = vdupq_n_s32(0)`).join(", ")).join(", ")};`,
      `int32_t s[4];`,
      `for (k = 0; k + 16 <= K; k += 16) {`,
      `  int8x16_t ${cs.map((c) => `${xvec[c]} = vld1q_s8(${xrow[c]} + k)`).join(", ")};`,
      ...[0, 1, 2, 3].map((r) => `  ${step16(r, cols)}`),
      `}`,
      `for (; k + 8 <= K; k += 8) {`,
      `  int8x8_t ${cs.map((c) => `${xhalf[c]} = vld1_s8(${xrow[c]} + k)`).join(", ")};`,
      ...[0, 1, 2, 3].map((r) => `  { int8x8_t wd = vld1_s8(w${r} + k); ${cs.map((c) => `${acc[c]}${r} = vpadalq_s16(${acc[c]}${r}, vmull_s8(wd, ${xhalf[c]}));`).join(" ")} }`),
      `}`,
      ...cs.flatMap((c) => [
        `vst1q_s32(s, ${hsum(acc[c]!)});`,
        `for (i = k; i < K; i++) {`,
        ...[0, 1, 2, 3].map((r) => `  s[${r}] += (int32_t)w${r}[i] * ${xrow[c]}[i];`),
        `}`,
        `for (i = 0; i < 4 && m + i < M; i++) acc[(size_t)(m + i) * ldm + (size_t)(n + ${c}) * ldn] = s[i] + bias[m + i];`,
      ]),
    ].map((l) => `      ${l}`).join("\n");
  };
  ctx.helper(name, `${sig} {
  int m, n, k, i;
  for (m = 0; m < M; m += 4) {
    const int8_t *w0 = w + (size_t)m * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
    for (n = 0; n + 2 <= N; n += 2) {
${block(2)}
    }
    for (; n < N; n++) {
${block(1)}
    }
  }
}`);
  return {
    xType: "int8_t",
    call: (M, N, K, w, x, ldx, bias, acc, ldm, ldn) => `${name}(${M}, ${N}, ${K}, ${w}, ${x}, ${ldx}, ${bias}, ${acc}, ${ldm}, ${ldn});`,
  };
}
