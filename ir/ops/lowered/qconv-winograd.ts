// QConvWinograd: a 1-D integer QConv of stride 1 and dilation 1 by integer-exact Winograd
// F(m, rs) (ir/kernels/integer-winograd.ts): integer-scaled transforms, int16 transform-domain
// operands, wide accumulation and an exact division by the output transform's scale, so its
// int32 accumulator, and with it the requantized output, is QConv's bit for bit. Made by the lower
// stage's integer Winograd rule (passes/lower/qconv-winograd.ts) when asked for; written to ONNX
// as the QConv it implements.
import { int, type OpDef } from "../../op.js";
import { makeTensor } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { qconvWinogradAccumulate } from "../../kernels/integer-winograd.js";
import { integerOp } from "../integer/index.js";
import { QConv } from "../integer/qconv.js";
import { convRun } from "../nn/spatial.js";
import { need, outDtype, requantParams } from "../integer/common.js";
import { defineAlgorithm } from "./define.js";

const base = defineAlgorithm(integerOp(QConv), {
  name: "QConvWinograd",
  doc: "1-D QConv (stride 1, dilation 1) by integer-exact Winograd F(m, r): integer-scaled transforms, int16 operands, a wide GEMM per tap, exact division: QConv's accumulator bit for bit.",
  kernel([xt, wt, bt], a) {
    const { m = 4, segment = 0 } = a as { m?: number; segment?: number };
    const x = need(xt, "x"), w = need(wt, "w");
    const { N, C, M, geometry: g } = convRun(x.shape, w.shape, a);
    const acc = qconvWinogradAccumulate(x.data as NumericArray, w.data as Int8Array, bt?.data as Int32Array | undefined,
      { N, C, M, group: a.group, geometry: g, xZeroPoint: a.x_zero_point }, m, segment);
    const y = makeTensor(outDtype(a), [N, M, ...g.outShape]);
    requantizeChannels(acc, y.data as NumericArray, N, M, acc.length / (N * M), requantParams(a, M));
    return [y];
  },
});

// m: the output tile; segment: taps per segment (0: the whole kernel in one F(m, r)).
const attrs = { ...base.attrs, m: int(4), segment: int(0) };

export const QConvWinograd: OpDef<typeof attrs> = {
  ...base,
  attrs,
  toOnnx(node, resolved, ctx) {
    const { m: _m, segment: _s, ...rest } = node.attrs ?? {};
    const { m: _rm, segment: _rs, ...restResolved } = resolved;
    return QConv.toOnnx!({ ...node, attrs: rest }, restResolved as never, ctx);
  },
};
