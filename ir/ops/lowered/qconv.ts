// The integer convolution's algorithm ops (made by the lower stage, passes/lower/qconv.ts). Each
// computes QConv with one algorithm; integer sums are exact whatever their order, so QConv's own
// kernel is every one's reference, and the C emitter of the same name runs the algorithm on the
// device (codegen/kernels/qint-conv-*.ts). int8, uint8 or int16 (16x8) activations are the data
// type each emitter takes, not a separate algorithm.
import { integerOp } from "../integer/index.js";
import { QConv } from "../integer/qconv.js";
import { defineAlgorithm } from "./define.js";

const base = integerOp(QConv);

export const QConvDepthwise = defineAlgorithm(base, {
  name: "QConvDepthwise",
  doc: "1-D QConv with one input channel per group, as a direct loop per output channel over its input row padded with the zero point (no GEMM).",
});

export const QConvGemmRows = defineAlgorithm(base, {
  name: "QConvGemmRows",
  doc: "1-D QConv as the int8 GEMM with weights packed tap-major, reading each output's patch in place from the input turned into zero-point-padded rows (no im2col copy).",
});

export const QConvIm2col = defineAlgorithm(base, {
  name: "QConvIm2col",
  doc: "1-D QConv as im2col patches (k-contiguous, per output) in scratch followed by the GEMM: int8 for dilated taps, the wide int64 GEMM for int16 activations.",
});

export const QConvDepthwise2d = defineAlgorithm(base, {
  name: "QConvDepthwise2d",
  doc: "2-D QConv (and a 1-D one with auto_pad) with one input channel per group, as a direct loop per output channel over its kh x kw window, the zero point outside the input (no GEMM).",
});

export const QConvIm2col2d = defineAlgorithm(base, {
  name: "QConvIm2col2d",
  doc: "2-D QConv (and a 1-D one with auto_pad, as 2-D of height 1) as im2col patches of Cg x kh x kw values per output, padded with the zero point, followed by the int8 GEMM per group.",
});

export const qconvAlgorithms = [QConvDepthwise, QConvGemmRows, QConvIm2col, QConvDepthwise2d, QConvIm2col2d];
