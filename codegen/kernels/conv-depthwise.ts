// ConvDepthwise in C: a 1-D conv with one filter per channel as the direct loop of
// neonc_dwconv1d_f32 (conv-helpers.ts) over a zero-padded copy of each channel's row.
import { addDim } from "../../ir/dim.js";
import { defineKernel } from "../kernel.js";
import { useDepthwise1d } from "./conv-helpers.js";
import { convSizes, floatConvUnsupported, padBeforeC, padTotalMax, useMaxInt } from "./conv-common.js";

export const convDepthwiseKernel = defineKernel({
  op: "ConvDepthwise",
  supports(node, attrs, g) {
    const bad = floatConvUnsupported(node, attrs, g, [1]);
    if (bad) return bad;
    const C = g.types[node.inputs[0]!]!.shape[1], M = g.types[node.inputs[1]!]!.shape[0];
    return attrs.group === C && M === C ? undefined : "the direct loop needs one filter per channel (group = input = output channels)";
  },
  emit(node, attrs, ctx) {
    const [xName, wName, bName] = node.inputs as [string, string, string | undefined];
    const s = convSizes(node, attrs, ctx);
    useDepthwise1d(ctx);
    const wp = ctx.addWeights(wName, ctx.constant(wName)!.data as Float32Array);
    const bp = bName ? ctx.addWeights(bName, ctx.constant(bName)!.data as Float32Array) : "0";
    // One zero-padded input row (plus room for the NEON stride-2 loads' extra float).
    const row = ctx.scratch(addDim(ctx.type(xName).shape[2]!, padTotalMax(s, 0) + 4));
    useMaxInt(ctx);
    const [Tin, Tout] = [s.inSp[0]!, s.outSp[0]!];
    return [
      `int n;`,
      `for (n = 0; n < ${s.N}; n++)`,
      `  neonc_dwconv1d_f32(${s.C}, ${Tin}, ${Tout}, ${s.kernel[0]}, ${s.strides[0]}, ${s.dilations[0]}, ${padBeforeC(s, 0)},`,
      `                     ${ctx.ptr(xName)} + (size_t)n * ${s.C} * ${Tin}, ${wp}, ${bp}, ${ctx.ptr(node.outputs[0]!)} + (size_t)n * ${s.C} * ${Tout}, ${s.act}, ${row});`,
    ].join("\n");
  },
});
