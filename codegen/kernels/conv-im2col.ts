// ConvIm2col in C: a 2-D conv as im2col of each image and group into scratch
// (neonc_im2col2d_f32, conv-helpers.ts) followed by the packed GEMM, bias and the fused
// activation in its epilogue.
import { mulDim } from "../../ir/dim.js";
import { defineKernel } from "../kernel.js";
import { useGemm } from "./gemm.js";
import { useIm2col2d } from "./conv-helpers.js";
import { convSizes, floatConvUnsupported, groupOutput, packedConvWeights } from "./conv-common.js";

export const convIm2colKernel = defineKernel({
  op: "ConvIm2col",
  supports: (node, attrs, g) => floatConvUnsupported(node, attrs, g, [2]),
  emit(node, attrs, ctx) {
    const s = convSizes(node, attrs, ctx);
    const wb = packedConvWeights(node, s, ctx);
    useGemm(ctx);
    useIm2col2d(ctx);
    const y = ctx.type(node.outputs[0]!);
    const col = ctx.scratch(mulDim(s.Kc, y.shape.slice(2).reduce((a, b) => mulDim(a, b), 1)));
    const xg = `${ctx.ptr(node.inputs[0]!)} + ((size_t)n * ${s.C} + (size_t)g * ${s.Cg}) * ${s.inSize}`;
    const [k, st, d, p] = [s.kernel, s.strides, s.dilations, s.padBegin];
    return [
      `float *const col = ${col};`,
      `int n, g;`,
      `for (n = 0; n < ${s.N}; n++)`,
      `  for (g = 0; g < ${s.group}; g++) {`,
      `    neonc_im2col2d_f32(${xg}, ${s.Cg}, ${s.inSp[0]}, ${s.inSp[1]}, ${k[0]}, ${k[1]}, ${st[0]}, ${st[1]}, ${d[0]}, ${d[1]}, ${p[0]}, ${p[1]}, ${s.outSp[0]}, ${s.outSp[1]}, col);`,
      `    neonc_gemm_f32(${s.Mg}, ${s.outSize}, ${s.Kc}, ${wb.w}, col, ${s.outSize}, ${groupOutput(node, s, ctx)}, ${s.outSize}, ${wb.bias}, ${s.act});`,
      `  }`,
    ].join("\n");
  },
});
