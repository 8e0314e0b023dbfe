// ConvInteger (opset 10): integer convolution with zero points, int32 output.
//
// x_zero_point is per tensor; w_zero_point per tensor or per output channel. Padding stands for
// the zero point. Groups, strides, pads, dilations and auto_pad as in Conv.
import { defineOp } from "../../op.js";
import { tensorType } from "../../types.js";
import { integerConv } from "../../kernels/onnx-quant-conv.js";
import { convAttrs, convGeometry, convMacs, convOutShape } from "./conv-attrs.js";
import { checkRowColType, rowColValues } from "./row-col-params.js";

export const ConvInteger = defineOp({
  name: "ConvInteger",
  doc: "Integer convolution of 8-bit inputs with zero points, accumulating exactly in int32.",
  attrs: convAttrs,
  inputs: ["x", "w", "x_zero_point?", "w_zero_point?"],
  outputs: ["y"],
  dtypes: ["u8", "i8"],
  infer: ([x, w, xzp, wzp], a) => {
    if (!x || !w) throw new Error("ConvInteger needs inputs x and w");
    for (const [n, t, like] of [["x", x, x], ["w", w, w], ["x_zero_point", xzp, x], ["w_zero_point", wzp, w]] as const) {
      if (t && t.dtype !== "u8" && t.dtype !== "i8") throw new Error(`ConvInteger input ${n} must be u8 or i8, got ${t.dtype}`);
      if (t && t.dtype !== like.dtype) throw new Error(`ConvInteger input ${n} has dtype ${t.dtype}, expected ${like.dtype}`);
    }
    checkRowColType("x_zero_point", xzp, 1, "channel");
    checkRowColType("w_zero_point", wzp, w.shape[0]!, "channel");
    return [tensorType("i32", convOutShape("ConvInteger", x, w, a))];
  },
  evaluate: ([x, w, xzp, wzp], a) => {
    const geom = convGeometry("ConvInteger", x!.shape, w!.shape, a);
    return [integerConv(x!, w!, {
      geom,
      group: a.group,
      xZp: rowColValues("x_zero_point", xzp, 1, "channel")[0]!,
      wZp: rowColValues("w_zero_point", wzp, w!.shape[0]!, "channel"),
    })];
  },
  macs: ([, w], [y]) => convMacs(y!, w!),
});
