// DynamicQuantizeLinear (ONNX opset 11): quantizes float32 x to uint8 with a scale and zero point
// computed from x's own range at run time (the activations of onnxruntime's quantize_dynamic,
// which feed MatMulInteger / ConvInteger). As the ONNX reference, in float32 arithmetic:
//   lo = min(0, min x), hi = max(0, max x)      (NaN elements are skipped)
//   y_scale = (hi == lo ? 1 : hi - lo) / 255
//   y_zero_point = round_half_even(clip(0 - lo / y_scale, 0, 255))   (0 when that is NaN)
//   y = saturate(round_half_even(x / y_scale) + y_zero_point)   (NaN gives the zero point)
// Each f32 step is Math.fround of the double result (a single correctly rounded f32 operation),
// so the C kernel (codegen/kernels/onnx-quant-dynamic.ts) matches it bit for bit. neonc's own
// static integer code (import-qdq, --int8) never makes this op: a model that has it keeps it.
import { defineOp } from "../../op.js";
import { fromNumbers, makeTensor, tensorType } from "../../types.js";
import { quantizeValue, roundHalfEven } from "../../kernels/onnx-quant-round.js";

/** The scale and zero point DynamicQuantizeLinear derives from x. */
export function dynamicQuantParams(x: ArrayLike<number>): { scale: number; zeroPoint: number } {
  let lo = 0, hi = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = Math.fround((hi === lo ? 1 : Math.fround(hi - lo)) / 255);
  const z = Math.fround(0 - Math.fround(lo / scale));
  // NaN (an infinite x makes lo / scale NaN) gives zero point 0.
  return { scale, zeroPoint: z !== z ? 0 : roundHalfEven(z < 0 ? 0 : z > 255 ? 255 : z) };
}

export const DynamicQuantizeLinear = defineOp({
  name: "DynamicQuantizeLinear",
  doc: "Quantizes f32 x to uint8 with the scale and zero point of x's own range (min and max with 0), computed at run time in float32.",
  attrs: {},
  inputs: ["x"],
  outputs: ["y", "y_scale", "y_zero_point"],
  dtypes: ["f32"],
  infer([x]) {
    if (!x) throw new Error("input x is missing");
    if (x.dtype !== "f32") throw new Error(`x must be f32, got ${x.dtype}`);
    return [tensorType("u8", x.shape), tensorType("f32", []), tensorType("u8", [])];
  },
  evaluate([x]) {
    const xd = x!.data as Float32Array;
    const { scale, zeroPoint } = dynamicQuantParams(xd);
    const y = makeTensor("u8", x!.shape);
    const yd = y.data as Uint8Array;
    for (let i = 0; i < xd.length; i++) yd[i] = quantizeValue(Math.fround(xd[i]! / scale), zeroPoint, 0, 255);
    return [y, fromNumbers("f32", [], [scale]), fromNumbers("u8", [], [zeroPoint])];
  },
});
