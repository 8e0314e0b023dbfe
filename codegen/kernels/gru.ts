// GRU (ONNX semantics, gates z, r, h; forward, reverse or bidirectional; linear_before_reset 0
// or 1; clip) with the default activations Sigmoid and Tanh, time-major layout.
//   gates = W·x_t + (Wb + Rb for z, r; Wb for h)       every step at once: one blocked matrix
//                                                      product before the recurrence
//   z, r  = sigmoid(gates[z,r] + Rzr·h)
//   lbr=1: h~ = tanh(gates[h] + r * (Rh·h + Rbh))      lbr=0: h~ = tanh(gates[h] + Rh·(r*h) + Rbh)
//   h     = (1 - z) * h~ + z * h
// R is packed for lstm.ts's matrix-vector product as two matrices (the z/r rows and the h rows)
// because the h product needs r first when linear_before_reset is 0. The gate math runs 4 lanes
// at a time through vmath.ts on NEON, and as loops over vmath.ts's branch-free scalar math that
// the compiler vectorizes on c99.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { mulDim } from "../../ir/dim.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { useWide } from "./gemm.js";
import { addGemvWeights, gemvBlock, transpose, useGemv } from "./lstm.js";
import { matmulScratch, useMatmul } from "./matmul.js";
import { useLoopMath, useVMath } from "./vmath.js";

/** Adds `neonc_gru_zr_f32` and `neonc_gru_update_f32`, the gate math of one step (also used by hybrid-gru.ts). */
export function useGruCell(ctx: KernelContext): void {
  useVMath(ctx);
  const neon = ctx.target.neon;
  if (!neon) {
    useLoopMath(ctx);
    useWide(ctx);
  }
  const clipV = `if (use_clip) v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(-clip)), vdupq_n_f32(clip));`;
  // c99: the clip as a select, so that the loops stay branch-free (vectorized).
  const clipS = neon ? `if (use_clip) v = v < -clip ? -clip : (v > clip ? clip : v);` : `v = use_clip ? (v < -clip ? -clip : (v > clip ? clip : v)) : v;`;
  const sigmoid = neon ? "neonc_sigmoid_f32" : "neonc_sigmoid_lf", tanh = neon ? "neonc_tanh_f32" : "neonc_tanh_lf";
  const attr = neon ? "" : "NEONC_WIDE ";
  ctx.helper("gru_cell_f32", `
/* g[0..n) = sigmoid(clip(g + r)): the z and r gates. */
static ${attr}void neonc_gru_zr_f32(int n, float *restrict g, const float *restrict r, int use_clip, float clip) {
  int k = 0;${neon ? `
  for (; k + 4 <= n; k += 4) {
    float32x4_t v = vaddq_f32(vld1q_f32(g + k), vld1q_f32(r + k));
    ${clipV}
    vst1q_f32(g + k, neonc_sigmoid_f32x4(v));
  }` : ""}
  for (; k < n; k++) {
    float v = g[k] + r[k];
    ${clipS}
    g[k] = ${sigmoid}(v);
  }
}

/* h = (1 - z) * tanh(clip(gh + (lbr ? rg * rec : rec))) + z * h. */
static ${attr}void neonc_gru_update_f32(int H, const float *restrict z, const float *restrict rg, const float *restrict gh, const float *restrict rec,
                                 float *restrict h, int lbr, int use_clip, float clip) {
  int k = 0;${neon ? `
  for (; k + 4 <= H; k += 4) {
    const float32x4_t zv = vld1q_f32(z + k), rc = vld1q_f32(rec + k);
    float32x4_t v = lbr ? neonc_fma_f32x4(vld1q_f32(gh + k), vld1q_f32(rg + k), rc) : vaddq_f32(vld1q_f32(gh + k), rc);
    ${clipV}
    v = neonc_tanh_f32x4(v);
    vst1q_f32(h + k, vaddq_f32(vmulq_f32(vsubq_f32(vdupq_n_f32(1.0f), zv), v), vmulq_f32(zv, vld1q_f32(h + k))));
  }` : ""}
  for (; k < H; k++) {
    float v = lbr ? gh[k] + rg[k] * rec[k] : gh[k] + rec[k];
    ${clipS}
    v = ${tanh}(v);
    h[k] = (1.0f - z[k]) * v + z[k] * h[k];
  }
}`);
}

function isDefaultActs(attrs: Attrs, D: number): boolean {
  const acts = attrs.activations as readonly string[] | undefined;
  if (!acts || acts.length === 0) return true;
  const want = ["sigmoid", "tanh"];
  return acts.length === 2 * D && acts.every((a, i) => a.toLowerCase() === want[i % 2]);
}

export const gruKernel = defineKernel({
  op: "GRU",
  supports(node: Node, attrs: Attrs, g: Graph) {
    if (g.types[node.inputs[0]!]?.dtype !== "f32") return "only float32 is generated";
    for (const k of [1, 2, 3]) if (node.inputs[k] && !(node.inputs[k]! in g.constants)) return `input ${k} (weights or bias) must be constant`;
    if (typeof g.types[node.inputs[0]!]!.shape[1] !== "number") return "the batch dim must be static";
    if (node.inputs[4]) return "sequence_lens is not supported by the C kernel";
    if (((attrs.layout as number | undefined) ?? 0) !== 0) return "layout=1 is not supported by the C kernel";
    const D = attrs.direction === "bidirectional" ? 2 : 1;
    if (!isDefaultActs(attrs, D)) return "only the default activations (Sigmoid, Tanh) are generated";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    useGemv(ctx);
    useGruCell(ctx);
    const [xN, wN, rN, bN, , h0N] = node.inputs;
    const [yN, yhN] = [node.outputs[0], node.outputs[1]];
    const W = ctx.constant(wN!)!, R = ctx.constant(rN!)!;
    const D = W.shape[0]!, G = W.shape[1]!, I = W.shape[2]!, H = G / 3;
    const x = ctx.type(xN!);
    const B = x.shape[1] as number;
    const [Tn] = ctx.shape(xN!) as [string];
    const lbr = ((attrs.linear_before_reset as number | undefined) ?? 0) !== 0 ? 1 : 0;
    const clip = attrs.clip as number | undefined;
    const clipArgs = clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`;
    const nb = gemvBlock(ctx);
    const ap = matmulScratch(ctx, I);
    const zrRows = Math.ceil((2 * H) / nb) * nb, hRows = Math.ceil(H / nb) * nb;
    const proj = ctx.scratch(mulDim(x.shape[0]!, B * G)), rec = ctx.scratch(zrRows), rech = ctx.scratch(hRows), tmp = ctx.scratch(H), hs = ctx.scratch(B * H);
    const lines = [
      `const float *X = ${ctx.ptr(xN!)};`,
      `float *proj = ${proj}, *rec = ${rec}, *rech = ${rech}, *rh = ${tmp}, *h = ${hs};`,
      `const int Tn = ${Tn};`,
      `int step, b, k;`,
      `(void)rh; (void)k;`,
    ];
    for (let d = 0; d < D; d++) {
      const wd = (W.data as Float32Array).subarray(d * G * I, (d + 1) * G * I);
      const rd = (R.data as Float32Array).subarray(d * G * H, (d + 1) * G * H);
      const wt = ctx.addWeights(`${wN}_d${d}_t`, transpose(wd, G, I));
      const rzr = addGemvWeights(ctx, `${rN}_d${d}_zr`, rd, 2 * H, H);
      const rhp = addGemvWeights(ctx, `${rN}_d${d}_h`, rd.subarray(2 * H * H), H, H);
      let bx = "0", bh: string | undefined;
      if (bN) {
        const bd = (ctx.constant(bN)!.data as Float32Array).subarray(d * 2 * G, (d + 1) * 2 * G);
        const sum = new Float32Array(G);
        for (let j = 0; j < G; j++) sum[j] = j < 2 * H ? bd[j]! + bd[G + j]! : bd[j]!;
        bx = ctx.addWeights(`${bN}_d${d}_x`, sum);
        bh = ctx.addWeights(`${bN}_d${d}_rh`, bd.slice(G + 2 * H, G + 3 * H));
      }
      const reverse = attrs.direction === "reverse" || d === 1;
      lines.push(`/* direction ${d}${reverse ? " (reverse)" : ""} */`);
      lines.push(h0N ? `memcpy(h, ${ctx.ptr(h0N)} + (size_t)${d * B * H}, ${B * H} * sizeof(float));` : `memset(h, 0, ${B * H} * sizeof(float));`);
      const hProduct = lbr
        ? [`    neonc_gemv_f32(${H}, ${hRows}, hb, ${rhp}, rech);`]
        : [`    for (k = 0; k < ${H}; k++) rh[k] = gates[${H} + k] * hb[k];`, `    neonc_gemv_f32(${H}, ${hRows}, rh, ${rhp}, rech);`];
      if (bh) hProduct.push(`    for (k = 0; k < ${H}; k++) rech[k] += ${bh}[k];`);
      lines.push(
        `neonc_matmul_f32(Tn * ${B}, ${I}, ${G}, X, ${wt}, ${G}, ${bx}, proj, 0, 0.0f, 0.0f, ${ap});`,
        `for (step = 0; step < Tn; step++) {`,
        `  const int t = ${reverse ? "Tn - 1 - step" : "step"};`,
        `  for (b = 0; b < ${B}; b++) {`,
        `    float *hb = h + (size_t)b * ${H}, *gates = proj + ((size_t)t * ${B} + b) * ${G};`,
        `    neonc_gemv_f32(${H}, ${zrRows}, hb, ${rzr}, rec);`,
        `    neonc_gru_zr_f32(${2 * H}, gates, rec, ${clipArgs});`,
        ...hProduct,
        `    neonc_gru_update_f32(${H}, gates, gates + ${H}, gates + ${2 * H}, rech, hb, ${lbr}, ${clipArgs});`,
        ...(yN ? [`    memcpy(${ctx.ptr(yN)} + (((size_t)t * ${D} + ${d}) * ${B} + b) * ${H}, hb, ${H} * sizeof(float));`] : []),
        `  }`,
        `}`,
      );
      if (yhN) lines.push(`memcpy(${ctx.ptr(yhN)} + (size_t)${d * B * H}, h, ${B * H} * sizeof(float));`);
    }
    return lines.join("\n");
  },
});
