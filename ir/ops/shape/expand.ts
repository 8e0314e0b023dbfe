// Expand: broadcasts a tensor to `shape` (numpy rules in both directions: a 1 in `shape` keeps
// the input's dim). The target is a `dims` attribute, so [T,1,64] from Shape math works.
import { defineOp, dims, required } from "../../op.js";
import { broadcastDims, broadcastShapes } from "../../shape-util.js";
import { expand } from "../../kernels/copy-repeat.js";
import { input, quantThrough, typeWith } from "./util.js";
import { shapeInputFromOnnx, shapeInputToOnnx } from "./shape-input.js";

export const Expand = defineOp({
  name: "Expand",
  doc: "Broadcasts a tensor to `shape` with numpy rules.",
  attrs: { shape: required(dims()) },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: shapeInputFromOnnx,
  toOnnx: shapeInputToOnnx("Expand"),
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
