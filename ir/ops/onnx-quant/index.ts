// Op family group "quant": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";
import { ConvInteger } from "./conv-integer.js";
import { DequantizeLinear } from "./dequantize-linear.js";
import { MatMulInteger } from "./matmul-integer.js";
import { QLinearConv } from "./qlinear-conv.js";
import { QLinearMatMul } from "./qlinear-matmul.js";
import { QuantizeLinear } from "./quantize-linear.js";
import { QLinearAdd, QLinearMul } from "./contrib-binary.js";
import { QLinearConcat } from "./contrib-concat.js";
import { QLinearGlobalAveragePool } from "./contrib-global-average-pool.js";
import { MsDequantizeLinear, MsQuantizeLinear } from "./contrib-qdq.js";
import { QGemm } from "./contrib-qgemm.js";
import { QLinearSoftmax } from "./contrib-softmax.js";
import { QLinearLeakyRelu, QLinearSigmoid } from "./contrib-unary.js";
import { DynamicQuantizeLinear } from "./dynamic-quantize-linear.js";

export const quantOps: OpDef<any>[] = [
  QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger,
  // onnxruntime's com.microsoft QOperator ops, and the dynamic quantization neonc refuses.
  QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearConcat, QLinearGlobalAveragePool, QLinearSoftmax, QGemm,
  MsQuantizeLinear, MsDequantizeLinear, DynamicQuantizeLinear,
];
