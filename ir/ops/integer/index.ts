// Op family "qint": the integer-only compute ops the quantize pass lowers float graphs to.
// (ir/ops/onnx-quant holds the ONNX quantization ops on the import side.) docs/quantization.md
// describes the numerics. Every op of the family has the `integer` trait: a graph holding one
// has been quantized already.
import type { OpDef } from "../../op.js";
import { Dequantize, Quantize } from "./boundary.js";
import { HybridGRU, HybridLSTM, HybridRNN } from "./hybrid.js";
import { QAdd, QMul } from "./qadd.js";
import { QConcat } from "./qconcat.js";
import { QConv } from "./qconv.js";
import { QLookup } from "./qlookup.js";
import { QMagnitude } from "./qmagnitude.js";
import { QLogEnergy } from "./qlog-energy.js";
import { QMatMul } from "./qmatmul.js";
import { QLogSoftmax, QSoftmax } from "./qsoftmax.js";
import { QLayerNorm } from "./qlayernorm.js";
import { Requantize } from "./requantize.js";
import { QGRU } from "./qgru.js";
import { QLSTM } from "./qlstm.js";

/** The op with the `integer` trait (the algorithm ops of the lower stage that implement one take it too). */
export const integerOp = <D extends OpDef<any>>(def: D): D => ({ ...def, traits: { ...def.traits, integer: true } });

export const qintOps: OpDef<any>[] = [
  Quantize, Dequantize, QConv, QMatMul, Requantize, QAdd, QMul, QConcat, QLookup, QMagnitude, QLogEnergy, QSoftmax, QLogSoftmax, QLayerNorm,
  HybridLSTM, HybridGRU, HybridRNN, QLSTM, QGRU,
].map(integerOp);
