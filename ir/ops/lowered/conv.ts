// The float convolution's algorithm ops (made by the lower stage, passes/lower/conv.ts), and the
// transposed convolution's (passes/lower/conv-transpose.ts). Each computes its op with one algorithm; the interpreter runs that algorithm's reference kernel
// (ir/kernels/conv.ts) and the C emitter of the same name runs it on the device
// (codegen/kernels/conv-*.ts).
import { convDepthwise, convGemm } from "../../kernels/conv.js";
import { Conv, runConv } from "../nn/conv.js";
import { ConvTranspose } from "../nn/conv-transpose.js";
import { defineAlgorithm } from "./define.js";

export const ConvPointwise = defineAlgorithm(Conv, {
  name: "ConvPointwise",
  doc: "Conv with every kernel dim 1, stride 1 and no padding, as one packed GEMM per group straight on the input.",
  kernel: (inputs, a) => runConv(inputs, a, convGemm),
});

export const ConvDepthwise = defineAlgorithm(Conv, {
  name: "ConvDepthwise",
  doc: "Depthwise Conv (one filter per channel) as a direct loop over a zero-padded row per channel.",
  kernel: (inputs, a) => runConv(inputs, a, convDepthwise),
});

export const ConvGemmRows = defineAlgorithm(Conv, {
  name: "ConvGemmRows",
  doc: "1-D Conv as a packed GEMM whose rows are read in place from a zero-padded, phase-split copy of the input (no im2col matrix).",
  kernel: (inputs, a) => runConv(inputs, a, convGemm),
});

export const ConvIm2col = defineAlgorithm(Conv, {
  name: "ConvIm2col",
  doc: "Conv as im2col into scratch followed by a packed GEMM, per image and group.",
  kernel: (inputs, a) => runConv(inputs, a, convGemm),
});

export const ConvIm2colMatMul = defineAlgorithm(Conv, {
  name: "ConvIm2colMatMul",
  doc: "Conv whose weights or bias are computed at run time: im2col into scratch, then a GEMM reading the weights in place (nothing packed at compile time).",
  kernel: (inputs, a) => runConv(inputs, a, convGemm),
});


export const ConvTransposeCol2im = defineAlgorithm(ConvTranspose, {
  name: "ConvTransposeCol2im",
  doc: "ConvTranspose as one GEMM per group into columns (output channels x taps per input position), then col2im adding them onto the output.",
});

export const convAlgorithms = [ConvPointwise, ConvDepthwise, ConvGemmRows, ConvIm2col, ConvIm2colMatMul, ConvTransposeCol2im];
