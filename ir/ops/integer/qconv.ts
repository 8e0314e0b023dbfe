// QConv: integer convolution, int8/uint8 activations with a zero point, int8 symmetric weights
// (per output channel), int32 bias, int32 accumulation, and per-channel requantization to the
// output type with the fused Relu/Clip as the clamp [qmin, qmax]. With int16 activations (the
// 16x8 mode, zero point 0) the accumulators are wide (exact beyond int32, see fixed-point.ts);
// int16 weights (the 16x16 mode) need int16 activations, and products of 2^30 keep the sums
// exact in doubles while a window holds fewer than 2^23 values.
import { mulDim } from "../../dim.js";
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import { qconvAccumulate, qconvAccumulateWide } from "../../kernels/integer-conv.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { convAttrSchema, convRun, windowOutShape, windowParams } from "../nn/spatial.js";
import { dimProduct } from "../nn/common.js";
import type { NumericArray } from "../../dtype.js";
import { checkProductOperands, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import { qconvToOnnx } from "./to-onnx.js";

export const QConv = defineOp({
  name: "QConv",
  doc: "Integer convolution: int8 x (zero point) * int8 per-channel w + int32 b, requantized with a fixed-point multiplier.",
  attrs: {
    ...convAttrSchema,
    x_zero_point: int(0),
    ...requantAttrs,
  },
  inputs: ["x", "w", "b?"],
  outputs: ["y"],
  infer([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    checkProductOperands(x, w, a.x_zero_point);
    if (x.shape.length < 3 || w.shape.length !== x.shape.length) throw new Error(`x must be [N, C, ...spatial] and w of the same rank`);
    const M = w.shape[0]!;
    const kernel = a.kernel_shape ?? (w.shape.slice(2) as number[]);
    if (bt) {
      expectDtype(bt, ["i32"], "b");
      if (bt.shape.length !== 1) throw new Error("b must be 1-D");
    }
    const cw = w.shape[1]!;
    const taps = [cw, ...kernel].reduce<number>((p, d) => p * (typeof d === "number" ? d : Infinity), 1);
    if (w.dtype === "i16" && taps >= 2 ** 23) throw new Error(`a 16x16 window of ${taps} values can pass 2^53: the sums would not be exact`);
    if (typeof cw === "number" && typeof x.shape[1] === "number" && cw * a.group !== x.shape[1]) {
      throw new Error(`x has ${x.shape[1]} channels, w expects ${cw} x group ${a.group}`);
    }
    requantParams(a, typeof M === "number" ? M : undefined);
    return [tensorType(outDtype(a), windowOutShape(x.shape, M, windowParams(kernel, a)))];
  },
  evaluate([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    const { N, C, M, geometry: g } = convRun(x.shape, w.shape, a);
    const rq = requantParams(a, M);
    const args = { N, C, M, group: a.group, geometry: g, xZeroPoint: a.x_zero_point };
    const acc = x.dtype === "i16"
      ? qconvAccumulateWide(x.data as NumericArray, w.data as Int8Array | Int16Array, bt?.data as Int32Array | undefined, args)
      : qconvAccumulate(x.data as NumericArray, w.data as Int8Array, bt?.data as Int32Array | undefined, args);
    const y = makeTensor(outDtype(a), [N, M, ...g.outShape]);
    requantizeChannels(acc, y.data as NumericArray, N, M, acc.length / (N * M), rq);
    return [y];
  },
  macs([, wt], [y]) {
    return mulDim(dimProduct(y!.shape), dimProduct(need(wt, "w").shape.slice(1)));
  },
  toOnnx: qconvToOnnx,
});
