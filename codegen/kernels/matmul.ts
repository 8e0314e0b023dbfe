// MatMul (A[..., R, K] x B[K, N], B 2-D) and Gemm (B constant, optional transposes, alpha,
// beta, C) in float. The rows of A stream through a row kernel that accumulates a * B[k, :]
// into the output row, vectorized over N on NEON. Gemm's B is transposed and scaled by alpha
// at compile time, so both ops share the helper.
import type { Graph, Node } from "../../ir/graph.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { actArgs, fmaN, useScalarAct, useVectorAct } from "./common.js";

/** Adds `neonc_matmul_f32(R, K, N, a, b, y, act, p0, p1)`: y[R,N] = act(a[R,K] b[K,N]). */
function useMatmul(ctx: KernelContext): void {
  const neon = ctx.target.neon;
  if (neon) useVectorAct(ctx);
  else useScalarAct(ctx);
  const vec = neon
    ? `
    for (; n + 4 <= N; n += 4) {
      float32x4_t acc = vdupq_n_f32(0.0f);
      for (k = 0; k < K; k++) acc = ${fmaN(ctx, "acc", "vld1q_f32(b + (size_t)k * N + n)", "ar[k]")};
      vst1q_f32(yr + n, neonc_act_f32x4(acc, act, p0, p1));
    }`
    : "";
  ctx.helper("matmul_f32", `
static void neonc_matmul_f32(int R, int K, int N, const float *a, const float *b, float *y, int act, float p0, float p1) {
  int r, n, k;
  for (r = 0; r < R; r++) {
    const float *ar = a + (size_t)r * K;
    float *yr = y + (size_t)r * N;
    n = 0;${vec}
    for (; n < N; n++) {
      float acc = 0.0f;
      for (k = 0; k < K; k++) acc += ar[k] * b[(size_t)k * N + n];
      yr[n] = neonc_act_f32(acc, act, p0, p1);
    }
  }
}`);
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
    return `neonc_matmul_f32(${rows}, ${ctx.dim(a.shape.at(-1)!)}, ${ctx.dim(b.shape[1]!)}, ${ctx.ptr(node.inputs[0]!)}, ${ctx.ptr(node.inputs[1]!)}, ${ctx.ptr(node.outputs[0]!)}, ${actArgs(attrs)});`;
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
    if (!cName || beta === 0) return `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, ${y}, ${actArgs(attrs)});`;
    // C broadcasts to [R, N]: add beta*C before the activation.
    const c = ctx.constant(cName)!;
    const cs = c.shape;
    const cn = cs.reduce((p, d) => p * d, 1);
    const cdata = new Float32Array(cn);
    for (let i = 0; i < cn; i++) cdata[i] = beta * (c.data as Float32Array)[i]!;
    const cp = ctx.addWeights(`${cName}_beta`, cdata);
    const rowStride = cs.length === 2 && cs[0] !== 1 ? N : 0;
    const colStride = cs.at(-1) === 1 ? 0 : 1;
    useScalarAct(ctx);
    return [
      `float *y = ${y};`,
      `int r, n;`,
      `neonc_matmul_f32(${rows}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)}, ${bp}, y, 0, 0.0f, 0.0f);`,
      `for (r = 0; r < ${rows}; r++)`,
      `  for (n = 0; n < ${N}; n++) y[(size_t)r * ${N} + n] = neonc_act_f32(y[(size_t)r * ${N} + n] + ${cp}[(size_t)r * ${rowStride} + (size_t)n * ${colStride}], ${actArgs(attrs)});`,
    ].join("\n");
  },
});

