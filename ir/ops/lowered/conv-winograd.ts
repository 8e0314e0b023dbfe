// ConvWinograd: a 1-D float Conv of stride 1 and dilation 1 computed by Winograd's F(m, r)
// (ir/kernels/conv-winograd.ts): input transform, one GEMM per tap against weights transformed
// at compile time, output transform with the bias and the fused activation. `m` is the output
// tile; a kernel longer than `segment` taps is cut into segments of F(m, segment) summed in the
// transform domain. Made by the lower stage's Winograd rule
// (passes/lower/winograd.ts) when asked for (`--winograd`, `lower{winograd=...}`); written to
// ONNX as the Conv it implements.
import { int, type OpDef } from "../../op.js";
import { convWinograd } from "../../kernels/conv-winograd.js";
import { Conv, runConv } from "../nn/conv.js";
import { defineAlgorithm } from "./define.js";

const base = defineAlgorithm(Conv, {
  name: "ConvWinograd",
  doc: "1-D Conv (stride 1, dilation 1) by Winograd F(m, r): input transform, a GEMM per tap against compile-time transformed weights, output transform with bias and activation.",
  kernel: (inputs, a) => runConv(inputs, a, (x, w, b, y, args) => {
    const { m = 4, segment = 0 } = a as { m?: number; segment?: number };
    convWinograd(x, w, b, y, args, m, segment);
  }),
});

// m: the output tile; segment: taps per segment (0: the whole kernel in one F(m, r)).
const attrs = { ...base.attrs, m: int(4), segment: int(0) };

export const ConvWinograd: OpDef<typeof attrs> = {
  ...base,
  attrs,
  // ONNX has no tile size: the node is written as the Conv it computes.
  toOnnx(node) {
    const { m: _m, segment: _s, ...rest } = node.attrs ?? {};
    return [{ opType: "Conv", name: node.name, inputs: node.inputs, outputs: node.outputs, attrs: rest }];
  },
};
