// HybridLSTM (ir/ops/qint/hybrid.ts): an LSTM whose W and R are int8 with one scale per gate row,
// computed in float. weights.c keeps the int8 bytes (a quarter of the float size), already in the
// order the float LSTM kernel reads them (W transposed, R packed for its GEMV); each run
// dequantizes one direction at a time into arena scratch and then runs the float LSTM helpers of
// lstm.ts unchanged. Dequantizing q * s in float gives exactly the interpreter's weights (the
// product of an int8 and a float is exact in double, so both round once to the same float), and
// costs one pass over the weights per run against T passes for the recurrence.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { mulDim } from "../../ir/dim.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { gemvBlock, isDefaultActs, packGemv, transpose, useCell, useGemv } from "./lstm.js";
import { useMatmul } from "./matmul.js";

/**
 * `neonc_dequant_cols_i8(nblk, rows, cols, q, s, out)`: out = q * s where the scale depends on the
 * column and the block, s[b * cols + c] (a transposed matrix is one block; GEMV packing one block
 * per group of nb rows).
 */
function useDequant(ctx: KernelContext): void {
  ctx.helper("dequant_cols_i8", `
static void neonc_dequant_cols_i8(int nblk, int rows, int cols, const int8_t *restrict q, const float *restrict s, float *restrict out) {
  int b, r, c;
  for (b = 0; b < nblk; b++) {
    const float *restrict sb = s + (size_t)b * cols;
    for (r = 0; r < rows; r++) {
      const int8_t *restrict qr = q + ((size_t)b * rows + r) * cols;
      float *restrict o = out + ((size_t)b * rows + r) * cols;
      for (c = 0; c < cols; c++) o[c] = (float)qr[c] * sb[c];
    }
  }
}`);
}

function toInt8(f: Float32Array): Int8Array {
  return Int8Array.from(f);
}

function i8ToF32(q: Int8Array): Float32Array {
  return Float32Array.from(q);
}

function scalesOf(attrs: Attrs, key: "w_scales" | "r_scales", d: number, G: number, padTo: number): Float32Array {
  const all = attrs[key] as readonly number[];
  const out = new Float32Array(padTo);
  for (let n = 0; n < G; n++) out[n] = all[d * G + n]!;
  return out;
}

export const hybridLstmKernel = defineKernel({
  op: "HybridLSTM",
  supports(node: Node, attrs: Attrs, g: Graph) {
    if (g.types[node.inputs[0]!]?.dtype !== "f32") return "only float32 activations are generated";
    for (const k of [1, 2, 3, 7]) if (node.inputs[k] && !(node.inputs[k]! in g.constants)) return `input ${k} (weights, bias or peepholes) must be constant`;
    for (const k of [1, 2]) if (g.types[node.inputs[k]!]?.dtype !== "i8") return `input ${k} must be int8`;
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
    useDequant(ctx);
    const [xN, wN, rN, bN, , h0N, c0N, pN] = node.inputs;
    const [yN, yhN, ycN] = [node.outputs[0], node.outputs[1], node.outputs[2]];
    const W = ctx.constant(wN!)!, R = ctx.constant(rN!)!;
    const D = W.shape[0]!, G = W.shape[1]!, I = W.shape[2]!, H = G / 4;
    if ((attrs.w_scales as readonly number[]).length !== D * G || (attrs.r_scales as readonly number[]).length !== D * G) {
      ctx.fail(`w_scales and r_scales need ${D * G} values (one per gate row)`);
    }
    const x = ctx.type(xN!);
    const [Tn, Bn] = ctx.shape(xN!) as [string, string];
    const reverseAll = attrs.direction === "reverse";
    const clip = attrs.clip as number | undefined;
    const inputForget = ((attrs.input_forget as number | undefined) ?? 0) !== 0 ? 1 : 0;
    const Bs = x.shape[1] as number;
    const nb = gemvBlock(ctx);
    const Gp = Math.ceil(G / nb) * nb;
    const proj = ctx.scratch(mulDim(x.shape[0]!, Bs * G)), rec = ctx.scratch(Gp);
    const hs = ctx.scratch(Bs * H), cs = ctx.scratch(Bs * H);
    const wf = ctx.scratch(I * G), rf = ctx.scratch(Gp * H);
    const lines = [
      `const float *X = ${ctx.ptr(xN!)};`,
      `float *proj = ${proj}, *rec = ${rec}, *h = ${hs}, *c = ${cs}, *wf = ${wf}, *rf = ${rf};`,
      `const int Tn = ${Tn}, Bn = ${Bn};`,
      `int step, b;`,
    ];
    const Wq = W.data as Int8Array, Rq = R.data as Int8Array;
    for (let d = 0; d < D; d++) {
      // The float kernel's packings move values without arithmetic, so int8 values survive them.
      const wd = i8ToF32(Wq.subarray(d * G * I, (d + 1) * G * I));
      const rd = i8ToF32(Rq.subarray(d * G * H, (d + 1) * G * H));
      const wq = ctx.addWeights(`${wN}_d${d}_t_i8`, toInt8(transpose(wd, G, I)));
      const rq = ctx.addWeights(`${rN}_d${d}_gemv${nb}_i8`, toInt8(packGemv(rd, G, H, nb)));
      const ws = ctx.addWeights(`${wN}_d${d}_scales`, scalesOf(attrs, "w_scales", d, G, G));
      const rs = ctx.addWeights(`${rN}_d${d}_scales`, scalesOf(attrs, "r_scales", d, G, Gp));
      let bias = "0";
      if (bN) {
        const bd = ctx.constant(bN)!.data as Float32Array;
        const sum = new Float32Array(G);
        for (let j = 0; j < G; j++) sum[j] = bd[d * 2 * G + j]! + bd[d * 2 * G + G + j]!;
        bias = ctx.addWeights(`${bN}_d${d}_sum`, sum);
      }
      const peep = pN ? `${ctx.ptr(pN)} + ${d * 3 * H}` : "0";
      const reverse = reverseAll || d === 1;
      lines.push(`/* direction ${d}${reverse ? " (reverse)" : ""}: dequantize W and R, then the float LSTM */`);
      lines.push(
        `neonc_dequant_cols_i8(1, ${I}, ${G}, ${wq}, ${ws}, wf);`,
        `neonc_dequant_cols_i8(${Gp / nb}, ${H}, ${nb}, ${rq}, ${rs}, rf);`,
      );
      lines.push(h0N ? `memcpy(h, ${ctx.ptr(h0N)} + (size_t)${d} * Bn * ${H}, (size_t)Bn * ${H} * sizeof(float));` : `memset(h, 0, (size_t)Bn * ${H} * sizeof(float));`);
      lines.push(c0N ? `memcpy(c, ${ctx.ptr(c0N)} + (size_t)${d} * Bn * ${H}, (size_t)Bn * ${H} * sizeof(float));` : `memset(c, 0, (size_t)Bn * ${H} * sizeof(float));`);
      lines.push(
        `neonc_matmul_f32(Tn * Bn, ${I}, ${G}, X, wf, ${bias}, proj, 0, 0.0f, 0.0f);`,
        `for (step = 0; step < Tn; step++) {`,
        `  const int t = ${reverse ? "Tn - 1 - step" : "step"};`,
        `  for (b = 0; b < Bn; b++) {`,
        `    float *hb = h + (size_t)b * ${H}, *cb = c + (size_t)b * ${H};`,
        `    neonc_gemv_f32(${H}, ${Gp}, hb, rf, rec);`,
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
