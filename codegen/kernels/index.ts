// Registers every C kernel. Adding a kernel: write codegen/kernels/<op>.ts and list it here. The
// unary element-wise ops and the views get theirs from their definitions (unary.ts, views.ts:
// kernel providers, asked for any op without a registered kernel); registerKernel gives the
// kernel of an op that carries fused activations the sweep for those it does not apply itself
// (fused-activation.ts).
import { registerKernel, registerKernelProvider, type KernelDef } from "../kernel.js";
import { convDepthwiseKernel } from "./conv-depthwise.js";
import { convGemmRowsKernel } from "./conv-gemm-rows.js";
import { convIm2colKernel } from "./conv-im2col.js";
import { convPointwiseKernel } from "./conv-pointwise.js";
import { convWinogradKernel } from "./conv-winograd.js";
import { convIm2colMatMulKernel } from "./conv-im2col-matmul.js";
import { gemmMatMulKernel } from "./gemm-matmul.js";
import { convTransposeCol2imKernel } from "./conv-transpose.js";
import { groupNormKernel, instanceNormKernel } from "./groupnorm.js";
import { elementwiseKernels } from "./elementwise.js";
import { lstmKernel } from "./lstm.js";
import { gemmPrepackedKernel, matmulGemmKernel } from "./matmul.js";
import { matmulBatchedKernel } from "./matmul-batched.js";
import { softmaxKernels } from "./softmax.js";
import { viewKernelFor } from "./views.js";
import { dropoutKernel } from "./dropout.js";
import { einsumKernel } from "./einsum.js";
import { concatKernel } from "./concat.js";
import { gruKernel } from "./gru.js";
import { layerNormKernel } from "./layernorm.js";
import { padKernel } from "./pad.js";
import { poolKernels } from "./pool.js";
import { reduceMeanKernels } from "./reduce-mean.js";
import { sliceKernel } from "./slice.js";
import { transposeKernel } from "./transpose.js";
import { unaryKernelFor } from "./unary.js";
import { qRequantizeKernel } from "./qint-requantize.js";
import { qLookupKernel } from "./qint-lookup.js";
import { qMagnitudeKernel } from "./qint-magnitude.js";
import { qLogEnergyKernel } from "./qint-log-energy.js";
import { dequantizeKernel, quantizeKernel } from "./qint-boundary.js";
import { qConcatKernel } from "./qint-concat.js";
import { qConvDepthwiseKernel } from "./qint-conv-depthwise.js";
import { qConvGemmRowsKernel } from "./qint-conv-gemm-rows.js";
import { qConvWinogradKernel } from "./qint-conv-winograd.js";
import { qConvWinogradScaledKernel } from "./qint-conv-winograd-scaled.js";
import { qConvIm2colKernel } from "./qint-conv-im2col.js";
import { qConvIm2col2dKernel } from "./qint-conv-2d.js";
import { qConvDepthwise2dKernel } from "./qint-conv-depthwise-2d.js";
import { qMatMulCentredKernel } from "./qint-matmul-centred.js";
import { qMatMulGemmKernel } from "./qint-matmul-gemm.js";
import { qAddKernel, qMulKernel } from "./qint-binary.js";
import { qLayerNormKernel } from "./qint-layernorm.js";
import { qLogSoftmaxKernel, qSoftmaxKernel } from "./qint-softmax.js";
import { hybridGruKernel, hybridLstmKernel, hybridRnnKernel } from "./hybrid-rnn.js";
import { qLstmKernel } from "./qint-lstm.js";
import { qGruKernel } from "./qint-gru.js";
import { batchNormKernel } from "./batchnorm.js";
import { splitKernel } from "./split.js";
import { reduceKernels } from "./reduce.js";
import { reduceAnyKernels } from "./reduce-any.js";
import { lpNormKernel } from "./lpnorm.js";
import { gatherKernel } from "./gather.js";
import { typedKernels } from "./typed-elementwise.js";
import { castKernels } from "./cast.js";
import { clipKernel } from "./clip.js";
import { shapeValueKernels } from "./shape-values.js";
import { expandTileKernels } from "./expand-tile.js";
import { triluKernel } from "./trilu.js";
import { scanKernels } from "./scan.js";
import { dequantizeLinearKernel, quantizeLinearKernel } from "./onnx-quant-linear.js";
import { matMulIntegerKernel, qLinearMatMulKernel } from "./onnx-quant-matmul.js";
import { convIntegerKernel, qLinearConvKernel } from "./onnx-quant-conv.js";
import { msDequantizeLinearKernel, msQuantizeLinearKernel, qLinearAddKernel, qLinearConcatKernel, qLinearLeakyReluKernel, qLinearMulKernel, qLinearSigmoidKernel } from "./onnx-quant-contrib.js";
import { qGemmKernel, qLinearGlobalAveragePoolKernel, qLinearSoftmaxKernel } from "./onnx-quant-contrib-reduce.js";
import { dynamicQuantizeLinearKernel } from "./onnx-quant-dynamic.js";
import { rnnKernel } from "./rnn.js";

const all: KernelDef[] = [
  convPointwiseKernel, convWinogradKernel, convDepthwiseKernel, convGemmRowsKernel, convIm2colKernel, ...elementwiseKernels, lstmKernel, gemmPrepackedKernel, matmulGemmKernel, matmulBatchedKernel, ...softmaxKernels, layerNormKernel, ...poolKernels, ...reduceMeanKernels, transposeKernel, concatKernel, sliceKernel,
  padKernel, gruKernel, qRequantizeKernel, qLookupKernel, qMagnitudeKernel, qLogEnergyKernel, quantizeKernel, dequantizeKernel, qConcatKernel, qConvDepthwiseKernel, qConvGemmRowsKernel, qConvWinogradKernel, qConvWinogradScaledKernel,
  qConvIm2colKernel, qConvDepthwise2dKernel, qConvIm2col2dKernel, qMatMulGemmKernel, qMatMulCentredKernel, qAddKernel, qMulKernel, hybridLstmKernel, hybridGruKernel, qLayerNormKernel, qSoftmaxKernel,
  qLogSoftmaxKernel, hybridRnnKernel, qLstmKernel, qGruKernel, batchNormKernel, splitKernel, ...reduceKernels, ...reduceAnyKernels, lpNormKernel, gatherKernel, dropoutKernel, einsumKernel,
  ...typedKernels, ...castKernels, clipKernel, ...shapeValueKernels, ...expandTileKernels, triluKernel, ...scanKernels,
  convIm2colMatMulKernel, gemmMatMulKernel, convTransposeCol2imKernel, groupNormKernel, instanceNormKernel,
  quantizeLinearKernel, dequantizeLinearKernel, matMulIntegerKernel, qLinearMatMulKernel, convIntegerKernel, qLinearConvKernel,
  qLinearAddKernel, qLinearMulKernel, qLinearLeakyReluKernel, qLinearSigmoidKernel, qLinearConcatKernel, msQuantizeLinearKernel, msDequantizeLinearKernel,
  qLinearGlobalAveragePoolKernel, qLinearSoftmaxKernel, qGemmKernel, dynamicQuantizeLinearKernel,
  rnnKernel,
];
for (const k of all) registerKernel(k);
registerKernelProvider(unaryKernelFor);
registerKernelProvider(viewKernelFor);
