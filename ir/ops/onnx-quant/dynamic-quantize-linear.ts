// DynamicQuantizeLinear (ONNX opset 11): quantizes x to uint8 with a scale and zero point it
// computes from x's own min and max at run time (the dynamic quantization of onnxruntime's tool).
//
// neonc compiles static integer code: every scale is known at compile time and becomes a
// fixed-point multiplier. A scale found at run time needs float arithmetic per inference, so the
// import refuses this op with one sentence that says why and what to use instead, rather than
// listing it among unknown ops.
import { defineOp } from "../../op.js";

const WHY =
  "computes its scale and zero point from the data at run time (dynamic quantization), which static integer-only code cannot do; " +
  "quantize the model statically instead (QDQ or QOperator format with calibrated scales, or neonc --int8)";

export const DynamicQuantizeLinear = defineOp({
  name: "DynamicQuantizeLinear",
  doc: "Dynamic quantization (scale from the data at run time): refused at import, neonc needs static scales.",
  attrs: {},
  inputs: ["x"],
  outputs: ["y", "y_scale", "y_zero_point"],
  infer() {
    throw new Error(`DynamicQuantizeLinear ${WHY}`);
  },
  evaluate() {
    throw new Error(`DynamicQuantizeLinear ${WHY}`);
  },
  fromOnnx(_node, ctx) {
    return ctx.fail(WHY);
  },
});
