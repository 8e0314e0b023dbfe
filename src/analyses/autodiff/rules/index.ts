// The gradient rule of every differentiable op, in one table: IR op name -> VJP.
//
// These are the ops of conv speech nets (what lies between a model's input and its last
// BatchNormalization). An op missing here stops gradient flow with an error naming it, before
// anything runs (see unsupportedOps in ../tape.ts).
import type { VjpRule } from "../types.js";
import { convVjp } from "./conv.js";
import { addVjp, clipVjp, divVjp, leakyReluVjp, mulVjp, reluVjp, sigmoidVjp, subVjp, tanhVjp } from "./elementwise.js";
import { gemmVjp, matmulVjp } from "./linear.js";
import { batchNormVjp } from "./norm.js";
import { averagePoolVjp, globalAveragePoolVjp, globalMaxPoolVjp, maxPoolVjp } from "./pool.js";
import { concatVjp, dropoutVjp, expandVjp, padVjp, passThroughVjp, sliceVjp, splitVjp, transposeVjp } from "./shape.js";
import { logSoftmaxVjp, softmaxVjp } from "./softmax.js";

export const VJP_RULES: Readonly<Record<string, VjpRule>> = {
  Conv: convVjp,
  BatchNormalization: batchNormVjp,
  Relu: reluVjp,
  LeakyRelu: leakyReluVjp,
  Clip: clipVjp,
  Sigmoid: sigmoidVjp,
  Tanh: tanhVjp,
  Add: addVjp,
  Sub: subVjp,
  Mul: mulVjp,
  Div: divVjp,
  MatMul: matmulVjp,
  Gemm: gemmVjp,
  Transpose: transposeVjp,
  Reshape: passThroughVjp,
  Flatten: passThroughVjp,
  Squeeze: passThroughVjp,
  Unsqueeze: passThroughVjp,
  Identity: passThroughVjp,
  Dropout: dropoutVjp,
  Expand: expandVjp,
  Pad: padVjp,
  Slice: sliceVjp,
  Concat: concatVjp,
  Split: splitVjp,
  AveragePool: averagePoolVjp,
  MaxPool: maxPoolVjp,
  GlobalAveragePool: globalAveragePoolVjp,
  GlobalMaxPool: globalMaxPoolVjp,
  Softmax: softmaxVjp,
  LogSoftmax: logSoftmaxVjp,
};
