// Op family group "quant": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";
import { ConvInteger } from "./conv-integer.js";
import { DequantizeLinear } from "./dequantize-linear.js";
import { MatMulInteger } from "./matmul-integer.js";
import { QLinearConv } from "./qlinear-conv.js";
import { QLinearMatMul } from "./qlinear-matmul.js";
import { QuantizeLinear } from "./quantize-linear.js";

export const quantOps: OpDef<any>[] = [QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger];
