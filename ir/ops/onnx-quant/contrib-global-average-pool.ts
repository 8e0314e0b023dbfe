// com.microsoft QLinearGlobalAveragePool (onnxruntime's QOperator format): the mean of each
// channel over all spatial positions of an 8-bit tensor [N, C, ...spatial], requantized to Y's
// parameters: y = quantize(x_scale * mean(x - x_zp) / y_scale) + y_zp (double precision, ties
// to even, saturate). Channels-last layout (channels_last = 1) is refused at import.
//
// The import-qdq pass writes it as a depthwise QConv whose kernel of ones spans the spatial dims
// (the sum is exact in int32; the multiplier is x_scale / (count * y_scale)) when those dims are
// static, else as Dequantize -> GlobalAveragePool -> Quantize.
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { checkScalarParams, msOp, Q8, quantizeTo, scalarParams } from "./contrib-params.js";

export const QLinearGlobalAveragePool = defineOp({
  name: "QLinearGlobalAveragePool",
  doc: "Per-channel mean over the spatial dims of an 8-bit tensor, requantized (com.microsoft), ties to even.",
  onnxOps: [msOp("QLinearGlobalAveragePool")],
  attrs: { channels_last: int(0) },
  inputs: ["X", "x_scale", "x_zero_point?", "y_scale", "y_zero_point?"],
  outputs: ["Y"],
  dtypes: Q8,
  infer([x, xs, xz, ys, yz], a) {
    if (!x) throw new Error("input X is missing");
    if (a.channels_last !== 0) throw new Error("channels_last = 1 (channels-last layout) is not supported; neonc reads [N, C, ...spatial]");
    checkScalarParams("X", x, xs, xz);
    checkScalarParams("Y", { dtype: x.dtype, shape: [] }, ys, yz);
    if (x.shape.length < 3) throw new Error(`X must be [N, C, ...spatial], got rank ${x.shape.length}`);
    return [tensorType(x.dtype, [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)])];
  },
  evaluate([x, xs, xz, ys, yz]) {
    const px = scalarParams(xs, xz), py = scalarParams(ys, yz);
    const [N, C] = x!.shape as [number, number];
    const count = x!.shape.slice(2).reduce((p, d) => p * d, 1);
    const xd = x!.data as NumericArray;
    const y = makeTensor(x!.dtype, [N, C, ...x!.shape.slice(2).map(() => 1)]);
    const yd = y.data as NumericArray;
    for (let nc = 0; nc < N * C; nc++) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += xd[nc * count + i]! - px.zeroPoint;
      yd[nc] = quantizeTo((px.scale * (sum / count)) / py.scale, py.zeroPoint, x!.dtype);
    }
    return [y];
  },
  fromOnnx(node, ctx) {
    if (node.attrs["channels_last"] !== undefined && node.attrs["channels_last"] !== 0) {
      return ctx.fail("channels_last = 1 (channels-last layout) is not supported; neonc reads [N, C, ...spatial]");
    }
    for (const k of Object.keys(node.attrs)) if (k !== "channels_last") return ctx.fail(`attribute "${k}" is not supported`);
    return { inputs: node.inputs, outputs: node.outputs, attrs: {} };
  },
});
