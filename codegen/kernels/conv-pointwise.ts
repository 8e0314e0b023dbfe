// ConvPointwise in C: a 1x1 conv with stride 1 and no padding is one packed GEMM per image and
// group straight on the input (its Cg x length planes are the GEMM's X), bias and the fused
// activation in the GEMM's epilogue.
import { defineKernel } from "../kernel.js";
import { useGemm } from "./gemm.js";
import { convSizes, floatConvUnsupported, groupOutput, packedConvWeights } from "./conv-common.js";

export const convPointwiseKernel = defineKernel({
  op: "ConvPointwise",
  supports: (node, attrs, g) => floatConvUnsupported(node, attrs, g, [1, 2]),
  emit(node, attrs, ctx) {
    const s = convSizes(node, attrs, ctx);
    const wb = packedConvWeights(node, s, ctx);
    useGemm(ctx);
    const xg = `${ctx.ptr(node.inputs[0]!)} + ((size_t)n * ${s.C} + (size_t)g * ${s.Cg}) * ${s.inSize}`;
    return [
      `int n, g;`,
      `for (n = 0; n < ${s.N}; n++)`,
      `  for (g = 0; g < ${s.group}; g++)`,
      `    neonc_gemm_f32(${s.Mg}, ${s.outSize}, ${s.Kc}, ${wb.w}, ${xg}, ${s.inSize}, ${groupOutput(node, s, ctx)}, ${s.outSize}, ${wb.bias}, ${s.act});`,
    ].join("\n");
  },
});
