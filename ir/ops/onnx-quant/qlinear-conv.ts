// QLinearConv (opset 10): quantized convolution, y = requant(conv(x - x_zp, w - w_zp) + B).
//
// x and y are quantized per tensor, w per tensor or per output channel; B is int32 at scale
// x_scale * w_scale. The accumulators are exact int32 (see quant-conv.ts); the requantization
// follows quant-requant.ts. The output type is y_zero_point's (x's when it is absent).
import type { DType } from "../../dtype.js";
import { defineOp } from "../../op.js";
import { tensorType } from "../../types.js";
import { integerConv } from "../../kernels/onnx-quant-conv.js";
import { requantMultiplier } from "../../kernels/onnx-quant-round.js";
import { requantize } from "../../kernels/onnx-quant-requant.js";
import { convAttrs, convGeometry, convMacs, convOutShape } from "./conv-attrs.js";
import { checkRowColType, rowColValues } from "./row-col-params.js";

const Q8: readonly DType[] = ["u8", "i8"];

export const QLinearConv = defineOp({
  name: "QLinearConv",
  doc: "Quantized convolution: 8-bit input, weights and output with scales and zero points, int32 bias.",
  attrs: convAttrs,
  inputs: ["x", "x_scale", "x_zero_point?", "w", "w_scale", "w_zero_point?", "y_scale", "y_zero_point?", "B?"],
  outputs: ["y"],
  dtypes: Q8,
  infer: ([x, xs, xzp, w, ws, wzp, ys, yzp, b], a) => {
    if (!x || !xs || !w || !ws || !ys) throw new Error("QLinearConv needs x, x_scale, w, w_scale and y_scale");
    for (const [n, t] of [["x", x], ["w", w], ["y_zero_point", yzp]] as const) {
      if (t && !Q8.includes(t.dtype)) throw new Error(`QLinearConv input ${n} must be u8 or i8, got ${t.dtype}`);
    }
    if (xzp && xzp.dtype !== x.dtype) throw new Error(`x_zero_point has dtype ${xzp.dtype}, x has ${x.dtype}`);
    if (wzp && wzp.dtype !== w.dtype) throw new Error(`w_zero_point has dtype ${wzp.dtype}, w has ${w.dtype}`);
    for (const [n, t] of [["x_scale", xs], ["w_scale", ws], ["y_scale", ys]] as const) {
      if (t.dtype !== "f32") throw new Error(`QLinearConv ${n} must be f32, got ${t.dtype}`);
    }
    if (b && b.dtype !== "i32") throw new Error(`QLinearConv bias B must be i32, got ${b.dtype}`);
    const M = w.shape[0]!;
    checkRowColType("x_scale", xs, 1, "channel");
    checkRowColType("x_zero_point", xzp, 1, "channel");
    checkRowColType("w_scale", ws, M, "channel");
    checkRowColType("w_zero_point", wzp, M, "channel");
    checkRowColType("y_scale", ys, 1, "channel");
    checkRowColType("y_zero_point", yzp, 1, "channel");
    if (b && (b.shape.length !== 1 || !(b.shape[0] === M))) throw new Error(`QLinearConv bias B must have shape [${String(M)}]`);
    return [tensorType(yzp?.dtype ?? x.dtype, convOutShape("QLinearConv", x, w, a))];
  },
  evaluate: ([x, xs, xzp, w, ws, wzp, ys, yzp, b], a) => {
    const M = w!.shape[0]!;
    const acc = integerConv(x!, w!, {
      geom: convGeometry("QLinearConv", x!.shape, w!.shape, a),
      group: a.group,
      xZp: rowColValues("x_zero_point", xzp, 1, "channel")[0]!,
      wZp: rowColValues("w_zero_point", wzp, M, "channel"),
      bias: b ? rowColValues("B", b, M, "channel") : undefined,
    });
    const xScale = rowColValues("x_scale", xs, 1, "channel")[0]!;
    const yScale = rowColValues("y_scale", ys, 1, "channel")[0]!;
    const wScale = rowColValues("w_scale", ws, M, "channel");
    const mult = wScale.map((s) => requantMultiplier(xScale, s, yScale));
    const spatial = acc.data.length / (acc.shape[0]! * M);
    return [requantize(
      acc, M, spatial,
      { values: mult, sp: mult.length === 1 ? 0 : 1, sq: 0 },
      { values: rowColValues("y_zero_point", yzp, 1, "channel"), sp: 0, sq: 0 },
      yzp?.dtype ?? x!.dtype,
    )];
  },
  macs: (inputs, [y]) => convMacs(y!, inputs[3]!),
});
