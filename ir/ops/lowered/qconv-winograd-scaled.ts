// QConvWinogradScaled: a 1-D integer QConv of stride 1 and dilation 1 by scaled (RSQ-style)
// integer Winograd F(m, rs) (ir/kernels/scaled-winograd.ts): the transformed input requantized
// to int8 per tap (input_scales: one scale per Winograd-domain position), the transformed
// weights to int8 per tap and output channel, int8 GEMMs with int32 sums, an integer output
// transform, then QConv's requantization. Integer-only and deterministic, but an approximation
// of QConv's accumulator (unlike QConvWinograd, the exact scheme). Made by the winograd pass with
// int8=scaled; written to ONNX as the QConv it approximates.
import { floats, int, type OpDef } from "../../op.js";
import { makeTensor } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { qconvWinogradScaledAccumulate } from "../../kernels/scaled-winograd.js";
import { integerOp } from "../integer/index.js";
import { QConv } from "../integer/qconv.js";
import { convRun } from "../nn/spatial.js";
import { need, outDtype, requantParams } from "../integer/common.js";
import { defineAlgorithm } from "./define.js";

const base = defineAlgorithm(integerOp(QConv), {
  name: "QConvWinogradScaled",
  doc: "1-D QConv (stride 1, dilation 1) by scaled integer Winograd F(m, r): int8 transform-domain operands with a scale per tap, int8 GEMMs, integer output transform: an integer-only approximation of QConv's accumulator.",
  kernel([xt, wt, bt], a) {
    const { m = 4, segment = 0, input_scales: scales = [] } = a as { m?: number; segment?: number; input_scales?: readonly number[] };
    const x = need(xt, "x"), w = need(wt, "w");
    const { N, C, M, geometry: g } = convRun(x.shape, w.shape, a);
    const acc = qconvWinogradScaledAccumulate(x.data as NumericArray, w.data as Int8Array, bt?.data as Int32Array | undefined,
      { N, C, M, group: a.group, geometry: g, xZeroPoint: a.x_zero_point }, m, segment, scales);
    const y = makeTensor(outDtype(a), [N, M, ...g.outShape]);
    requantizeChannels(acc, y.data as NumericArray, N, M, acc.length / (N * M), requantParams(a, M));
    return [y];
  },
});

// m: the output tile; segment: taps per segment (0: the whole kernel); input_scales: the scale of
// each tap's transformed input (n = m + taps - 1 of them, each at least 1).
const attrs = { ...base.attrs, m: int(4), segment: int(0), input_scales: floats([]) };

export const QConvWinogradScaled: OpDef<typeof attrs> = {
  ...base,
  attrs,
  toOnnx(node, resolved, ctx) {
    const { m: _m, segment: _s, input_scales: _i, ...rest } = node.attrs ?? {};
    const { m: _rm, segment: _rs, input_scales: _ri, ...restResolved } = resolved;
    return QConv.toOnnx!({ ...node, attrs: rest }, restResolved as never, ctx);
  },
};
