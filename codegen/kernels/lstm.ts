// LSTM (ONNX semantics: gates i, o, f, c; optional peepholes, clip, input_forget; forward,
// reverse or bidirectional) with the default activations. The input projections X·W^T + b of all
// time steps are one blocked matrix product before the recurrence; each step then only adds
// R·h (a matrix-vector product over the 4H gate rows, R transposed at compile time so the rows
// are the contiguous, vectorized axis) and updates the cell (vector sigmoid/tanh on NEON, a
// loop over branch-free scalar math that the compiler vectorizes on c99).
import type { Graph, Node } from "../../ir/graph.js";
import type { Attrs } from "../../ir/graph.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { fmaN } from "./common.js";
import { matmulScratch, useMatmul } from "./matmul.js";
import { useMadd, useWide } from "./gemm.js";
import { useLoopMath, useVMath } from "./vmath.js";
import { frameSupports, initState, projectionScratch, prologue, rnnFrame, saveState, stateScratch, stepLoop } from "./rnn-frame.js";
import { RnnWeights } from "./rnn-weights.js";

/** Adds `neonc_lstm_cell_f32`, the cell update of one step (also used by hybrid-lstm.ts). */
export function useCell(ctx: KernelContext): void {
  useVMath(ctx);
  const neon = ctx.target.neon;
  // NEON: four hidden units at a time with the vector sigmoid/tanh; the scalar loop finishes.
  // c99: the common cell as one loop over the branch-free math of vmath.ts (vectorized).
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
    : `
  /* Without peepholes, clip or coupled gates, one branch-free loop that the compiler vectorizes. */
  if (!p && !use_clip && !input_forget) {
    for (k = 0; k < H; k++) {
      const float i = neonc_sigmoid_lf(g[k] + r[k]), o = neonc_sigmoid_lf(g[H + k] + r[H + k]);
      const float f = neonc_sigmoid_lf(g[2 * H + k] + r[2 * H + k]), z = neonc_tanh_lf(g[3 * H + k] + r[3 * H + k]);
      const float cn = f * c[k] + i * z;
      c[k] = cn;
      h[k] = o * neonc_tanh_lf(cn);
    }
    return;
  }`;
  if (!neon) {
    useLoopMath(ctx);
    useWide(ctx);
  }
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

static ${neon ? "" : "NEONC_WIDE "}void neonc_lstm_cell_f32(int H, const float *restrict g, const float *restrict r, float *restrict c, float *restrict h,
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
export function gemvBlock(ctx: KernelContext): number {
  return ctx.target.neon ? 32 : 64;
}

/**
 * `neonc_gemv_f32(K, N, x, wp, y)`: y[N] = W x with W packed [N/NB][K][NB] (N a multiple of NB),
 * so each block streams through one contiguous run of weights with NB sums in registers (also
 * used by gru.ts; the weights come from addGemvWeights).
 *
 * c99 on AVX-512 hosts: 512-bit loads that straddle cache lines cost about 40% of this
 * L2-bound product, and weights are only 16-byte aligned. When wp is not 64-byte aligned, the
 * loads are made at the aligned addresses around it instead: with m = the misalignment in
 * floats, the aligned 16 floats at the start of row k hold the last m floats of row k - 1 and
 * the first 16 - m of row k, so the first group of sums is kept twice, once multiplied by x[k]
 * and once by x[k - 1], each lane keeps the right one at the end, and the 64 sums are rotated
 * by m when stored (1024 x 256: 10.5 us -> 7.5 us a step, 6 us when aligned; measured). Sums
 * are taken in the same order either way. addGemvWeights pads 16 floats on both sides for the
 * reads before the first row and after the last.
 */
export function useGemv(ctx: KernelContext): void {
  const nb = gemvBlock(ctx);
  if (!ctx.target.neon) {
    useMadd(ctx);
    useWide(ctx);
  }
  const f = (acc: string, v: string, sc: string) => fmaN(ctx, acc, v, sc);
  const neonBody = () => {
    const accs = Array.from({ length: nb / 4 }, (_, i) => `a${i}`);
    return `
  int n0, k;
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
  int n0, k, j;
#if NEONC_WIDE_BLOCKS
  const int m = (int)(((uintptr_t)wp / sizeof(float)) % 16);
  if (m != 0) {
    for (n0 = 0; n0 < N; n0 += 64) {
      const float *restrict a = wp + (size_t)n0 * K - m;
      float c0[16], d0[16], c1[16], c2[16], c3[16], t[64];
      for (j = 0; j < 16; j++) {
        const float xk = x[0];
        c0[j] = a[j] * xk; d0[j] = 0.0f; c1[j] = a[16 + j] * xk; c2[j] = a[32 + j] * xk; c3[j] = a[48 + j] * xk;
      }
      for (k = 1; k < K; k++) {
        const float xk = x[k], xp = x[k - 1];
        const float *restrict ak = a + (size_t)k * 64;
        for (j = 0; j < 16; j++) {
          c0[j] = NEONC_MADD(c0[j], ak[j], xk);
          d0[j] = NEONC_MADD(d0[j], ak[j], xp);
          c1[j] = NEONC_MADD(c1[j], ak[16 + j], xk);
          c2[j] = NEONC_MADD(c2[j], ak[32 + j], xk);
          c3[j] = NEONC_MADD(c3[j], ak[48 + j], xk);
        }
      }
      {
        /* The last row's last m floats sit in the aligned run after it. */
        const float xl = x[K - 1];
        const float *restrict ak = a + (size_t)K * 64;
        for (j = 0; j < 16; j++) d0[j] = NEONC_MADD(d0[j], ak[j], xl);
      }
      for (j = 0; j < 16; j++) { t[j] = j < m ? d0[j] : c0[j]; t[16 + j] = c1[j]; t[32 + j] = c2[j]; t[48 + j] = c3[j]; }
      for (j = 0; j < 64 - m; j++) y[n0 + j] = t[j + m];
      for (j = 0; j < m; j++) y[n0 + 64 - m + j] = t[j];
    }
    return;
  }
#endif
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
static ${ctx.target.neon ? "" : "NEONC_WIDE "}void neonc_gemv_f32(int K, int N, const float *restrict x, const float *restrict wp, float *restrict y) {${ctx.target.neon ? neonBody() : scalarBody}
}`);
}

/** Floats of zeros around c99's packed recurrent weights (see useGemv). */
export const GEMV_PAD = 16;

/**
 * Packs a row-major [N, K] matrix for neonc_gemv_f32 ([ceil(N/nb)][K][nb], zero padded; on c99
 * with GEMV_PAD zeros before and after), adds it to the weights and returns the C pointer to
 * its first packed value.
 */
export function addGemvWeights(ctx: KernelContext, hint: string, w: Float32Array, N: number, K: number): string {
  const nb = gemvBlock(ctx);
  const pad = ctx.target.neon ? 0 : GEMV_PAD;
  const out = new Float32Array(Math.ceil(N / nb) * nb * K + 2 * pad);
  for (let n = 0; n < N; n++) {
    const base = pad + Math.floor(n / nb) * nb * K + (n % nb);
    for (let k = 0; k < K; k++) out[base + k * nb] = w[n * K + k]!;
  }
  const p = ctx.addWeights(`${hint}_gemv${nb}`, out);
  return pad ? `(${p} + ${pad})` : p;
}

/** Row-major [rows, cols] -> [cols, rows], the k-major order the matmul helper reads. */
export function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
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
    const D = attrs.direction === "bidirectional" ? 2 : 1;
    if (!isDefaultActs(attrs, D)) return "only the default activations (Sigmoid, Tanh, Tanh) are generated";
    return frameSupports(node, attrs, g);
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    useGemv(ctx);
    useCell(ctx);
    const [xN, wN, rN, bN, , h0N, c0N, pN] = node.inputs;
    const [, yhN, ycN] = node.outputs;
    const w = ctx.type(wN!);
    const D = w.shape[0] as number, G = w.shape[1] as number, H = G / 4;
    const f = rnnFrame(node, attrs, ctx, D, H);
    const I = f.I;
    const clip = attrs.clip as number | undefined;
    const inputForget = ((attrs.input_forget as number | undefined) ?? 0) !== 0 ? 1 : 0;
    const nb = gemvBlock(ctx);
    const ap = matmulScratch(ctx, I);
    const weights = new RnnWeights(ctx);
    const proj = projectionScratch(ctx, f, G), rec = ctx.scratch(Math.ceil(G / nb) * nb);
    const lines = prologue(ctx, f, xN!, [`proj = ${proj}`, `rec = ${rec}`, `h = ${stateScratch(ctx, f)}`, `c = ${stateScratch(ctx, f)}`]);
    for (let d = 0; d < D; d++) {
      const wt = weights.projection(wN!, d, G, I), rp = weights.recurrent(rN!, d, G, H, 0, G), bias = weights.bias(bN || undefined, d, G);
      const peep = pN ? `${ctx.ptr(pN)} + ${d * 3 * H}` : "0";
      lines.push(
        `/* direction ${d}${f.reverse(d) ? " (reverse)" : ""} */`,
        ...wt.code, ...rp.code, ...bias.code,
        initState(ctx, f, h0N || undefined, "h", d),
        initState(ctx, f, c0N || undefined, "c", d),
        `neonc_matmul_f32(Tn * Bn, ${I}, ${G}, X, ${wt.ptr}, ${G}, ${bias.ptr}, proj, 0, 0.0f, 0.0f, ${ap});`,
        ...stepLoop(f, ctx, d, G, [
          `neonc_gemv_f32(${H}, ${Math.ceil(G / nb) * nb}, hb, ${rp.ptr}, rec);`,
          `neonc_lstm_cell_f32(${H}, g, rec, c + (size_t)b * ${H}, hb, ${peep}, ${clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`}, ${inputForget});`,
        ]),
        ...saveState(ctx, f, yhN || undefined, "h", d),
        ...saveState(ctx, f, ycN || undefined, "c", d),
      );
    }
    return lines.join("\n");
  },
});
