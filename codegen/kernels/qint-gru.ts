// QGRU in C (ir/ops/integer/qgru.ts), integer only, both reset variants. Per direction: the input
// halves of all steps are one int8 GEMM plus a per-row requantization to Q3.12 (as in
// qint-lstm.ts); each step runs the recurrent GEMV of the z and r rows, their gates, then the
// h rows: on h itself (linear_before_reset = 1, the product scaled by r afterwards) or on
// r * h kept on h's int8 grid (linear_before_reset = 0). The update
//   h = clamp8(zp_h + M_out((2^15 - z) * n) + rshr(z * (h - zp_h), 15))
// uses the rounding's scalar fixed-point multiply. R is packed as two row blocks (z/r and h).
import { defineKernel } from "../kernel.js";
import { scratchCount } from "./rnn-frame.js";
import { directionStart, gemmInputCode, lensCode, packRows, qrnnLayer, qrnnUnsupported, rowScales, stepLoop } from "./qint-rnn-common.js";

export const qGruKernel = defineKernel({
  op: "QGRU",
  supports: (node, _a, g) => qrnnUnsupported(node, g),
  emit(node, attrs, ctx) {
    const [xN, wN, rN, , seqN, h0N] = node.inputs;
    const [yN, yhN] = node.outputs;
    const layer = qrnnLayer(node, attrs, ctx, 3, "qgru");
    const { wq, rq, D, G, I, H, B, bias, zpx, zph, c, out, scalar } = layer;
    const lbr = (attrs.linear_before_reset as number) === 1;
    const [sig, tnh] = [layer.table("sigmoid_table"), layer.table("tanh_table")];
    const lines = [
      layer.sizes,
      `int32_t *xin = ${ctx.scratch(scratchCount(ctx, ctx.type(xN!).shape[0]!, B, G), "int32_t")}, *rec = ${ctx.scratch(2 * H, "int32_t")}, *rech = ${ctx.scratch(H, "int32_t")};`,
      `int32_t *z = ${ctx.scratch(H, "int32_t")}, *rg = ${ctx.scratch(H, "int32_t")};`,
      `int8_t *h = ${ctx.scratch(scratchCount(ctx, B, H), "int8_t")};`,
      `const int16_t *sig = ${sig}, *tnh = ${tnh};`,
      `int r, s, b, k;`,
      ...lensCode(ctx, seqN || undefined, B, "Tn"),
      // The h rows' activations: h itself (lbr = 1) or r * h on h's grid (lbr = 0), as the GEMM reads them.
      ...gemmInputCode(ctx, layer, xN!, (type) => (lbr ? [] : [`${type} *hr = ${ctx.scratch(H, type)};`])),
    ];
    if (yN && seqN) lines.push(`memset(${ctx.ptr(yN)}, ${zph}, (size_t)Tn * Bn * ${D * H});`);
    for (let d = 0; d < D; d++) {
      const reverse = attrs.direction === "reverse" || d === 1;
      const pw = packRows(ctx, `${wN}_qgru`, wq, G, I, d, 0, G, bias, d * 2 * G, zpx);
      const pzr = packRows(ctx, `${rN}_qgru`, rq, G, H, d, 0, 2 * H, bias, d * 2 * G + G, zph);
      const ph = packRows(ctx, `${rN}_qgru`, rq, G, H, d, 2 * H, H, bias, d * 2 * G + G + 2 * H, zph);
      const xs = rowScales(ctx, "qgru_x", attrs.x_multiplier as number[], attrs.x_shift as number[], G, d, 0, G);
      const hzr = rowScales(ctx, "qgru_h", attrs.h_multiplier as number[], attrs.h_shift as number[], G, d, 0, 2 * H);
      const hh = rowScales(ctx, "qgru_h", attrs.h_multiplier as number[], attrs.h_shift as number[], G, d, 2 * H, H);
      const st = `(size_t)${d} * Bn * ${H}`;
      const hIn = scalar ? "hg" : "hb";
      lines.push(
        ...directionStart(ctx, layer, d, reverse, pw, xs, h0N),
        ...stepLoop(ctx, layer, d, reverse, yN, [], [
          ...(scalar ? [`    for (k = 0; k < ${H}; k++) hg[k] = hb[k];`] : []),
          `    ${c.gemm.call(2 * H, "1", H, pzr.w, hIn, H, pzr.bias, "rec", 1, 2 * H)}`,
          `    ${c.half}(rec, ${2 * H}, ${hzr.m}, ${hzr.s});`,
          `    for (k = 0; k < ${H}; k++) {`,
          `      z[k] = neonc_qrnn_lut(sig, neonc_qrnn_add16(xb[k], rec[k]));`,
          `      rg[k] = neonc_qrnn_lut(sig, neonc_qrnn_add16(xb[${H} + k], rec[${H} + k]));`,
          `    }`,
          ...(lbr
            ? [
              `    ${c.gemm.call(H, "1", H, ph.w, hIn, H, ph.bias, "rech", 1, H)}`,
              `    ${c.half}(rech, ${H}, ${hh.m}, ${hh.s});`,
              `    for (k = 0; k < ${H}; k++) rech[k] = (rg[k] * neonc_qrnn_clamp16(rech[k]) + 16384) >> 15;`,
            ]
            : [
              `    for (k = 0; k < ${H}; k++) hr[k] = (${scalar ? "int16_t" : "int8_t"})(${zph} + (((hb[k] - ${zph}) * rg[k] + 16384) >> 15));`,
              `    ${c.gemm.call(H, "1", H, ph.w, "hr", H, ph.bias, "rech", 1, H)}`,
              `    ${c.half}(rech, ${H}, ${hh.m}, ${hh.s});`,
            ]),
          `    for (k = 0; k < ${H}; k++) {`,
          `      const int32_t n = neonc_qrnn_lut(tnh, neonc_qrnn_add16(xb[${2 * H} + k], rech[k]));`,
          `      const int64_t v = (int64_t)${c.fp}((32768 - z[k]) * n, ${out.multiplier[0]}, ${out.shift[0]}) + ${zph} + ((z[k] * (hb[k] - ${zph}) + 16384) >> 15);`,
          `      hb[k] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : (int32_t)v));`,
          `    }`,
        ]),
      );
      if (yhN) {
        lines.push(
          `for (b = 0; b < Bn; b++) {`,
          `  if (lens[b] > 0) memcpy(${ctx.ptr(yhN)} + ${st} + b * ${H}, h + b * ${H}, ${H});`,
          `  else memset(${ctx.ptr(yhN)} + ${st} + b * ${H}, ${zph}, ${H});`,
          `}`,
        );
      }
    }
    return lines.join("\n");
  },
});
