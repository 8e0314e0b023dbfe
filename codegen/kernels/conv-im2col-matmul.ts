// ConvIm2colMatMul in C: a 1-D or 2-D conv whose weights or bias are computed at run time (an
// ONNX model that feeds W as an input, or computes it), so nothing can be packed at compile time.
// Per image and group, im2col copies the patches into scratch (neonc_im2col2d_f32; a 1-D conv
// is a 2-D one of height 1) and the MatMul GEMM (neonc_matmul_f32, matmul.ts; NEON on ARM)
// multiplies the group's weights, read in place as its [Mg, Cg * taps] left operand, by them.
// The bias is per output row and the MatMul's per column, so it is added after, with the fused
// activation.
import type { Graph, Node } from "../../ir/graph.js";
import type { Attrs } from "../../ir/graph.js";
import { mulDim } from "../../ir/dim.js";
import { defineKernel } from "../kernel.js";
import { useScalarAct } from "./common.js";
import { useIm2col2d } from "./conv-helpers.js";
import { convSizes, padBeforeC, useMaxInt } from "./conv-common.js";
import { matmulScratch, useMatmul } from "./matmul.js";

function unsupported(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const x = g.types[node.inputs[0]!], w = g.types[node.inputs[1]!];
  if (!x || x.dtype !== "f32" || w?.dtype !== "f32") return "only float32 convolution is generated";
  const r = x.shape.length - 2;
  if (r !== 1 && r !== 2) return "only 1-D and 2-D convolution is generated here";
  if (w.shape.slice(0, 2).some((d) => typeof d !== "number")) return "the weight shape must be static";
  const ap = attrs.auto_pad as string | undefined;
  if (ap && ap !== "NOTSET" && !(r === 1 && ap.startsWith("SAME"))) return `auto_pad ${ap} is generated only for 1-D convolutions (lower writes every other as pads)`;
  return undefined;
}

export const convIm2colMatMulKernel = defineKernel({
  op: "ConvIm2colMatMul",
  supports: unsupported,
  emit(node, attrs, ctx) {
    const s = convSizes(node, attrs, ctx);
    useIm2col2d(ctx);
    useMatmul(ctx);
    useScalarAct(ctx);
    useMaxInt(ctx);
    const y = ctx.type(node.outputs[0]!);
    const col = ctx.scratch(mulDim(s.Kc, y.shape.slice(2).reduce((a, b) => mulDim(a, b), 1)));
    const ap = matmulScratch(ctx, s.Kc);
    const two = s.kernel.length === 2;
    const at = (v: readonly (string | number)[], i: number, def: string | number) => (two ? v[i]! : i === 0 ? def : v[0]!);
    const geometry = [
      at(s.inSp, 0, 1), at(s.inSp, 1, 1), at(s.kernel, 0, 1), at(s.kernel, 1, 1), at(s.strides, 0, 1), at(s.strides, 1, 1),
      at(s.dilations, 0, 1), at(s.dilations, 1, 1), two ? s.padBegin[0]! : 0, two ? s.padBegin[1]! : padBeforeC(s, 0),
      at(s.outSp, 0, 1), at(s.outSp, 1, 1),
    ].join(", ");
    const [xg, yg, bias] = [ctx.local("xg"), ctx.local("yg"), node.inputs[2] ? ctx.ptr(node.inputs[2]) : undefined];
    const [cv, apv, plane] = [ctx.local("col"), ctx.local("ap"), ctx.local("plane")];
    return [
      `float *const ${cv} = ${col};`,
      `float *const ${apv} = ${ap};`,
      `const int ${plane} = ${s.outSize};`,
      `int n, g, m, t;`,
      `(void)${apv}; (void)m; (void)t;`,
      `for (n = 0; n < ${s.N}; n++)`,
      `  for (g = 0; g < ${s.group}; g++) {`,
      `    const float *${xg} = ${ctx.ptr(node.inputs[0]!)} + ((size_t)n * ${s.C} + (size_t)g * ${s.Cg}) * ${s.inSize};`,
      `    float *${yg} = ${ctx.ptr(node.outputs[0]!)} + ((size_t)n * ${s.M} + (size_t)g * ${s.Mg}) * ${plane};`,
      `    neonc_im2col2d_f32(${xg}, ${s.Cg}, ${geometry}, ${cv});`,
      `    neonc_matmul_f32(${s.Mg}, ${s.Kc}, ${plane}, ${ctx.ptr(node.inputs[1]!)} + (size_t)g * ${s.Mg * s.Kc}, ${cv}, ${plane}, 0, ${yg}, ${bias ? "0, 0.0f, 0.0f" : s.act}, ${apv});`,
      ...(bias ? [
        `    for (m = 0; m < ${s.Mg}; m++) {`,
        `      const float bv = ${bias}[g * ${s.Mg} + m];`,
        `      float *row = ${yg} + (size_t)m * ${plane};`,
        `      for (t = 0; t < ${plane}; t++) row[t] = neonc_act_f32(row[t] + bv, ${s.act});`,
        `    }`,
      ] : []),
      `  }`,
    ].join("\n");
  },
});
