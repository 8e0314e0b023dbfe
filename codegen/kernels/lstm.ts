// LSTM (ONNX semantics: gates i, o, f, c; optional peepholes, clip, input_forget; forward,
// reverse or bidirectional) with the default activations. The input projections X·W^T + b of all
// time steps are one blocked matrix product before the recurrence; each step then only adds
// R·h (a matrix-vector product over the 4H gate rows, R transposed at compile time so the rows
// are the contiguous, vectorized axis) and updates the cell (vector sigmoid/tanh on NEON).
import type { Graph, Node } from "../../ir/graph.js";
import type { Attrs } from "../../ir/graph.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { fmaN } from "./common.js";
import { useMatmul } from "./matmul.js";
import { useMadd } from "./gemm.js";
import { useVMath } from "./vmath.js";
import { mulDim } from "../../ir/dim.js";

/** Adds `neonc_lstm_cell_f32`, the cell update of one step (also used by hybrid-lstm.ts). */
export function useCell(ctx: KernelContext): void {
  useVMath(ctx);
  const neon = ctx.target.neon;
  // NEON: four hidden units at a time with the vector sigmoid/tanh; the scalar loop finishes.
  const vec = neon
    ? `
  const int kv = !p && !use_clip && !input_forget ? H - H % 4 : 0;
  for (k = 0; k < kv; k += 4) {
    const float32x4_t i = neonc_sigmoid_f32x4(vaddq_f32(vld1q_f32(g + k), vld1q_f32(r + k)));
    const float32x4_t o = neonc_sigmoid_f32x4(vaddq_f32(vld1q_f32(g + H + k), vld1q_f32(r + H + k)));
    const float32x4_t f = neonc_sigmoid_f32x4(vaddq_f32(vld1q_f32(g + 2 * H + k), vld1q_f32(r + 2 * H + k)));
    const float32x4_t z = neonc_tanh_f32x4(vaddq_f32(vld1q_f32(g + 3 * H + k), vld1q_f32(r + 3 * H + k)));
    const float32x4_t cn = vaddq_f32(vmulq_f32(f, vld1q_f32(c + k)), vmulq_f32(i, z));
    vst1q_f32(c + k, cn);
    vst1q_f32(h + k, vmulq_f32(o, neonc_tanh_f32x4(cn)));
  }`
    : "";
  ctx.helper("lstm_cell_f32", `
static inline float neonc_clamp_f32(float x, float c) { return x < -c ? -c : (x > c ? c : x); }

/* tanh for the cell: glibc's tanhf goes through a slow expm1f. Odd Taylor polynomial up to x^7
   below |x| = 1/8 (truncation under 1e-9 relative), (1 - e)/(1 + e) with e = exp(-2|x|) above
   (cancellation costs at most two bits there). */
static inline float neonc_lstm_tanh_f32(float x) {
  const float ax = x < 0.0f ? -x : x;
  float t;
  if (ax < 0.125f) {
    const float x2 = x * x;
    return x + x * x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f)));
  }
  { const float e = expf(-2.0f * ax); t = (1.0f - e) / (1.0f + e); }
  return x < 0.0f ? -t : t;
}

static void neonc_lstm_cell_f32(int H, const float *restrict g, const float *restrict r, float *restrict c, float *restrict h,
                                const float *restrict p, int use_clip, float clip, int input_forget) {
  int k;${vec}
  for (k = ${neon ? "kv" : "0"}; k < H; k++) {
    float gi = g[k] + r[k], go = g[H + k] + r[H + k], gf = g[2 * H + k] + r[2 * H + k], gc = g[3 * H + k] + r[3 * H + k];
    const float cp = c[k];
    float i, f, o, cn, ct;
    if (p) { gi += p[k] * cp; gf += p[2 * H + k] * cp; }
    if (use_clip) { gi = neonc_clamp_f32(gi, clip); gf = neonc_clamp_f32(gf, clip); gc = neonc_clamp_f32(gc, clip); }
    i = neonc_sigmoid_f32(gi);
    f = input_forget ? 1.0f - i : neonc_sigmoid_f32(gf);
    cn = f * cp + i * neonc_lstm_tanh_f32(gc);
    c[k] = cn;
    if (p) go += p[H + k] * cn;
    if (use_clip) go = neonc_clamp_f32(go, clip);
    o = neonc_sigmoid_f32(go);
    ct = use_clip ? neonc_clamp_f32(cn, clip) : cn;
    h[k] = o * neonc_lstm_tanh_f32(ct);
  }
}`);
}

/** Output rows per block of the recurrent matrix-vector product (accumulators held at once). */
function gemvBlock(ctx: KernelContext): number {
  return ctx.target.neon ? 32 : 64;
}

/**
 * `neonc_gemv_f32(K, N, x, wp, y)`: y[N] = W x with W packed [N/NB][K][NB] (N a multiple of NB),
 * so each block streams through one contiguous run of weights with NB sums in registers.
 */
function useGemv(ctx: KernelContext): void {
  const nb = gemvBlock(ctx);
  if (!ctx.target.neon) useMadd(ctx);
  const f = (acc: string, v: string, sc: string) => fmaN(ctx, acc, v, sc);
  const neonBody = () => {
    const accs = Array.from({ length: nb / 4 }, (_, i) => `a${i}`);
    return `
  for (n0 = 0; n0 < N; n0 += ${nb}) {
    const float *w = wp + (size_t)n0 * K;
    float32x4_t ${accs.map((a) => `${a} = vdupq_n_f32(0.0f)`).join(", ")};
    for (k = 0; k < K; k++) {
      const float xv = x[k];
      const float *wk = w + (size_t)k * ${nb};
${accs.map((a, i) => `      ${a} = ${f(a, `vld1q_f32(wk + ${4 * i})`, "xv")};`).join("\n")}
    }
${accs.map((a, i) => `    vst1q_f32(y + n0 + ${4 * i}, ${a});`).join("\n")}
  }`;
  };
  const scalarBody = `
  for (n0 = 0; n0 < N; n0 += ${nb}) {
    const float *restrict w = wp + (size_t)n0 * K;
    float c[${nb}];
    for (j = 0; j < ${nb}; j++) c[j] = 0.0f;
    for (k = 0; k < K; k++) {
      const float xv = x[k];
      const float *restrict wk = w + (size_t)k * ${nb};
      for (j = 0; j < ${nb}; j++) c[j] = NEONC_MADD(c[j], xv, wk[j]);
    }
    for (j = 0; j < ${nb}; j++) y[n0 + j] = c[j];
  }`;
  ctx.helper("lstm_gemv_f32", `
static void neonc_gemv_f32(int K, int N, const float *restrict x, const float *restrict wp, float *restrict y) {
  int n0, k${ctx.target.neon ? "" : ", j"};${ctx.target.neon ? neonBody() : scalarBody}
}`);
}

/** Packs a row-major [N, K] matrix as [ceil(N/nb)][K][nb], zero padded. */
function packGemv(w: Float32Array, N: number, K: number, nb: number): Float32Array {
  const out = new Float32Array(Math.ceil(N / nb) * nb * K);
  for (let n = 0; n < N; n++) {
    const base = Math.floor(n / nb) * nb * K + (n % nb);
    for (let k = 0; k < K; k++) out[base + k * nb] = w[n * K + k]!;
  }
  return out;
}

/** Row-major [rows, cols] -> [cols, rows], the k-major order the matmul helper reads. */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
  return out;
}

function isDefaultActs(attrs: Attrs, D: number): boolean {
  const acts = attrs.activations as readonly string[] | undefined;
  if (!acts || acts.length === 0) return true;
  const want = ["sigmoid", "tanh", "tanh"];
  return acts.length === 3 * D && acts.every((a, i) => a.toLowerCase() === want[i % 3]);
}

export const lstmKernel = defineKernel({
  op: "LSTM",
  supports(node: Node, attrs: Attrs, g: Graph) {
    if (g.types[node.inputs[0]!]?.dtype !== "f32") return "only float32 is generated";
    for (const k of [1, 2, 3, 7]) if (node.inputs[k] && !(node.inputs[k]! in g.constants)) return `input ${k} (weights, bias or peepholes) must be constant`;
    if (typeof g.types[node.inputs[0]!]!.shape[1] !== "number") return "the batch dim must be static";
    if (node.inputs[4]) return "sequence_lens is not supported by the C kernel";
    if (((attrs.layout as number | undefined) ?? 0) !== 0) return "layout=1 is not supported by the C kernel";
    const D = attrs.direction === "bidirectional" ? 2 : 1;
    if (!isDefaultActs(attrs, D)) return "only the default activations (Sigmoid, Tanh, Tanh) are generated";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    useGemv(ctx);
    useCell(ctx);
    const [xN, wN, rN, bN, , h0N, c0N, pN] = node.inputs;
    const [yN, yhN, ycN] = [node.outputs[0], node.outputs[1], node.outputs[2]];
    const W = ctx.constant(wN!)!, R = ctx.constant(rN!)!;
    const D = W.shape[0]!, G = W.shape[1]!, I = W.shape[2]!, H = G / 4;
    const x = ctx.type(xN!);
    const [Tn, Bn] = ctx.shape(xN!) as [string, string];
    const reverseAll = attrs.direction === "reverse";
    const clip = attrs.clip as number | undefined;
    const inputForget = ((attrs.input_forget as number | undefined) ?? 0) !== 0 ? 1 : 0;
    const Bs = x.shape[1] as number;
    const nb = gemvBlock(ctx);
    const proj = ctx.scratch(mulDim(x.shape[0]!, Bs * G)), rec = ctx.scratch(Math.ceil(G / nb) * nb);
    const hs = ctx.scratch((x.shape[1] as number) * H), cs = ctx.scratch((x.shape[1] as number) * H);
    const lines = [
      `const float *X = ${ctx.ptr(xN!)};`,
      `float *proj = ${proj}, *rec = ${rec}, *h = ${hs}, *c = ${cs};`,
      `const int Tn = ${Tn}, Bn = ${Bn};`,
      `int step, b;`,
    ];
    for (let d = 0; d < D; d++) {
      const wd = (W.data as Float32Array).subarray(d * G * I, (d + 1) * G * I);
      const rd = (R.data as Float32Array).subarray(d * G * H, (d + 1) * G * H);
      const wt = ctx.addWeights(`${wN}_d${d}_t`, transpose(wd, G, I));
      const rp = ctx.addWeights(`${rN}_d${d}_gemv${nb}`, packGemv(rd, G, H, nb));
      let bias = "0";
      if (bN) {
        const bd = ctx.constant(bN)!.data as Float32Array;
        const sum = new Float32Array(G);
        for (let j = 0; j < G; j++) sum[j] = bd[d * 2 * G + j]! + bd[d * 2 * G + G + j]!;
        bias = ctx.addWeights(`${bN}_d${d}_sum`, sum);
      }
      const peep = pN ? `${ctx.ptr(pN)} + ${d * 3 * H}` : "0";
      const reverse = reverseAll || d === 1;
      lines.push(`/* direction ${d}${reverse ? " (reverse)" : ""} */`);
      lines.push(h0N ? `memcpy(h, ${ctx.ptr(h0N)} + (size_t)${d} * Bn * ${H}, (size_t)Bn * ${H} * sizeof(float));` : `memset(h, 0, (size_t)Bn * ${H} * sizeof(float));`);
      lines.push(c0N ? `memcpy(c, ${ctx.ptr(c0N)} + (size_t)${d} * Bn * ${H}, (size_t)Bn * ${H} * sizeof(float));` : `memset(c, 0, (size_t)Bn * ${H} * sizeof(float));`);
      lines.push(
        `neonc_matmul_f32(Tn * Bn, ${I}, ${G}, X, ${wt}, ${bias}, proj, 0, 0.0f, 0.0f);`,
        `for (step = 0; step < Tn; step++) {`,
        `  const int t = ${reverse ? "Tn - 1 - step" : "step"};`,
        `  for (b = 0; b < Bn; b++) {`,
        `    float *hb = h + (size_t)b * ${H}, *cb = c + (size_t)b * ${H};`,
        `    neonc_gemv_f32(${H}, ${Math.ceil(G / nb) * nb}, hb, ${rp}, rec);`,
        `    neonc_lstm_cell_f32(${H}, proj + ((size_t)t * Bn + b) * ${G}, rec, cb, hb, ${peep}, ${clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`}, ${inputForget});`,
        ...(yN ? [`    memcpy(${ctx.ptr(yN)} + (((size_t)t * ${D} + ${d}) * Bn + b) * ${H}, hb, ${H} * sizeof(float));`] : []),
        `  }`,
        `}`,
      );
      if (yhN) lines.push(`memcpy(${ctx.ptr(yhN)} + (size_t)${d} * Bn * ${H}, h, (size_t)Bn * ${H} * sizeof(float));`);
      if (ycN) lines.push(`memcpy(${ctx.ptr(ycN)} + (size_t)${d} * Bn * ${H}, c, (size_t)Bn * ${H} * sizeof(float));`);
    }
    return lines.join("\n");
  },
});
