// ConstantOfShape: a tensor of `shape` filled with the single element of `value` (default f32
// 0). The shape input becomes the `dims` attribute, so the IR node has no inputs.
import { isSymbolic, shapeToString, type Dim } from "../../dim.js";
import { defineOp, dims, required, tensorAttr } from "../../op.js";
import { fromNumbers, makeTensor, tensorType, type Tensor } from "../../types.js";
import { fillBlock, type Elem } from "../../kernels/copy.js";
import { constantDims, withoutAttrs } from "./util.js";
import { dimsInput, passAttrs } from "../onnx-export.js";
import type { OnnxNodeOut } from "../../op.js";

const ZERO = fromNumbers("f32", [1], [0]);

function fillValue(value: Tensor | undefined): Tensor {
  const v = value ?? ZERO;
  if (v.data.length !== 1) throw new Error(`ConstantOfShape value must have one element, it has ${v.data.length}`);
  return v;
}

function checkShape(shape: readonly Dim[]): void {
  if (shape.some((d) => typeof d === "number" && (d < 0 || !Number.isInteger(d)))) throw new Error(`ConstantOfShape shape ${shapeToString(shape)} has a negative dim`);
}

export const ConstantOfShape = defineOp({
  name: "ConstantOfShape",
  doc: "A tensor of `shape` filled with the one element of `value`.",
  attrs: { shape: required(dims()), value: tensorAttr() },
  inputs: [],
  outputs: ["y"],
  fromOnnx: (node, ctx) => ({
    inputs: [],
    outputs: node.outputs,
    attrs: { ...withoutAttrs(node.attrs, "shape"), shape: constantDims(node, 0, ctx, "shape") ?? ctx.fail("it has no shape input") },
  }),
  toOnnx: (node, a, ctx) => {
    const out: OnnxNodeOut[] = [];
    const shape = dimsInput(ctx, a.shape, `${node.name}.shape`, out);
    return [...out, { opType: "ConstantOfShape", name: node.name, inputs: [shape], outputs: node.outputs, ...passAttrs("ConstantOfShape", node, ["shape"]) }];
  },
  infer: (_xs, a) => {
    checkShape(a.shape);
    return [tensorType(fillValue(a.value).dtype, a.shape)];
  },
  evaluate: (_xs, a) => {
    checkShape(a.shape);
    const v = fillValue(a.value);
    const out = makeTensor(v.dtype, a.shape as number[]);
    fillBlock(out.data, 0, out.data.length, v.data[0] as Elem);
    return [out];
  },
  foldDims: (_vals, a) => {
    // Small integer fills feed shape arithmetic (e.g. ones for an Expand target).
    const v = fillValue(a.value);
    if (a.shape.some(isSymbolic) || !/^[iu]\d+$/.test(v.dtype)) return undefined;
    const n = (a.shape as number[]).reduce((p, d) => p * d, 1);
    if (n > 64) return undefined;
    return [new Array<Dim>(n).fill(Number(v.data[0]))];
  },
});
