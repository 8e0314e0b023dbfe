// MatMulGemm (A[..., R, K] x B[K, N], B 1-D or 2-D) and GemmPrepacked (B constant, optional
// transB, alpha, beta, C) in float — algorithm ops of the lower stage — through one blocked
// helper (also used by the LSTM kernel for its input
// projection) that keeps blocks of Y in registers while rows of B stream through. Gemm's B is
// transposed and scaled by alpha at compile time; a per-column C becomes the helper's bias.
import type { Graph, Node } from "../../ir/graph.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { mulDim, type Dim } from "../../ir/dim.js";
import { actArgs, useScalarAct } from "./common.js";
import { c99Block, useActRange, useFloatKernelHelpers, useWide } from "./gemm.js";

/** One c99 block of the matmul: `rows` rows of A packed k-major in ap, columns of B from n0. */
function matmulBlock(rows: 8 | 16, nb: number): string {
  return c99Block({
    rows, nb,
    setup: [`float bv[${nb}];`, `for (j = 0; j < ${nb}; j++) bv[j] = bias ? bias[n0 + j] : 0.0f;`],
    init: () => `bv[j]`,
    step: [`const float *restrict ak = ap + ${rows} * (size_t)k;`],
    mult: (r) => `ak[${r}]`,
    vec: `b + (size_t)k * ldb + n0`,
    out: (r) => `(y + (size_t)(m0 + ${r}) * N + n0)`,
    rowsVar: "rows",
  });
}

/** Column panels of B for one packed row block (see c99MatmulBody). */
function matmulColumns(rows: 8 | 16): string {
  return `
#if NEONC_WIDE_BLOCKS
      for (; n0 + 16 <= N; n0 += 16)
${matmulBlock(rows, 16)}
#endif
      while (n0 < N && N >= 8) {
        if (n0 + 8 > N) n0 = N - 8;
${matmulBlock(rows, 8)}
        n0 += 8;
      }
      for (; n0 < N; n0++)
${matmulBlock(rows, 1)}`;
}

/**
 * The c99 body. Row blocks of A (16 rows, or 8 when at most 8 remain or without NEONC_WIDE) are
 * outside: each is first copied k-major into ap (16 * K floats of scratch; rows past R repeat
 * row m0 and are not stored), so the block reads its 16 multipliers of step k from one place
 * instead of 16 row pointers (which spilled: 39 -> 55 GMAC/s on the LSTM projection, measured).
 * Column panels of B inside: 16, then 8, the last one ending at column N and overlapping columns
 * already done, which it stores again with the same values; single columns only when N < 8.
 */
function c99MatmulBody(): string {
  return `
  int m0 = 0, n0, k, j, r;
  float neg, lo, hi;
  neonc_act_range(act, p0, p1, &neg, &lo, &hi);
  while (m0 < R) {
#if NEONC_WIDE_BLOCKS
    const int rb = R - m0 > 8 ? 16 : 8;
#else
    const int rb = 8;
#endif
    const int rows = R - m0 < rb ? R - m0 : rb;
    for (k = 0; k < K; k++)
      for (r = 0; r < rb; r++) ap[(size_t)k * rb + r] = a[(size_t)(m0 + (r < rows ? r : 0)) * K + k];
    n0 = 0;
#if NEONC_WIDE_BLOCKS
    if (rb == 16) {${matmulColumns(16)}
    } else
#endif
    {${matmulColumns(8)}
    }
    m0 += rb;
  }`;
}

/** Scratch for neonc_matmul_f32's packed rows of A (c99), or a null pointer (NEON). */
export function matmulScratch(ctx: KernelContext, K: Dim): string {
  return ctx.target.neon ? "0" : ctx.scratch(mulDim(16, K));
}

/**
 * Adds `neonc_matmul_f32(R, K, N, a, b, ldb, bias, y, act, p0, p1, ap)`: y[R,N] = act(a[R,K] b[K,N] + bias[N])
 * with bias optional (NULL), B's rows ldb >= N floats apart and ap the scratch of matmulScratch.
 * Each sum is bias first, then k in order.
 *
 * NEON (ap unused): blocks of 8 (aarch64) or 4 rows of A times 8 columns in accumulators, B's rows
 * streaming through; leftover rows (and matrix-vector products, R = 1) take a one-row path with a
 * wider run of columns. c99: the register blocks of gemm.ts (16 or 8 rows of A, each row's a[k]
 * broadcast, times 16 / 8 / 1 columns of B), see c99MatmulBody.
 */
export function useMatmul(ctx: KernelContext): void {
  const neon = ctx.target.neon;
  const f = useFloatKernelHelpers(ctx);
  if (!neon) {
    useWide(ctx);
    useActRange(ctx);
  }
  // aarch64 (32 vector registers): 8 rows x 8 columns first, 16 sums, each B vector used 8 times.
  const rows8 = ctx.target.arch === "aarch64"
    ? `
  for (; r + 8 <= R; r += 8) {
    const float *a0 = a + (size_t)r * K;
    float *y0 = y + (size_t)r * N;
    for (n = 0; n < (N & ~7); n += 8) {
      const float32x4_t z0 = bias ? vld1q_f32(bias + n) : vdupq_n_f32(0.0f), z1 = bias ? vld1q_f32(bias + n + 4) : z0;
      float32x4_t ${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `c${i}0 = z0, c${i}1 = z1`).join(", ")};
      for (k = 0; k < K; k++) {
        const float *bk = b + (size_t)k * ldb + n;
        const float32x4_t b0 = vld1q_f32(bk), b1 = vld1q_f32(bk + 4);
${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `        { const float av = a0[(size_t)${i} * K + k]; c${i}0 = ${f(`c${i}0`, "b0", "av")}; c${i}1 = ${f(`c${i}1`, "b1", "av")}; }`).join("\n")}
      }
${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `      vst1q_f32(y0 + ${i} * (size_t)N + n, neonc_act_f32x4(c${i}0, act, p0, p1)); vst1q_f32(y0 + ${i} * (size_t)N + n + 4, neonc_act_f32x4(c${i}1, act, p0, p1));`).join("\n")}
    }
    for (; n < N; n++) {
      int i;
      for (i = 0; i < 8; i++) {
        const float *ar = a0 + (size_t)i * K;
        float acc = bias ? bias[n] : 0.0f;
        for (k = 0; k < K; k++) acc += ar[k] * b[(size_t)k * ldb + n];
        y0[(size_t)i * N + n] = neonc_act_f32(acc, act, p0, p1);
      }
    }
  }`
    : "";
  const body = neon
    ? `
  int r = 0, n, k;
  (void)ap;${rows8}
  for (; r + 4 <= R; r += 4) {
    const float *a0 = a + (size_t)r * K, *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
    float *y0 = y + (size_t)r * N;
    /* N & ~7, not n + 8 <= N: GCC 12 clones this function for a constant N (all callers alike) and
       then, with the latter form, flags the dead tail loop (-Waggressive-loop-optimizations). */
    for (n = 0; n < (N & ~7); n += 8) {
      const float32x4_t z0 = bias ? vld1q_f32(bias + n) : vdupq_n_f32(0.0f), z1 = bias ? vld1q_f32(bias + n + 4) : z0;
      float32x4_t c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
      for (k = 0; k < K; k++) {
        const float *bk = b + (size_t)k * ldb + n;
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
        const float bv = b[(size_t)k * ldb + n];
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
        const float *bk = b + (size_t)k * ldb + n;
        const float av = ar[k];
        c0 = ${f("c0", "vld1q_f32(bk)", "av")}; c1 = ${f("c1", "vld1q_f32(bk + 4)", "av")};
        c2 = ${f("c2", "vld1q_f32(bk + 8)", "av")}; c3 = ${f("c3", "vld1q_f32(bk + 12)", "av")};
      }
      vst1q_f32(yr + n, neonc_act_f32x4(c0, act, p0, p1)); vst1q_f32(yr + n + 4, neonc_act_f32x4(c1, act, p0, p1));
      vst1q_f32(yr + n + 8, neonc_act_f32x4(c2, act, p0, p1)); vst1q_f32(yr + n + 12, neonc_act_f32x4(c3, act, p0, p1));
    }
    for (; n + 4 <= N; n += 4) {
      float32x4_t c0 = bias ? vld1q_f32(bias + n) : vdupq_n_f32(0.0f);
      for (k = 0; k < K; k++) c0 = ${f("c0", "vld1q_f32(b + (size_t)k * ldb + n)", "ar[k]")};
      vst1q_f32(yr + n, neonc_act_f32x4(c0, act, p0, p1));
    }
    for (; n < N; n++) {
      float acc = bias ? bias[n] : 0.0f;
      for (k = 0; k < K; k++) acc += ar[k] * b[(size_t)k * ldb + n];
      yr[n] = neonc_act_f32(acc, act, p0, p1);
    }
  }`
    : c99MatmulBody();
  ctx.helper("matmul_f32", `
static ${neon ? "" : "NEONC_WIDE "}void neonc_matmul_f32(int R, int K, int N, const float *restrict a, const float *restrict b, int ldb,
                             const float *restrict bias, float *restrict y, int act, float p0, float p1, float *restrict ap) {${body}
}`);
}

function floatOnly(node: Node, g: Graph): string | undefined {
  for (const v of [...node.inputs, ...node.outputs]) if (v && g.types[v]?.dtype !== "f32") return "only float32 is generated";
  return undefined;
}

/** MatMulGemm: A [..., K] (batch dims folded into rows) times a 1-D or 2-D B, one blocked GEMM. */
export const matmulGemmKernel = defineKernel({
  op: "MatMulGemm",
  supports(node, _a, g) {
    const bad = floatOnly(node, g);
    if (bad) return bad;
    if (g.types[node.inputs[1]!]!.shape.length > 2) return "B has batch dims (MatMulBatched runs those)";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    const a = ctx.type(node.inputs[0]!), b = ctx.type(node.inputs[1]!);
    const rows = cProduct(a.shape.slice(0, -1));
    const K = ctx.dim(a.shape.at(-1)!), N = b.shape.length === 1 ? "1" : ctx.dim(b.shape[1]!);
    const ap = matmulScratch(ctx, a.shape.at(-1)!);
    return `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${ctx.ptr(node.inputs[1]!)}, ${N}, 0, ${ctx.ptr(node.outputs[0]!)}, ${actArgs(attrs)}, ${ap});`;
  },
});

/** GemmPrepacked: B (constant) laid out [K, N] and scaled by alpha at compile time, beta * C as the bias. */
export const gemmPrepackedKernel = defineKernel({
  op: "GemmPrepacked",
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
    const ldb = N;
    const rows = ctx.dim(a.shape[0]!);
    const y = ctx.ptr(node.outputs[0]!);
    const ap = matmulScratch(ctx, K);
    const cName = node.inputs[2];
    if (!cName || beta === 0) return `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, ${ldb}, 0, ${y}, ${actArgs(attrs)}, ${ap});`;
    // C broadcasts to [R, N]: add beta*C before the activation.
    const c = ctx.constant(cName)!;
    const cs = c.shape;
    const cn = cs.reduce((p, d) => p * d, 1);
    const cdata = new Float32Array(cn);
    for (let i = 0; i < cn; i++) cdata[i] = beta * (c.data as Float32Array)[i]!;
    const rowStride = cs.length === 2 && cs[0] !== 1 ? N : 0;
    const colStride = cs.at(-1) === 1 ? 0 : 1;
    const cp = ctx.addWeights(`${cName}_beta`, cdata);
    if (rowStride === 0 && colStride === 1 && cn === N) return `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, ${ldb}, ${cp}, ${y}, ${actArgs(attrs)}, ${ap});`;
    useScalarAct(ctx);
    return [
      `float *y = ${y};`,
      `int r, n;`,
      `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, ${ldb}, 0, y, 0, 0.0f, 0.0f, ${ap});`,
      `for (r = 0; r < ${rows}; r++)`,
      `  for (n = 0; n < ${N}; n++) y[(size_t)r * ${N} + n] = neonc_act_f32(y[(size_t)r * ${N} + n] + ${cp}[(size_t)r * ${rowStride} + (size_t)n * ${colStride}], ${actArgs(attrs)});`,
    ].join("\n");
  },
});

