// QLSTM in C (ir/ops/qint/qlstm.ts), integer only. Per direction: the input halves of all T*B
// steps are one int8 GEMM (qint-gemm.ts, W packed at compile time with the x zero point folded
// into the bias) and one per-row requantization to Q3.12; then each step runs the recurrent
// GEMV (R packed the same way, h zero point folded), its requantization, and the cell:
//   gates via neonc_qrnn_lut (513-entry Q0.15 tables in weights.c), c in int16 with rounding
//   shifts, o * tanh(c) in Q0.30 requantized to int8 by the rounding's fixed-point multiply.
// The element-wise part is scalar on every target: it is O(H) per step against the O(4H^2) GEMV.
// The h state is int8 (int16 on c99, whose GEMM reads int16 activations); c is int16. Entries
// past their sequence length leave the zero point in Y and 0 in Y_c, as the interpreter does.
import { mulDim } from "../../ir/dim.js";
import { numDirections } from "../../ir/ops/recurrent/common.js";
import { defineKernel } from "../kernel.js";
import { requantOf } from "./qint-common.js";
import { inputHalfCode, lensCode, packRows, qrnnUnsupported, rowScales, useQRnnC } from "./qint-rnn-common.js";

export const qLstmKernel = defineKernel({
  op: "QLSTM",
  supports: (node, _a, g) => qrnnUnsupported(node, g),
  emit(node, attrs, ctx) {
    const [xN, wN, rN, bN, seqN, h0N, c0N] = node.inputs;
    const [yN, yhN, ycN] = node.outputs;
    const W = ctx.constant(wN!)!, R = ctx.constant(rN!)!;
    const wq = W.data as Int8Array, rq = R.data as Int8Array;
    const D = numDirections(attrs.direction as string);
    const G = W.shape[1]!, I = W.shape[2]!, H = G / 4;
    const xt = ctx.type(xN!);
    const B = xt.shape[1] as number;
    const T = ctx.dim(xt.shape[0]!);
    const bias = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
    const zpx = attrs.x_zero_point as number, zph = attrs.h_zero_point as number;
    const cs = attrs.cell_shift as number;
    if (!Number.isInteger(cs) || cs < 0 || cs > 15) ctx.fail(`cell_shift must be in [0, 15], got ${cs}`);
    const c = useQRnnC(ctx, attrs.rounding as string, !wq.some((v) => v === -128) && !rq.some((v) => v === -128));
    const out = requantOf({ multiplier: [attrs.out_multiplier as number], shift: [attrs.out_shift as number], rounding: attrs.rounding, y_zero_point: zph, out_dtype: "i8" }, 1, ctx);
    const table = (k: string) => ctx.addWeights(`qlstm_${k}`, Int16Array.from(attrs[k] as readonly number[]));
    const [sig, tnh, ctn] = [table("sigmoid_table"), table("tanh_table"), table("cell_tanh_table")];
    const gt = c.gemm.xType;
    const scalar = gt === "int16_t";
    const lines = [
      `const int Tn = ${T};`,
      `int32_t *xin = ${ctx.scratch(mulDim(xt.shape[0]!, B * G), "int32_t")}, *rec = ${ctx.scratch(G, "int32_t")};`,
      `int8_t *h = ${ctx.scratch(B * H, "int8_t")};`,
      `int16_t *c = ${ctx.scratch(B * H, "int16_t")};`,
      `const int16_t *sig = ${sig}, *tnh = ${tnh}, *ctn = ${ctn};`,
      `int r, s, b, k;`,
      ...lensCode(ctx, seqN || undefined, B, "Tn"),
    ];
    if (scalar) {
      // The scalar GEMM reads int16 activations: X once, h once per step.
      lines.push(
        `int16_t *xg = ${ctx.scratch(mulDim(xt.shape[0]!, B * I), "int16_t")}, *hg = ${ctx.scratch(H, "int16_t")};`,
        `{ const int8_t *X = ${ctx.ptr(xN!)}; for (r = 0; r < Tn * ${B * I}; r++) xg[r] = X[r]; }`,
      );
    } else {
      lines.push(`const int8_t *xg = ${ctx.ptr(xN!)};`);
    }
    if (yN && seqN) lines.push(`memset(${ctx.ptr(yN)}, ${zph}, (size_t)Tn * ${D * B * H});`);
    const igShift = 30 - cs;
    for (let d = 0; d < D; d++) {
      const reverse = attrs.direction === "reverse" || d === 1;
      const pw = packRows(ctx, `${wN}_qlstm`, wq, G, I, d, 0, G, bias, d * 2 * G, zpx);
      const pr = packRows(ctx, `${rN}_qlstm`, rq, G, H, d, 0, G, bias, d * 2 * G + G, zph);
      const xs = rowScales(ctx, "qlstm_x", attrs.x_multiplier as number[], attrs.x_shift as number[], G, d, 0, G);
      const hs = rowScales(ctx, "qlstm_h", attrs.h_multiplier as number[], attrs.h_shift as number[], G, d, 0, G);
      const st = `(size_t)${d * B * H}`;
      lines.push(
        `/* direction ${d}${reverse ? " (reverse)" : ""} */`,
        ...inputHalfCode(c, `Tn * ${B}`, G, I, pw, xs),
        h0N ? `memcpy(h, ${ctx.ptr(h0N)} + ${st}, ${B * H});` : `memset(h, ${zph}, ${B * H});`,
        c0N ? `memcpy(c, ${ctx.ptr(c0N)} + ${st}, ${B * H} * sizeof(int16_t));` : `memset(c, 0, ${B * H} * sizeof(int16_t));`,
        `for (s = 0; s < Tn; s++) {`,
        `  for (b = 0; b < ${B}; b++) {`,
        `    const int t = ${reverse ? "lens[b] - 1 - s" : "s"};`,
        `    int8_t *hb = h + b * ${H};`,
        `    int16_t *cb = c + b * ${H};`,
        `    const int32_t *xb;`,
        `    if (s >= lens[b]) continue;`,
        `    xb = xin + ((size_t)t * ${B} + b) * ${G};`,
        ...(scalar ? [`    for (k = 0; k < ${H}; k++) hg[k] = hb[k];`, `    ${c.gemm.call(G, "1", H, pr.w, "hg", H, pr.bias, "rec", 1, G)}`]
          : [`    ${c.gemm.call(G, "1", H, pr.w, "hb", H, pr.bias, "rec", 1, G)}`]),
        `    ${c.half}(rec, ${G}, ${hs.m}, ${hs.s});`,
        `    for (k = 0; k < ${H}; k++) {`,
        `      const int32_t i = neonc_qrnn_lut(sig, neonc_qrnn_add16(xb[k], rec[k]));`,
        `      const int32_t o = neonc_qrnn_lut(sig, neonc_qrnn_add16(xb[${H} + k], rec[${H} + k]));`,
        `      const int32_t f = neonc_qrnn_lut(sig, neonc_qrnn_add16(xb[${2 * H} + k], rec[${2 * H} + k]));`,
        `      const int32_t g = neonc_qrnn_lut(tnh, neonc_qrnn_add16(xb[${3 * H} + k], rec[${3 * H} + k]));`,
        `      const int32_t cn = neonc_qrnn_clamp16(((f * cb[k] + 16384) >> 15) + ((i * g + ${2 ** (igShift - 1)}) >> ${igShift}));`,
        `      const int64_t v = (int64_t)${c.fp}(o * neonc_qrnn_lut(ctn, cn), ${out.multiplier[0]}, ${out.shift[0]}) + ${zph};`,
        `      cb[k] = (int16_t)cn;`,
        `      hb[k] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : (int32_t)v));`,
        `    }`,
        ...(yN ? [`    memcpy(${ctx.ptr(yN)} + (((size_t)t * ${D} + ${d}) * ${B} + b) * ${H}, hb, ${H});`] : []),
        `  }`,
        `}`,
      );
      // Final states: an entry with an empty sequence reports zeros (the zero point for h).
      for (const [o, src, zero, size] of [[yhN, "h", zph, 1], [ycN, "c", 0, 2]] as const) {
        if (!o) continue;
        lines.push(
          `for (b = 0; b < ${B}; b++) {`,
          `  if (lens[b] > 0) memcpy(${ctx.ptr(o)} + ${st} + b * ${H}, ${src} + b * ${H}, ${H * size});`,
          `  else for (k = 0; k < ${H}; k++) ${ctx.ptr(o)}[${st} + b * ${H} + k] = ${zero};`,
          `}`,
        );
      }
    }
    return lines.join("\n");
  },
});
