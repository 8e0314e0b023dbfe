// LSTM (ONNX semantics: gates i, o, f, c; optional peepholes, clip, input_forget; forward,
// reverse or bidirectional) with the default activations. Each step computes W·x_t and R·h as
// packed GEMMs with N = 1 (the 4-row blocks make them matrix-vector products that NEON runs 4
// rows at a time), then the cell update in a scalar loop with expf/tanhf.
import type { Graph, Node } from "../../ir/graph.js";
import type { Attrs } from "../../ir/graph.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { packRows4, useGemm } from "./gemm.js";

function useCell(ctx: KernelContext): void {
  ctx.helper("lstm_cell_f32", `
static inline float neonc_sigmoid_f32(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline float neonc_clamp_f32(float x, float c) { return x < -c ? -c : (x > c ? c : x); }

static void neonc_lstm_cell_f32(int H, const float *g, const float *r, float *c, float *h, const float *p,
                                int use_clip, float clip, int input_forget) {
  int k;
  for (k = 0; k < H; k++) {
    float gi = g[k] + r[k], go = g[H + k] + r[H + k], gf = g[2 * H + k] + r[2 * H + k], gc = g[3 * H + k] + r[3 * H + k];
    const float cp = c[k];
    float i, f, o, cn, ct;
    if (p) { gi += p[k] * cp; gf += p[2 * H + k] * cp; }
    if (use_clip) { gi = neonc_clamp_f32(gi, clip); gf = neonc_clamp_f32(gf, clip); gc = neonc_clamp_f32(gc, clip); }
    i = neonc_sigmoid_f32(gi);
    f = input_forget ? 1.0f - i : neonc_sigmoid_f32(gf);
    cn = f * cp + i * tanhf(gc);
    c[k] = cn;
    if (p) go += p[H + k] * cn;
    if (use_clip) go = neonc_clamp_f32(go, clip);
    o = neonc_sigmoid_f32(go);
    ct = use_clip ? neonc_clamp_f32(cn, clip) : cn;
    h[k] = o * tanhf(ct);
  }
}`);
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
    useGemm(ctx);
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
    const gates = ctx.scratch(G), rec = ctx.scratch(G);
    const hs = ctx.scratch((x.shape[1] as number) * H), cs = ctx.scratch((x.shape[1] as number) * H);
    const lines = [
      `const float *X = ${ctx.ptr(xN!)};`,
      `float *gates = ${gates}, *rec = ${rec}, *h = ${hs}, *c = ${cs};`,
      `const int Tn = ${Tn}, Bn = ${Bn};`,
      `int step, b;`,
    ];
    for (let d = 0; d < D; d++) {
      const wd = (W.data as Float32Array).subarray(d * G * I, (d + 1) * G * I);
      const rd = (R.data as Float32Array).subarray(d * G * H, (d + 1) * G * H);
      const wp = ctx.addWeights(`${wN}_d${d}_packed`, packRows4(wd, G, I));
      const rp = ctx.addWeights(`${rN}_d${d}_packed`, packRows4(rd, G, H));
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
        `for (step = 0; step < Tn; step++) {`,
        `  const int t = ${reverse ? "Tn - 1 - step" : "step"};`,
        `  for (b = 0; b < Bn; b++) {`,
        `    float *hb = h + (size_t)b * ${H}, *cb = c + (size_t)b * ${H};`,
        `    neonc_gemm_f32(${G}, 1, ${I}, ${wp}, X + ((size_t)t * Bn + b) * ${I}, 1, gates, 1, ${bias}, 0, 0.0f, 0.0f);`,
        `    neonc_gemm_f32(${G}, 1, ${H}, ${rp}, hb, 1, rec, 1, 0, 0, 0.0f, 0.0f);`,
        `    neonc_lstm_cell_f32(${H}, gates, rec, cb, hb, ${peep}, ${clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`}, ${inputForget});`,
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
