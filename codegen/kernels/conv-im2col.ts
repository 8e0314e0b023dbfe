// ConvIm2col in C: a 2-D (or 3-D and more) conv as im2col of each image and group into scratch
// followed by the packed GEMM, bias and the fused activation in its epilogue. 2-D uses the shared
// helper neonc_im2col2d_f32 (conv-helpers.ts); more dims get loops generated for their rank
// (kernel offsets, then output positions, a zero outside the input).
import { mulDim } from "../../ir/dim.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { useGemm } from "./gemm.js";
import { useIm2col2d } from "./conv-helpers.js";
import { convSizes, floatConvUnsupported, groupOutput, packedConvWeights, type ConvSizes } from "./conv-common.js";

export const convIm2colKernel = defineKernel({
  op: "ConvIm2col",
  supports: (node, attrs, g) => floatConvUnsupported(node, attrs, g, "2+"),
  emit(node, attrs, ctx) {
    const s = convSizes(node, attrs, ctx);
    const wb = packedConvWeights(node, s, ctx);
    useGemm(ctx);
    const y = ctx.type(node.outputs[0]!);
    const col = ctx.scratch(mulDim(s.Kc, y.shape.slice(2).reduce((a, b) => mulDim(a, b), 1)));
    const xg = `${ctx.ptr(node.inputs[0]!)} + ((size_t)n * ${s.C} + (size_t)g * ${s.Cg}) * ${s.inSize}`;
    const im2col = s.kernel.length === 2 ? im2col2d(s, xg, ctx) : im2colNd(s, xg);
    return [
      `float *const col = ${col};`,
      `int n, g;`,
      `for (n = 0; n < ${s.N}; n++)`,
      `  for (g = 0; g < ${s.group}; g++) {`,
      ...im2col.map((l) => `    ${l}`),
      `    neonc_gemm_f32(${s.Mg}, ${s.outSize}, ${s.Kc}, ${wb.w}, col, ${s.outSize}, ${groupOutput(node, s, ctx)}, ${s.outSize}, ${wb.bias}, ${s.act});`,
      `  }`,
    ].join("\n");
  },
});

function im2col2d(s: ConvSizes, xg: string, ctx: KernelContext): string[] {
  useIm2col2d(ctx);
  const [k, st, d, p] = [s.kernel, s.strides, s.dilations, s.padBegin];
  return [`neonc_im2col2d_f32(${xg}, ${s.Cg}, ${s.inSp[0]}, ${s.inSp[1]}, ${k[0]}, ${k[1]}, ${st[0]}, ${st[1]}, ${d[0]}, ${d[1]}, ${p[0]}, ${p[1]}, ${s.outSp[0]}, ${s.outSp[1]}, col);`];
}

/** The rows of col (channel, then kernel offsets: the weights' order) over the output positions, for any rank. */
function im2colNd(s: ConvSizes, xg: string): string[] {
  const r = s.kernel.length;
  const dims = Array.from({ length: r }, (_, i) => i);
  const inside = dims.map((i) => `i${i} >= 0 && i${i} < ${s.inSp[i]}`).join(" && ");
  const index = dims.reduce((acc, i) => `(${acc}) * ${s.inSp[i]} + i${i}`, "(size_t)c");
  const lines = [
    `{`,
    `  const float *xs = ${xg};`,
    `  float *dst = col;`,
    `  int c, ${dims.map((i) => `k${i}, o${i}, i${i}`).join(", ")};`,
    `  for (c = 0; c < ${s.Cg}; c++)`,
    ...dims.map((i) => `  for (k${i} = 0; k${i} < ${s.kernel[i]}; k${i}++)`),
    `  {`,
  ];
  dims.forEach((i) => {
    const pad = "  ".repeat(i + 2);
    lines.push(`${pad}for (o${i} = 0; o${i} < ${s.outSp[i]}; o${i}++) {`, `${pad}  i${i} = o${i} * ${s.strides[i]} + k${i} * ${s.dilations[i]} - ${s.padBegin[i] ?? 0};`);
  });
  lines.push(`${"  ".repeat(r + 2)}*dst++ = ${inside} ? xs[${index}] : 0.0f;`);
  for (let i = r - 1; i >= 0; i--) lines.push(`${"  ".repeat(i + 2)}}`);
  lines.push(`  }`, `}`);
  return lines;
}
