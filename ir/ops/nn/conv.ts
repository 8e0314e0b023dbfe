// Conv: N-D convolution (1-D to 3-D) with groups, dilations, strides, pads and auto_pad.
//
// Output lengths stay symbolic (e.g. T -> floor((T-1)/2)+1 for k=3, s=2, pads 1). The lower
// stage rewrites it into an algorithm op (ir/ops/lowered/conv.ts); unlowered, the kernel
// (ir/kernels/conv.ts) takes the portable target's choice.
import { defineOp } from "../../op.js";
import { withFusedActivation } from "../../activation.js";
import { makeTensor, tensorType, type Tensor } from "../../types.js";
import { convFloat } from "../../kernels/conv.js";
import {
  checkDim, dimProduct, expectFloat, expectRank, expectSameDtype, floatData, FLOAT_TYPES, need, needTensor, shapeStr, staticDims,
} from "./common.js";
import { convAttrSchema, convRun, normalizeWindowAttrs, windowOutShape, windowParams } from "./spatial.js";
import { mulDim, type Dim } from "../../dim.js";

// withFusedActivation adds the optional `activation` / `activation_params` attributes (ir/activation.ts).
export const Conv = withFusedActivation(defineOp({
  name: "Conv",
  traits: { absorbsBatchNorm: true, int16x8: true },
  doc: "N-D convolution with groups, strides, dilations and padding (ONNX Conv).",
  attrs: convAttrSchema,
  inputs: ["x", "w", "b?"],
  outputs: ["y"],
  dtypes: FLOAT_TYPES,
  infer([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    expectFloat(x, "x");
    expectSameDtype(x, w, "x", "w");
    if (x.shape.length < 3) throw new Error(`input x must be [N, C, ...spatial], got ${shapeStr(x.shape)}`);
    expectRank(w, x.shape.length, "w");
    const kernel = a.kernel_shape ?? staticDims(w.shape.slice(2), "the weight's kernel dims");
    checkKernel(kernel, w.shape.slice(2));
    const g = a.group;
    if (!Number.isInteger(g) || g < 1) throw new Error(`group must be a positive integer, got ${g}`);
    const M = w.shape[0]!;
    if (typeof M === "number" && M % g !== 0) throw new Error(`output channels ${M} are not divisible by group ${g}`);
    const cw = w.shape[1]!;
    checkDim(x.shape[1]!, typeof cw === "number" ? cw * g : cw, `input channels do not match weight channels x group`);
    if (bt) {
      expectSameDtype(x, bt, "x", "b");
      expectRank(bt, 1, "b");
      checkDim(bt.shape[0]!, M, "bias length does not match output channels");
    }
    return [tensorType(x.dtype, windowOutShape(x.shape, M, windowParams(kernel, a)))];
  },
  evaluate: (inputs, a) => runConv(inputs, a, convFloat),
  fromOnnx(node, ctx) {
    const wShape = ctx.type(node.inputs[1]!)?.shape;
    const kernel = (node.attrs.kernel_shape as readonly number[] | undefined) ??
      (wShape && wShape.slice(2).every((d) => typeof d === "number") ? (wShape.slice(2) as number[]) : undefined);
    return { inputs: node.inputs, outputs: node.outputs, attrs: normalizeWindowAttrs(node, ctx, kernel) };
  },
  macs([, wt], [y]) {
    // Every output element takes one MAC per weight of its group's filter.
    return mulDim(dimProduct(y!.shape), dimProduct(need(wt, "w").shape.slice(1)));
  },
}));

/** Runs a float conv kernel (ir/kernels/conv.ts) on the node's tensors: Conv's and its algorithm ops' evaluate. */
export function runConv(
  [xt, wt, bt]: readonly (Tensor | undefined)[], a: { group: number } & Parameters<typeof convRun>[2], kernel: typeof convFloat,
): Tensor[] {
  const x = needTensor(xt, "x"), w = needTensor(wt, "w");
  const { N, C, M, geometry: g } = convRun(x.shape, w.shape, a);
  if (C !== w.shape[1]! * a.group) throw new Error(`input has ${C} channels, weights expect ${w.shape[1]! * a.group}`);
  const y = makeTensor(x.dtype, [N, M, ...g.outShape]);
  kernel(floatData(x), floatData(w), bt ? floatData(bt) : undefined, floatData(y), { N, C, M, group: a.group, geometry: g });
  return [y];
}

function checkKernel(kernel: readonly number[], wSpatial: readonly Dim[]): void {
  if (kernel.length !== wSpatial.length) {
    throw new Error(`kernel_shape [${kernel.join(",")}] does not match the weight's ${wSpatial.length} spatial dims`);
  }
  kernel.forEach((k, i) => checkDim(wSpatial[i]!, k, `kernel_shape dim ${i} does not match the weight`));
}
