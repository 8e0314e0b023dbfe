// ConvGemmRows in C: a 1-D conv as the packed GEMM neonc_gemm_rows_f32 whose X rows are read in
// place from a zero-padded (and, for strides, phase-split) copy of the input through a table
// of row offsets (conv-helpers.ts): the copy is the input's size, not taps times it.
import { addDim, mulDim } from "../../ir/dim.js";
import { defineKernel } from "../kernel.js";
import { useGemmRows } from "./gemm.js";
import { useConv1dRows } from "./conv-helpers.js";
import { convSizes, floatConvUnsupported, groupOutput, packedConvWeights, padBeforeC, useMaxInt } from "./conv-common.js";

export const convGemmRowsKernel = defineKernel({
  op: "ConvGemmRows",
  supports: (node, attrs, g) => floatConvUnsupported(node, attrs, g, [1]),
  emit(node, attrs, ctx) {
    const s = convSizes(node, attrs, ctx);
    const wb = packedConvWeights(node, s, ctx);
    // X row (c, j) of group g, at column t, is tap j of output t: the padded input of channel
    // c at t*s + j*d, i.e. phase (j*d) % s at (j*d) / s + t of the phase-split copy.
    useConv1dRows(ctx);
    useMaxInt(ctx);
    useGemmRows(ctx);
    const [K, st, d] = [s.kernel[0]!, s.strides[0]!, s.dilations[0]!];
    const extra = Math.floor(((K - 1) * d) / st);
    const y = ctx.type(node.outputs[0]!);
    const buf = ctx.scratch(mulDim(st * s.C, addDim(y.shape[2]!, extra)));
    const off = ctx.scratch(s.Kc, "int32_t");
    // Locals named by ctx.local: a symbolic dim could be called L.
    const [bufV, offV, lenV] = [ctx.local("buf"), ctx.local("xoff"), ctx.local("L")];
    return [
      `float *const ${bufV} = ${buf};`,
      `int32_t *const ${offV} = ${off};`,
      `const int ${lenV} = ${s.outSp[0]} + ${extra};`,
      `int n, g;`,
      `for (n = 0; n < ${s.N}; n++) {`,
      `  neonc_conv1d_rows_f32(${ctx.ptr(node.inputs[0]!)} + (size_t)n * ${s.C} * ${s.inSize}, ${s.C}, ${s.Cg}, ${s.inSp[0]}, ${K}, ${st}, ${d}, ${padBeforeC(s, 0)}, ${lenV}, ${bufV}, ${offV});`,
      `  for (g = 0; g < ${s.group}; g++)`,
      `    neonc_gemm_rows_f32(${s.Mg}, ${s.outSize}, ${s.Kc}, ${wb.w}, ${bufV} + (size_t)g * ${s.Cg} * ${lenV}, ${offV}, ${groupOutput(node, s, ctx)}, ${s.outSize}, ${wb.bias}, ${s.act});`,
      `}`,
    ].join("\n");
  },
});
