// Reference kernels of QuantizeLinear and DequantizeLinear (ONNX semantics, bit exact).
//
// The arithmetic reproduces the ONNX reference implementation's types step by step, so results
// match it bit for bit: x / scale is rounded to the scale's float type (f32, f16, bf16; for int32
// x the quotient stays a double, as numpy promotes int32 / float32), then rounded half to even,
// offset by the zero point and saturated. Float8 outputs round the f32 quotient once to the
// format (overflow per `saturate`); their zero point is zero. Dequantization forms
// (x - zero_point) in f32, multiplies by the scale in f32, then rounds to the scale's type.
import { intRange, isInteger, type DType } from "../dtype.js";
import {
  bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, isFloat8, storeReals, tensorToF64, toFloat8Bits,
} from "../float-formats.js";
import type { ParamLayout } from "./onnx-quant-params.js";
import { makeTensor, type Tensor } from "../types.js";
import { quantizeValue } from "./onnx-quant-round.js";

/** Rounds every value in place to the value set of a float dtype (no-op for f64 and integers). */
function roundTo(dt: DType, v: Float64Array): void {
  const n = v.length;
  switch (dt) {
    case "f32":
      for (let i = 0; i < n; i++) v[i] = Math.fround(v[i]!);
      return;
    case "f16":
      for (let i = 0; i < n; i++) v[i] = f16BitsToF32(f32ToF16Bits(v[i]!));
      return;
    case "bf16":
      for (let i = 0; i < n; i++) v[i] = bf16BitsToF32(f32ToBf16Bits(v[i]!));
      return;
    default:
      return;
  }
}

export interface QuantizeOptions {
  readonly layout: ParamLayout;
  readonly outDtype: DType;
  readonly saturate: boolean;
}

export function quantizeLinear(x: Tensor, scale: Tensor, zp: Tensor | undefined, o: QuantizeOptions): Tensor {
  const { outer, n, inner, so, sa, si, bs } = o.layout;
  const xv = tensorToF64(x);
  const sv = tensorToF64(scale);
  const zv = zp && isInteger(zp.dtype) ? tensorToF64(zp) : undefined;
  const q = new Float64Array(xv.length);
  // Each pass below walks (outer, axis, inner) itself: a shared per-element index table was slower.
  for (let ob = 0; ob < outer; ob++) {
    for (let a = 0; a < n; a++) {
      const base = (ob * n + a) * inner;
      const pb = ob * so + Math.floor(a / bs) * sa;
      for (let i = 0; i < inner; i++) q[base + i] = xv[base + i]! / sv[pb + i * si]!;
    }
  }
  // The quotient's precision: the scale's float type, except int32 x (numpy gives a double).
  if (x.dtype !== "i32") roundTo(scale.dtype, q);
  const out = makeTensor(o.outDtype, x.shape);
  if (isFloat8(o.outDtype)) {
    const d = out.data as Uint8Array;
    for (let i = 0; i < q.length; i++) d[i] = toFloat8Bits(Math.fround(q[i]!), o.outDtype, o.saturate);
    return out;
  }
  const [lo, hi] = intRange(o.outDtype);
  const d = out.data as Int32Array;
  for (let ob = 0; ob < outer; ob++) {
    for (let a = 0; a < n; a++) {
      const base = (ob * n + a) * inner;
      const pb = ob * so + Math.floor(a / bs) * sa;
      for (let i = 0; i < inner; i++) {
        const z = zv ? zv[pb + i * si]! : 0;
        d[base + i] = quantizeValue(q[base + i]!, z, lo, hi);
      }
    }
  }
  return out;
}

export function dequantizeLinear(x: Tensor, scale: Tensor, zp: Tensor | undefined, layout: ParamLayout): Tensor {
  const { outer, n, inner, so, sa, si, bs } = layout;
  const xv = tensorToF64(x);
  const sv = tensorToF64(scale);
  // Float8 inputs carry their value directly; a zero point for them must be zero.
  const zv = zp && isInteger(zp.dtype) ? tensorToF64(zp) : undefined;
  const y = new Float64Array(xv.length);
  const f = Math.fround;
  for (let ob = 0; ob < outer; ob++) {
    for (let a = 0; a < n; a++) {
      const base = (ob * n + a) * inner;
      const pb = ob * so + Math.floor(a / bs) * sa;
      for (let i = 0; i < inner; i++) {
        const p = pb + i * si;
        const dx = zv ? f(f(xv[base + i]!) - f(zv[p]!)) : f(xv[base + i]!);
        y[base + i] = f(dx * f(sv[p]!));
      }
    }
  }
  const out = makeTensor(scale.dtype, x.shape);
  storeReals(scale.dtype, y, out.data);
  return out;
}
