// QConvGemmRows in C: a 1-D integer conv (int8/uint8 activations, dilation 1, more than one input
// channel per group) as the int8 GEMM reading each output's patch in place: the group's input is
// turned into zero-point-padded rows [L, Cg] once (qint-conv-rows.ts) and, with the weights
// packed tap-major, output t's K = Kw * Cg values are contiguous from row t * stride, so the GEMM
// takes its activation columns straight from the rows (ldx = stride * Cg): no im2col copy.
import { defineKernel } from "../kernel.js";
import { qconvInt8, qconvRowsGemm, qconvRowsLength, qconvUnsupported } from "./qint-conv-common.js";

export const qConvGemmRowsKernel = defineKernel({
  op: "QConvGemmRows",
  supports(node, attrs, g) {
    const bad = qconvUnsupported(node, attrs, g);
    if (bad) return bad;
    if (g.types[node.inputs[0]!]!.dtype === "i16") return "int16 activations (the 16x8 mode) take QConvIm2col's wide GEMM";
    const dil = (attrs.dilations as readonly number[] | undefined)?.[0] ?? 1;
    return dil === 1 ? undefined : `dilation ${dil}: the taps are not adjacent rows (QConvIm2col copies patches)`;
  },
  emit(node, attrs, ctx) {
    const s = qconvInt8(node, attrs, ctx);
    const r = qconvRowsGemm(node, s, ctx);
    const { group, Cg, stride } = s.geo;
    return [
      ...s.lines,
      ...r.decls(),
      qconvRowsLength(s),
      `int g;`,
      `for (b = 0; b < ${s.N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    ${r.toRows}`,
      `    ${r.gemm("rows", stride * Cg)}`,
      `  }`,
      `  ${r.requant()}`,
      `}`,
    ].join("\n");
  },
});
