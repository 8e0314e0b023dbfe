// Requantize: integer -> integer with a new scale and zero point (per tensor):
// y = clamp(y_zp + M(x - x_zp)). Used where a consumer needs its input on another scale.
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { checkZeroPoint, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import { requantizeToOnnx } from "./to-onnx.js";

export const Requantize = defineOp({
  name: "Requantize",
  doc: "Changes the scale and zero point of an integer tensor with a fixed-point multiplier.",
  attrs: { x_zero_point: int(0), ...requantAttrs },
  inputs: ["x"],
  outputs: ["y"],
  infer([xt], a) {
    const x = need(xt, "x");
    expectDtype(x, ["i8", "u8", "i16", "i32"], "x");
    checkZeroPoint(a.x_zero_point, x.dtype, "x_zero_point");
    requantParams(a, 1);
    return [tensorType(outDtype(a), x.shape)];
  },
  evaluate([xt], a) {
    const x = need(xt, "x");
    const rq = requantParams(a, 1);
    const xd = x.data as NumericArray;
    const centred = new Int32Array(xd.length);
    for (let i = 0; i < xd.length; i++) centred[i] = xd[i]! - a.x_zero_point;
    const y = makeTensor(outDtype(a), x.shape);
    requantizeChannels(centred, y.data as NumericArray, 1, 1, xd.length, rq);
    return [y];
  },
  toOnnx: requantizeToOnnx,
});
