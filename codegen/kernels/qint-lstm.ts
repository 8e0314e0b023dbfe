// QLSTM in C (ir/ops/integer/qlstm.ts), integer only. Per direction: the input halves of all T*B
// steps are one int8 GEMM (qint-gemm.ts, W packed at compile time with the x zero point folded
// into the bias) and one per-row requantization to Q3.12; then each step runs the recurrent
// GEMV (R packed the same way, h zero point folded), its requantization, and the cell:
//   gates via neonc_qrnn_lut (513-entry Q0.15 tables in weights.c), c in int16 with rounding
//   shifts, o * tanh(c) in Q0.30 requantized to int8 by the rounding's fixed-point multiply.
// The element-wise part is scalar on every target: it is O(H) per step against the O(4H^2) GEMV.
// The h state is int8 (int16 on c99, whose GEMM reads int16 activations); c is int16. Entries
// past their sequence length leave the zero point in Y and 0 in Y_c, as the interpreter does.
import { defineKernel } from "../kernel.js";
import { scratchCount } from "./rnn-frame.js";
import { directionStart, gemmInputCode, lensCode, packRows, qrnnLayer, qrnnUnsupported, rowScales, stepLoop } from "./qint-rnn-common.js";

export const qLstmKernel = defineKernel({
  op: "QLSTM",
  supports: (node, _a, g) => qrnnUnsupported(node, g),
  emit(node, attrs, ctx) {
    const [xN, wN, rN, , seqN, h0N, c0N] = node.inputs;
    const [yN, yhN, ycN] = node.outputs;
    const cs = attrs.cell_shift as number;
    if (!Number.isInteger(cs) || cs < 0 || cs > 15) ctx.fail(`cell_shift must be in [0, 15], got ${cs}`);
    const layer = qrnnLayer(node, attrs, ctx, 4, "qlstm");
    const { wq, rq, D, G, I, H, B, bias, zpx, zph, c, out, scalar } = layer;
    const [sig, tnh, ctn] = [layer.table("sigmoid_table"), layer.table("tanh_table"), layer.table("cell_tanh_table")];
    const lines = [
      layer.sizes,
      `int32_t *xin = ${ctx.scratch(scratchCount(ctx, ctx.type(xN!).shape[0]!, B, G), "int32_t")}, *rec = ${ctx.scratch(G, "int32_t")};`,
      `int8_t *h = ${ctx.scratch(scratchCount(ctx, B, H), "int8_t")};`,
      `int16_t *c = ${ctx.scratch(scratchCount(ctx, B, H), "int16_t")};`,
      `const int16_t *sig = ${sig}, *tnh = ${tnh}, *ctn = ${ctn};`,
      `int r, s, b, k;`,
      ...lensCode(ctx, seqN || undefined, B, "Tn"),
      ...gemmInputCode(ctx, layer, xN!),
    ];
    if (yN && seqN) lines.push(`memset(${ctx.ptr(yN)}, ${zph}, (size_t)Tn * Bn * ${D * H});`);
    const igShift = 30 - cs;
    for (let d = 0; d < D; d++) {
      const reverse = attrs.direction === "reverse" || d === 1;
      const pw = packRows(ctx, `${wN}_qlstm`, wq, G, I, d, 0, G, bias, d * 2 * G, zpx);
      const pr = packRows(ctx, `${rN}_qlstm`, rq, G, H, d, 0, G, bias, d * 2 * G + G, zph);
      const xs = rowScales(ctx, "qlstm_x", attrs.x_multiplier as number[], attrs.x_shift as number[], G, d, 0, G);
      const hs = rowScales(ctx, "qlstm_h", attrs.h_multiplier as number[], attrs.h_shift as number[], G, d, 0, G);
      const st = `(size_t)${d} * Bn * ${H}`;
      lines.push(
        ...directionStart(ctx, layer, d, reverse, pw, xs, h0N),
        c0N ? `memcpy(c, ${ctx.ptr(c0N)} + ${st}, (size_t)Bn * ${H} * sizeof(int16_t));` : `memset(c, 0, (size_t)Bn * ${H} * sizeof(int16_t));`,
        ...stepLoop(ctx, layer, d, reverse, yN, [`int16_t *cb = c + b * ${H};`], [
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
        ]),
      );
      // Final states: an entry with an empty sequence reports zeros (the zero point for h).
      for (const [o, src, zero, size] of [[yhN, "h", zph, 1], [ycN, "c", 0, 2]] as const) {
        if (!o) continue;
        lines.push(
          `for (b = 0; b < Bn; b++) {`,
          `  if (lens[b] > 0) memcpy(${ctx.ptr(o)} + ${st} + b * ${H}, ${src} + b * ${H}, ${H * size});`,
          `  else for (k = 0; k < ${H}; k++) ${ctx.ptr(o)}[${st} + b * ${H} + k] = ${zero};`,
          `}`,
        );
      }
    }
    return lines.join("\n");
  },
});
