// QConvIm2col in C: a 1-D integer conv as im2col patches (each output's K values k-contiguous in
// scratch) followed by a GEMM over them, group by group.
// - int8/uint8 activations: the zero-point-padded rows of qint-conv-rows.ts, then each output's
//   Kw rows (dilation apart, so not adjacent) copied into its patch, and the int8 GEMM on the
//   tap-major packed weights;
// - int16 activations (the 16x8 mode): patches straight from the input, padding 0, and the wide
//   GEMM with exact int64 sums (qint-16x8.ts).
import { mulDim } from "../../ir/dim.js";
import { defineKernel } from "../kernel.js";
import { qconvInt8, qconvRowsGemm, qconvRowsLength, qconvUnsupported } from "./qint-conv-common.js";
import { emitQConv16x8Im2col } from "./qint-16x8.js";

export const qConvIm2colKernel = defineKernel({
  op: "QConvIm2col",
  supports: (node, attrs, g) => qconvUnsupported(node, attrs, g),
  emit(node, attrs, ctx) {
    if (ctx.type(node.inputs[0]!).dtype === "i16") return emitQConv16x8Im2col(node, attrs, ctx);
    const s = qconvInt8(node, attrs, ctx);
    const r = qconvRowsGemm(node, s, ctx);
    const { group, Cg, Kw, K, stride, dil } = s.geo;
    const col = ctx.scratch(mulDim(ctx.type(node.outputs[0]!).shape[2]!, K), r.xType);
    return [
      ...s.lines,
      ...r.decls(),
      `${r.xType} *col = ${col};`,
      qconvRowsLength(s),
      `int g, t, j;`,
      `for (b = 0; b < ${s.N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    ${r.toRows}`,
      `    for (t = 0; t < qTo; t++)`,
      `      for (j = 0; j < ${Kw}; j++) memcpy(col + (size_t)t * ${K} + j * ${Cg}, rows + ((size_t)t * ${stride} + j * ${dil}) * ${Cg}, ${Cg} * sizeof(${r.xType}));`,
      `    ${r.gemm("col", K)}`,
      `  }`,
      `  ${r.requant()}`,
      `}`,
    ].join("\n");
  },
});
