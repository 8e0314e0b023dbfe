// DequantizeLinear (opsets 10, 13, 19, 21): y = (x - x_zero_point) * x_scale.
//
// Integer (i8, u8, i16, u16, i32) or float8 inputs; per tensor, per axis or blocked parameters.
// The output has the scale's float type.
import type { DType } from "../../dtype.js";
import { isFloat8 } from "../../float-formats.js";
import { defineOp, int } from "../../op.js";
import { tensorType } from "../../types.js";
import { dequantizeLinear } from "../../kernels/onnx-quant-linear.js";
import { checkParamType, paramLayout } from "../../kernels/onnx-quant-params.js";

const INPUT_TYPES: readonly DType[] = ["u8", "i8", "u16", "i16", "i32", "f8e4m3fn", "f8e4m3fnuz", "f8e5m2", "f8e5m2fnuz"];
const SCALE_TYPES: readonly DType[] = ["f32", "f16", "bf16"];

export const DequantizeLinear = defineOp({
  name: "DequantizeLinear",
  doc: "Maps integer (or float8) values back to real numbers with a per-tensor, per-axis or blocked scale and zero point.",
  attrs: { axis: int(1), block_size: int(0) },
  inputs: ["x", "x_scale", "x_zero_point?"],
  outputs: ["y"],
  dtypes: INPUT_TYPES,
  infer: ([x, scale, zp], a) => {
    if (!x || !scale) throw new Error("DequantizeLinear needs inputs x and x_scale");
    if (!INPUT_TYPES.includes(x.dtype)) throw new Error(`cannot dequantize ${x.dtype} (supported: ${INPUT_TYPES.join(", ")})`);
    if (!SCALE_TYPES.includes(scale.dtype)) throw new Error(`x_scale has dtype ${scale.dtype}; expected one of ${SCALE_TYPES.join(", ")}`);
    if (zp && zp.dtype !== x.dtype) throw new Error(`x_zero_point has dtype ${zp.dtype}, x has ${x.dtype}`);
    if (a.block_size < 0) throw new Error(`block_size must not be negative, got ${a.block_size}`);
    checkParamType("x_scale", x, scale, a.axis, a.block_size);
    if (zp) checkParamType("x_zero_point", x, zp, a.axis, a.block_size);
    return [tensorType(scale.dtype, x.shape)];
  },
  evaluate: ([x, scale, zp], a) => {
    const layout = paramLayout(x!.shape, scale!.shape, a.axis, a.block_size);
    if (zp) {
      paramLayout(x!.shape, zp.shape, a.axis, a.block_size);
      if (isFloat8(x!.dtype) && Array.from(zp.data as Uint8Array).some((b) => (b & 0x7f) !== 0)) {
        throw new Error("a float8 x_zero_point must be zero");
      }
    }
    return [dequantizeLinear(x!, scale!, zp, layout)];
  },
});
