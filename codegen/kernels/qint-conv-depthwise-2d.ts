// QConvDepthwise2d in C: a 2-D integer convolution with one input channel per group (and a 1-D
// one with auto_pad, as 2-D of height 1), int8/uint8 activations: per output channel a direct
// loop over its kh x kw window, the zero point where the window leaves the input (the folded
// bias correction of qint-conv-2d.ts cancels it, as the interpreter's centred zeros), int32 sums,
// then the per-channel requantization. No patches and no GEMM: with one row per channel the
// GEMM's 4-row blocks would compute 4 rows for 1, and the im2col copy would outweigh the MACs.
import { mulDim } from "../../ir/dim.js";
import { defineKernel } from "../kernel.js";
import { qconv2d, qconv2dUnsupported } from "./qint-conv-2d.js";

export const qConvDepthwise2dKernel = defineKernel({
  op: "QConvDepthwise2d",
  supports(node, attrs, g) {
    const bad = qconv2dUnsupported(node, attrs, g);
    if (bad) return bad;
    const w = g.types[node.inputs[1]!]!;
    return w.shape[1] === 1 ? undefined : `it reads ${w.shape[1]} input channels per group; the depthwise loop takes 1`;
  },
  emit(node, attrs, ctx) {
    const s = qconv2d(node, attrs, ctx);
    const { M, C, Mg, K, kh, kw, sh, sw, dh, dw, u8, zp, ct } = s;
    return [
      ...s.lines,
      `const int32_t *bias = ${ctx.addWeights("qconv_bias", s.bias)};`,
      `const int8_t *wk = ${ctx.addWeights("qconv_dw2d_w", s.w)};`,
      `int32_t *acc = ${ctx.scratch(mulDim(s.outHW, M), "int32_t")};`,
      `int b, m, oh, ow, i, j;`,
      `for (b = 0; b < ${s.N}; b++) {`,
      `  for (m = 0; m < ${M}; m++) {`,
      `    const ${ct} *xc = x + ((size_t)b * ${C} + m / ${Mg}) * H * W;`,
      `    const int8_t *wm = wk + (size_t)m * ${K};`,
      `    int32_t *am = acc + (size_t)m * oHW;`,
      `    for (oh = 0; oh < oH; oh++) {`,
      `      for (ow = 0; ow < oW; ow++) {`,
      `        int32_t sum = bias[m];`,
      `        for (i = 0; i < ${kh}; i++) {`,
      `          const int ih = oh * ${sh} + i * ${dh} - pH;`,
      `          const int inH = ih >= 0 && ih < H;`,
      `          for (j = 0; j < ${kw}; j++) {`,
      `            const int iw = ow * ${sw} + j * ${dw} - pW;`,
      `            const int32_t v = inH && iw >= 0 && iw < W ? (int32_t)xc[(size_t)ih * W + iw]${u8 ? " - 128" : ""} : ${zp};`,
      `            sum += (int32_t)wm[i * ${kw} + j] * v;`,
      `          }`,
      `        }`,
      `        am[oh * oW + ow] = sum;`,
      `      }`,
      `    }`,
      `  }`,
      `  ${s.requant()}`,
      `}`,
    ].join("\n");
  },
});
