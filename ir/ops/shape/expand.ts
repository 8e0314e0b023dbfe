// Expand: broadcasts a tensor to `shape` (numpy rules in both directions: a 1 in `shape` keeps
// the input's dim). The target is a `dims` attribute, so [T,1,64] from Shape math works.
import { defineOp, dims, required } from "../../op.js";
import { broadcastDims, broadcastShapes } from "../../shape-util.js";
import { expand } from "../../../src/runtime/kernels/copy-repeat.js";
import { constantDims, input, quantThrough, typeWith, withoutAttrs } from "./util.js";
import { dimsInput, passAttrs } from "../onnx-export.js";
import type { OnnxNodeOut } from "../../op.js";

export const Expand = defineOp({
  name: "Expand",
  doc: "Broadcasts a tensor to `shape` with numpy rules.",
  attrs: { shape: required(dims()) },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: (node, ctx) => ({
    inputs: [node.inputs[0]!],
    outputs: node.outputs,
    attrs: { ...withoutAttrs(node.attrs, "shape"), shape: constantDims(node, 1, ctx, "shape") ?? ctx.fail("it has no shape input") },
  }),
  toOnnx: (node, a, ctx) => {
    const out: OnnxNodeOut[] = [];
    const shape = dimsInput(ctx, a.shape, `${node.name}.shape`, out, [node.inputs[0]!]);
    return [...out, { opType: "Expand", name: node.name, inputs: [node.inputs[0]!, shape], outputs: node.outputs, ...passAttrs("Expand", node, ["shape"]) }];
  },
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const shape = broadcastDims(x.shape, a.shape);
    const lead = shape.length - x.shape.length;
    return [typeWith(x.dtype, shape, quantThrough(x.quant, (ax) => ax + lead))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [expand(x, broadcastShapes(x.shape, a.shape as number[]))];
  },
});
