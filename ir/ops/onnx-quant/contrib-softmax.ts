// com.microsoft QLinearSoftmax (onnxruntime's QOperator format): softmax of an 8-bit tensor,
// y = quantize(softmax(dequantize(x))) with per-tensor parameters.
//
// `opset` is the opset of the Softmax it replaces: from 13 the softmax runs along `axis`; before,
// over the input coerced to 2-D at `axis` (every dim from `axis` on flattened into one row). The
// reference computes in double precision and rounds ties to even. The import-qdq pass turns it
// into the integer QSoftmax (output scale 1/256; a Requantize follows for other output scales).
import { defineOp, int, required } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { checkScalarParams, msOp, Q8, quantizeTo, scalarParams } from "./contrib-params.js";

export const QLinearSoftmax = defineOp({
  name: "QLinearSoftmax",
  doc: "8-bit softmax (com.microsoft): y = quantize(softmax(dequantize(x))) along axis (opset >= 13) or over the 2-D coercion.",
  onnxOps: [msOp("QLinearSoftmax")],
  attrs: { axis: int(-1), opset: required(int()) },
  inputs: ["X", "X_scale", "x_zero_point?", "y_scale", "y_zero_point?"],
  outputs: ["Y"],
  dtypes: Q8,
  infer([x, xs, xz, ys, yz], a) {
    if (!x) throw new Error("input X is missing");
    checkScalarParams("X", x, xs, xz);
    checkScalarParams("Y", { dtype: x.dtype, shape: [] }, ys, yz);
    normAxis(a.axis, x.shape.length);
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate([x, xs, xz, ys, yz], a) {
    const px = scalarParams(xs, xz), py = scalarParams(ys, yz);
    const shape = x!.shape;
    const axis = normAxis(a.axis, shape.length);
    const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
    // Rows of `len` elements `stride` apart: along the axis, or the flattened tail before opset 13.
    const along = a.opset >= 13;
    const len = along ? shape[axis]! : prod(shape.slice(axis));
    const inner = along ? prod(shape.slice(axis + 1)) : 1;
    const outer = prod(shape.slice(0, axis));
    const xd = x!.data as NumericArray;
    const y = makeTensor(x!.dtype, shape);
    const yd = y.data as NumericArray;
    const e = new Float64Array(len);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let mx = -Infinity;
        for (let k = 0; k < len; k++) mx = Math.max(mx, xd[base + k * inner]!);
        let sum = 0;
        for (let k = 0; k < len; k++) sum += e[k] = Math.exp(px.scale * (xd[base + k * inner]! - mx));
        for (let k = 0; k < len; k++) yd[base + k * inner] = quantizeTo(e[k]! / sum / py.scale, py.zeroPoint, x!.dtype);
      }
    }
    return [y];
  },
});
