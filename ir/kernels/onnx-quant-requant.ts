// Requantization of int32 accumulators to the 8-bit output of QLinearConv and QLinearMatMul.
//
// y = saturate(round_half_even(acc * multiplier) + y_zero_point), where the multiplier is the f32
// value in_scale * w_scale / y_scale (formed as the ONNX reference forms it) and the product
// acc * multiplier is taken in double precision, as the reference's numpy promotion does. The
// accumulators are viewed as [outer, P, Q]; multipliers and zero points are tables indexed
// p*sp + q*sq, so per-channel (conv), per-row and per-column (matmul) parameters share one loop.
import { intRange, type DType } from "../dtype.js";
import { makeTensor, type Tensor } from "../types.js";
import { quantizeValue } from "./onnx-quant-round.js";

export interface ParamTable {
  readonly values: Float64Array;
  readonly sp: number;
  readonly sq: number;
}

export function requantize(acc: Tensor, P: number, Q: number, mult: ParamTable, zp: ParamTable, outDtype: DType): Tensor {
  const a = acc.data as Int32Array;
  const out = makeTensor(outDtype, acc.shape);
  const o = out.data as Int32Array;
  const [lo, hi] = intRange(outDtype);
  const outer = a.length / (P * Q);
  const mv = mult.values;
  const zv = zp.values;
  for (let b = 0; b < outer; b++) {
    for (let p = 0; p < P; p++) {
      const base = (b * P + p) * Q;
      const mp = p * mult.sp;
      const zpp = p * zp.sp;
      for (let q = 0; q < Q; q++) {
        o[base + q] = quantizeValue(a[base + q]! * mv[mp + q * mult.sq]!, zv[zpp + q * zp.sq]!, lo, hi);
      }
    }
  }
  return out;
}
