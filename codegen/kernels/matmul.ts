// MatMul (A[..., R, K] x B[K, N], B 2-D) and Gemm (B constant, optional transposes, alpha,
// beta, C) in float, through one blocked helper (also used by the LSTM kernel) that keeps
// blocks of Y in registers while rows of B stream through. Gemm's B is transposed and scaled by
// alpha at compile time; a per-column C becomes the helper's bias.
import type { Graph, Node } from "../../ir/graph.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { actArgs, useScalarAct } from "./common.js";
import { useFloatKernelHelpers } from "./gemm.js";

/**
 * Adds `neonc_matmul_f32(R, K, N, a, b, bias, y, act, p0, p1)`: y[R,N] = act(a[R,K] b[K,N] + bias[N])
 * with bias optional (NULL). Blocks of 4 rows of A times a run of N columns are held in
 * accumulators, B's rows streaming through; leftover rows (and matrix-vector products, R = 1)
 * take a one-row path with a wider run of columns. Each sum is bias first, then k in order.
 */
export function useMatmul(ctx: KernelContext): void {
  const neon = ctx.target.neon;
  const f = useFloatKernelHelpers(ctx);
  const body = neon
    ? `
  for (r = 0; r + 4 <= R; r += 4) {
    const float *a0 = a + (size_t)r * K, *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
    float *y0 = y + (size_t)r * N;
    /* N & ~7, not n + 8 <= N: GCC 12 clones this function for a constant N (all callers alike) and
       then, with the latter form, flags the dead tail loop (-Waggressive-loop-optimizations). */
    for (n = 0; n < (N & ~7); n += 8) {
      const float32x4_t z0 = bias ? vld1q_f32(bias + n) : vdupq_n_f32(0.0f), z1 = bias ? vld1q_f32(bias + n + 4) : z0;
      float32x4_t c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
      for (k = 0; k < K; k++) {
        const float *bk = b + (size_t)k * N + n;
        const float32x4_t b0 = vld1q_f32(bk), b1 = vld1q_f32(bk + 4);
        c00 = ${f("c00", "b0", "a0[k]")}; c01 = ${f("c01", "b1", "a0[k]")};
        c10 = ${f("c10", "b0", "a1[k]")}; c11 = ${f("c11", "b1", "a1[k]")};
        c20 = ${f("c20", "b0", "a2[k]")}; c21 = ${f("c21", "b1", "a2[k]")};
        c30 = ${f("c30", "b0", "a3[k]")}; c31 = ${f("c31", "b1", "a3[k]")};
      }
      vst1q_f32(y0 + n, neonc_act_f32x4(c00, act, p0, p1)); vst1q_f32(y0 + n + 4, neonc_act_f32x4(c01, act, p0, p1));
      vst1q_f32(y0 + N + n, neonc_act_f32x4(c10, act, p0, p1)); vst1q_f32(y0 + N + n + 4, neonc_act_f32x4(c11, act, p0, p1));
      vst1q_f32(y0 + 2 * (size_t)N + n, neonc_act_f32x4(c20, act, p0, p1)); vst1q_f32(y0 + 2 * (size_t)N + n + 4, neonc_act_f32x4(c21, act, p0, p1));
      vst1q_f32(y0 + 3 * (size_t)N + n, neonc_act_f32x4(c30, act, p0, p1)); vst1q_f32(y0 + 3 * (size_t)N + n + 4, neonc_act_f32x4(c31, act, p0, p1));
    }
    for (; n < N; n++) {
      float s0 = bias ? bias[n] : 0.0f, s1 = s0, s2 = s0, s3 = s0;
      for (k = 0; k < K; k++) {
        const float bv = b[(size_t)k * N + n];
        s0 += a0[k] * bv; s1 += a1[k] * bv; s2 += a2[k] * bv; s3 += a3[k] * bv;
      }
      y0[n] = neonc_act_f32(s0, act, p0, p1); y0[N + n] = neonc_act_f32(s1, act, p0, p1);
      y0[2 * (size_t)N + n] = neonc_act_f32(s2, act, p0, p1); y0[3 * (size_t)N + n] = neonc_act_f32(s3, act, p0, p1);
    }
  }
  for (; r < R; r++) {
    const float *ar = a + (size_t)r * K;
    float *yr = y + (size_t)r * N;
    for (n = 0; n + 16 <= N; n += 16) {
      float32x4_t c0 = bias ? vld1q_f32(bias + n) : vdupq_n_f32(0.0f), c1 = bias ? vld1q_f32(bias + n + 4) : c0;
      float32x4_t c2 = bias ? vld1q_f32(bias + n + 8) : c0, c3 = bias ? vld1q_f32(bias + n + 12) : c0;
      for (k = 0; k < K; k++) {
        const float *bk = b + (size_t)k * N + n;
        const float av = ar[k];
        c0 = ${f("c0", "vld1q_f32(bk)", "av")}; c1 = ${f("c1", "vld1q_f32(bk + 4)", "av")};
        c2 = ${f("c2", "vld1q_f32(bk + 8)", "av")}; c3 = ${f("c3", "vld1q_f32(bk + 12)", "av")};
      }
      vst1q_f32(yr + n, neonc_act_f32x4(c0, act, p0, p1)); vst1q_f32(yr + n + 4, neonc_act_f32x4(c1, act, p0, p1));
      vst1q_f32(yr + n + 8, neonc_act_f32x4(c2, act, p0, p1)); vst1q_f32(yr + n + 12, neonc_act_f32x4(c3, act, p0, p1));
    }
    for (; n + 4 <= N; n += 4) {
      float32x4_t c0 = bias ? vld1q_f32(bias + n) : vdupq_n_f32(0.0f);
      for (k = 0; k < K; k++) c0 = ${f("c0", "vld1q_f32(b + (size_t)k * N + n)", "ar[k]")};
      vst1q_f32(yr + n, neonc_act_f32x4(c0, act, p0, p1));
    }
    for (; n < N; n++) {
      float acc = bias ? bias[n] : 0.0f;
      for (k = 0; k < K; k++) acc += ar[k] * b[(size_t)k * N + n];
      yr[n] = neonc_act_f32(acc, act, p0, p1);
    }
  }`
    : `
  for (r = 0; r + 4 <= R; r += 4) {
    const float *restrict ar = a + (size_t)r * K;
    n = 0;
    for (; n + 24 <= N; n += 24) NEONC_MM_ROWS4(24)
    for (; n + 8 <= N; n += 8) NEONC_MM_ROWS4(8)
    for (; n < N; n++) NEONC_MM_ROWS4(1)
  }
  for (; r < R; r++) {
    const float *restrict ar = a + (size_t)r * K;
    n = 0;
    for (; n + 48 <= N; n += 48) NEONC_MM_ROW1(48)
    for (; n < N; n++) NEONC_MM_ROW1(1)
  }`;
  /* Scalar blocks written for auto-vectorization: accumulators in small local arrays indexed
     only by the unrolled j, columns innermost. gcc 12 on x86 vectorizes some widths badly (16 for
     four rows, 8 and 12 for one row): the widths used are measured ones. */
  const macros = neon
    ? ""
    : `
#define NEONC_MM_ROWS4(NB) \\
  { \\
    float c[4][NB]; \\
    int i, j; \\
    for (j = 0; j < NB; j++) { const float z = bias ? bias[n + j] : 0.0f; for (i = 0; i < 4; i++) c[i][j] = z; } \\
    for (k = 0; k < K; k++) { \\
      const float *restrict bk = b + (size_t)k * N + n; \\
      for (i = 0; i < 4; i++) { const float av = ar[(size_t)i * K + k]; for (j = 0; j < NB; j++) c[i][j] = NEONC_MADD(c[i][j], av, bk[j]); } \\
    } \\
    for (i = 0; i < 4; i++) for (j = 0; j < NB; j++) y[(size_t)(r + i) * N + n + j] = neonc_act_f32(c[i][j], act, p0, p1); \\
  }
#define NEONC_MM_ROW1(NB) \\
  { \\
    float c[NB]; \\
    int j; \\
    for (j = 0; j < NB; j++) c[j] = bias ? bias[n + j] : 0.0f; \\
    for (k = 0; k < K; k++) { \\
      const float *restrict bk = b + (size_t)k * N + n; \\
      const float av = ar[k]; \\
      for (j = 0; j < NB; j++) c[j] = NEONC_MADD(c[j], av, bk[j]); \\
    } \\
    for (j = 0; j < NB; j++) y[(size_t)r * N + n + j] = neonc_act_f32(c[j], act, p0, p1); \\
  }
`;
  ctx.helper("matmul_f32", `${macros}
static void neonc_matmul_f32(int R, int K, int N, const float *restrict a, const float *restrict b, const float *restrict bias,
                             float *restrict y, int act, float p0, float p1) {
  int r, n, k;${body}
}${neon ? "" : "\n#undef NEONC_MM_ROWS4\n#undef NEONC_MM_ROW1"}`);
}

function floatOnly(node: Node, g: Graph): string | undefined {
  for (const v of [...node.inputs, ...node.outputs]) if (v && g.types[v]?.dtype !== "f32") return "only float32 is generated";
  return undefined;
}

export const matmulKernel = defineKernel({
  op: "MatMul",
  supports(node, _a, g) {
    const bad = floatOnly(node, g);
    if (bad) return bad;
    const a = g.types[node.inputs[0]!]!, b = g.types[node.inputs[1]!]!;
    if (a.shape.length < 2) return "A must have rank >= 2";
    if (b.shape.length !== 2) return "only a 2-D B is generated";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    const a = ctx.type(node.inputs[0]!), b = ctx.type(node.inputs[1]!);
    const rows = cProduct(a.shape.slice(0, -1));
    return `neonc_matmul_f32(${rows}, ${ctx.dim(a.shape.at(-1)!)}, ${ctx.dim(b.shape[1]!)}, ${ctx.ptr(node.inputs[0]!)}, ${ctx.ptr(node.inputs[1]!)}, 0, ${ctx.ptr(node.outputs[0]!)}, ${actArgs(attrs)});`;
  },
});

export const gemmKernel = defineKernel({
  op: "Gemm",
  supports(node, attrs, g) {
    const bad = floatOnly(node, g);
    if (bad) return bad;
    if (!(node.inputs[1]! in g.constants)) return "B must be constant";
    if (node.inputs[2] && !(node.inputs[2] in g.constants)) return "C must be constant";
    if (((attrs.transA as number | undefined) ?? 0) !== 0) return "transA=1 is not generated";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    const a = ctx.type(node.inputs[0]!);
    const bT = ctx.constant(node.inputs[1]!)!;
    const trans = ((attrs.transB as number | undefined) ?? 0) !== 0;
    const alpha = (attrs.alpha as number | undefined) ?? 1;
    const beta = (attrs.beta as number | undefined) ?? 1;
    const [K, N] = trans ? [bT.shape[1]!, bT.shape[0]!] : [bT.shape[0]!, bT.shape[1]!];
    const src = bT.data as Float32Array;
    const b = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) b[k * N + n] = alpha * src[trans ? n * K + k : k * N + n]!;
    const bp = ctx.addWeights(`${node.inputs[1]}_kn`, b);
    const rows = ctx.dim(a.shape[0]!);
    const y = ctx.ptr(node.outputs[0]!);
    const cName = node.inputs[2];
    if (!cName || beta === 0) return `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, 0, ${y}, ${actArgs(attrs)});`;
    // C broadcasts to [R, N]: add beta*C before the activation.
    const c = ctx.constant(cName)!;
    const cs = c.shape;
    const cn = cs.reduce((p, d) => p * d, 1);
    const cdata = new Float32Array(cn);
    for (let i = 0; i < cn; i++) cdata[i] = beta * (c.data as Float32Array)[i]!;
    const cp = ctx.addWeights(`${cName}_beta`, cdata);
    const rowStride = cs.length === 2 && cs[0] !== 1 ? N : 0;
    const colStride = cs.at(-1) === 1 ? 0 : 1;
    if (rowStride === 0 && colStride === 1 && cn === N) return `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, ${cp}, ${y}, ${actArgs(attrs)});`;
    useScalarAct(ctx);
    return [
      `float *y = ${y};`,
      `int r, n;`,
      `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, 0, y, 0, 0.0f, 0.0f);`,
      `for (r = 0; r < ${rows}; r++)`,
      `  for (n = 0; n < ${N}; n++) y[(size_t)r * ${N} + n] = neonc_act_f32(y[(size_t)r * ${N} + n] + ${cp}[(size_t)r * ${rowStride} + (size_t)n * ${colStride}], ${actArgs(attrs)});`,
    ].join("\n");
  },
});

