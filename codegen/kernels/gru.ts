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
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { useWide } from "./gemm.js";
import { gemvBlock, useGemv } from "./lstm.js";
import { frameSupports, initState, projectionScratch, prologue, rnnFrame, saveState, stateScratch, stepLoop } from "./rnn-frame.js";
import { RnnWeights } from "./rnn-weights.js";
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
    const D = attrs.direction === "bidirectional" ? 2 : 1;
    if (!isDefaultActs(attrs, D)) return "only the default activations (Sigmoid, Tanh) are generated";
    return frameSupports(node, attrs, g);
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    useGemv(ctx);
    useGruCell(ctx);
    const [xN, wN, rN, bN, , h0N] = node.inputs;
    const yhN = node.outputs[1];
    const w = ctx.type(wN!);
    const D = w.shape[0] as number, G = w.shape[1] as number, H = G / 3;
    const f = rnnFrame(node, attrs, ctx, D, H);
    const I = f.I;
    const lbr = ((attrs.linear_before_reset as number | undefined) ?? 0) !== 0 ? 1 : 0;
    const clip = attrs.clip as number | undefined;
    const clipArgs = clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`;
    const nb = gemvBlock(ctx);
    const ap = matmulScratch(ctx, I);
    const weights = new RnnWeights(ctx);
    const zrRows = Math.ceil((2 * H) / nb) * nb, hRows = Math.ceil(H / nb) * nb;
    const lines = prologue(ctx, f, xN!, [
      `proj = ${projectionScratch(ctx, f, G)}`, `rec = ${ctx.scratch(zrRows)}`, `rech = ${ctx.scratch(hRows)}`, `rh = ${ctx.scratch(H)}`, `h = ${stateScratch(ctx, f)}`,
    ], "k");
    lines.push(`(void)rh; (void)k;`);
    for (let d = 0; d < D; d++) {
      // Wb + Rb for the z and r rows; Rbh is added to the h rows' product (lbr = 1 scales it by r).
      const wt = weights.projection(wN!, d, G, I), bx = weights.bias(bN || undefined, d, G, 2 * H);
      const rzr = weights.recurrent(rN!, d, G, H, 0, 2 * H), rhp = weights.recurrent(rN!, d, G, H, 2 * H, H);
      const bh = bN ? weights.recurrentBias(bN, d, G, 2 * H, H) : undefined;
      const hProduct = lbr
        ? [`neonc_gemv_f32(${H}, ${hRows}, hb, ${rhp.ptr}, rech);`]
        : [`for (k = 0; k < ${H}; k++) rh[k] = g[${H} + k] * hb[k];`, `neonc_gemv_f32(${H}, ${hRows}, rh, ${rhp.ptr}, rech);`];
      if (bh) hProduct.push(`for (k = 0; k < ${H}; k++) rech[k] += ${bh}[k];`);
      lines.push(
        `/* direction ${d}${f.reverse(d) ? " (reverse)" : ""} */`,
        ...wt.code, ...bx.code, ...rzr.code, ...rhp.code,
        initState(ctx, f, h0N || undefined, "h", d),
        `neonc_matmul_f32(Tn * Bn, ${I}, ${G}, X, ${wt.ptr}, ${G}, ${bx.ptr}, proj, 0, 0.0f, 0.0f, ${ap});`,
        ...stepLoop(f, ctx, d, G, [
          `neonc_gemv_f32(${H}, ${zrRows}, hb, ${rzr.ptr}, rec);`,
          `neonc_gru_zr_f32(${2 * H}, g, rec, ${clipArgs});`,
          ...hProduct,
          `neonc_gru_update_f32(${H}, g, g + ${H}, g + ${2 * H}, rech, hb, ${lbr}, ${clipArgs});`,
        ]),
        ...saveState(ctx, f, yhN || undefined, "h", d),
      );
    }
    return lines.join("\n");
  },
});
