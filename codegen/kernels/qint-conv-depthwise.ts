// QConvDepthwise in C: a 1-D integer conv with one input channel per group (output channel m
// reads input channel m / Mg) as a direct loop per output channel over its input row padded
// with the zero point: int8/uint8 activations in qint-depthwise.ts (int16 products, NEON tap
// pairs), int16 ones (the 16x8 mode) in qint-16x8.ts (int32 partial sums flushed into int64).
import { defineKernel } from "../kernel.js";
import { qconvInt8, qconvUnsupported } from "./qint-conv-common.js";
import { depthwiseLines } from "./qint-depthwise.js";
import { emitQConv16x8Depthwise } from "./qint-16x8.js";

export const qConvDepthwiseKernel = defineKernel({
  op: "QConvDepthwise",
  supports(node, attrs, g) {
    const bad = qconvUnsupported(node, attrs, g);
    if (bad) return bad;
    const Cg = g.types[node.inputs[1]!]!.shape[1];
    return Cg === 1 ? undefined : `the weights read ${String(Cg)} input channels per group; the direct loop reads one`;
  },
  emit(node, attrs, ctx) {
    if (ctx.type(node.inputs[0]!).dtype === "i16") return emitQConv16x8Depthwise(node, attrs, ctx);
    const s = qconvInt8(node, attrs, ctx);
    const { M, Mg, C, Kw, stride, dil, padL, w } = s.geo;
    return [...s.lines, ...depthwiseLines(ctx, { xType: s.u8 ? "uint8_t" : "int8_t", zp: s.zp, M, Mg, C, N: s.N, Kw, stride, dil, padL, w, rq: s.rq })].join("\n");
  },
});
