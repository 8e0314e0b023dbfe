// Quantize and Dequantize: the float <-> integer conversions at the boundaries of an
// integer-only graph (its inputs and outputs, and around ops left in float). Per-tensor
// parameters as attributes; the semantics are ONNX QuantizeLinear / DequantizeLinear's
// (round half to even, saturate), computed in double precision.
import { defineOp, float, int, str } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import { intRange, type NumericArray } from "../../dtype.js";
import { quantizeValue } from "../../kernels/onnx-quant-round.js";
import { checkZeroPoint, expectDtype, need, outDtype } from "./common.js";
import { dequantizeToOnnx, quantizeToOnnx } from "./to-onnx.js";

export const Quantize = defineOp({
  name: "Quantize",
  doc: "Float to integer at a graph boundary: saturate(round_half_even(x / scale) + zero_point).",
  attrs: { scale: float(1), zero_point: int(0), out_dtype: str("i8") },
  inputs: ["x"],
  outputs: ["y"],
  infer([xt], a) {
    const x = need(xt, "x");
    expectDtype(x, ["f32", "f64"], "x");
    if (!(a.scale > 0) || !Number.isFinite(a.scale)) throw new Error(`scale must be positive, got ${a.scale}`);
    checkZeroPoint(a.zero_point, outDtype(a), "zero_point");
    return [tensorType(outDtype(a), x.shape)];
  },
  evaluate([xt], a) {
    const x = need(xt, "x");
    const dt = outDtype(a);
    const [lo, hi] = intRange(dt);
    const xd = x.data as Float32Array;
    const y = makeTensor(dt, x.shape);
    const yd = y.data as NumericArray;
    const s = a.scale, zp = a.zero_point;
    for (let i = 0; i < xd.length; i++) yd[i] = quantizeValue(xd[i]! / s, zp, lo, hi);
    return [y];
  },
  toOnnx: quantizeToOnnx,
});

export const Dequantize = defineOp({
  name: "Dequantize",
  doc: "Integer to f32 at a graph boundary: (x - zero_point) * scale.",
  attrs: { scale: float(1), zero_point: int(0) },
  inputs: ["x"],
  outputs: ["y"],
  infer([xt], a) {
    const x = need(xt, "x");
    expectDtype(x, ["i8", "u8", "i16", "i32"], "x");
    checkZeroPoint(a.zero_point, x.dtype, "zero_point");
    return [tensorType("f32", x.shape)];
  },
  evaluate([xt], a) {
    const x = need(xt, "x");
    const xd = x.data as NumericArray;
    const y = makeTensor("f32", x.shape);
    const yd = y.data as Float32Array;
    const s = a.scale, zp = a.zero_point;
    for (let i = 0; i < xd.length; i++) yd[i] = (xd[i]! - zp) * s;
    return [y];
  },
  toOnnx: dequantizeToOnnx,
});
