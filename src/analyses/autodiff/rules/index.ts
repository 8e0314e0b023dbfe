// The gradient rule of every differentiable op: a table of IR op name -> VJP for the ops of
// conv speech nets (what lies between a model's input and its last BatchNormalization), and,
// for every unary element-wise op, the rule made from its definition's derivative. An op with
// no rule stops gradient flow with an error naming it, before anything runs (see
// unsupportedOps in ../tape.ts).
import { findOp } from "../../../../ir/registry.js";
import type { VjpRule } from "../types.js";
import { convVjp } from "./conv.js";
import { addVjp, divVjp, mulVjp, subVjp, unaryVjp } from "./elementwise.js";
import { gemmVjp, matmulVjp } from "./linear.js";
import { batchNormVjp } from "./norm.js";
import { layerNormVjp } from "./layernorm.js";
import { averagePoolVjp, globalAveragePoolVjp, globalMaxPoolVjp, maxPoolVjp } from "./pool.js";
import { concatVjp, dropoutVjp, expandVjp, padVjp, passThroughVjp, sliceVjp, splitVjp, transposeVjp } from "./shape.js";
import { logSoftmaxVjp, softmaxVjp } from "./softmax.js";

export const VJP_RULES: Readonly<Record<string, VjpRule>> = {
  Conv: convVjp,
  BatchNormalization: batchNormVjp,
  LayerNormalization: layerNormVjp,
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

const unaryRules = new Map<string, VjpRule>();

/** The gradient rule of `op`, or undefined when gradients do not flow through it. */
export function vjpRule(op: string): VjpRule | undefined {
  const rule = VJP_RULES[op] ?? unaryRules.get(op);
  if (rule) return rule;
  const fn = findOp(op)?.traits?.unary;
  if (!fn) return undefined;
  const made = unaryVjp(op, fn);
  unaryRules.set(op, made);
  return made;
}
