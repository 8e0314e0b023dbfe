// com.microsoft QLinearConcat (onnxruntime's QOperator format): concatenation of 8-bit tensors
// that each have their own per-tensor parameters, into Y's parameters.
//
// Inputs: Y_scale, Y_zero_point, then one (X, X_scale, X_zero_point) triple per tensor. Each
// element is y = quantize(X_scale (x - X_zp) / Y_scale) + Y_zp (double precision, ties to even,
// saturate); an input with Y's parameters is copied unchanged by the same formula. The lower-qdq
// pass turns it into the integer QConcat.
import { addDim, dimEquals, dimToString } from "../../dim.js";
import { defineOp, int, required } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, tensorType, type TensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { checkScalarParams, msOp, quantizeTo, scalarParams } from "./contrib-params.js";

export const QLinearConcat = defineOp({
  name: "QLinearConcat",
  doc: "Concatenation of 8-bit tensors with their own scales into Y's scale (com.microsoft), ties to even.",
  onnxOps: [msOp("QLinearConcat")],
  attrs: { axis: required(int()) },
  inputs: ["Y_scale", "Y_zero_point", "inputs*"],
  outputs: ["Y"],
  infer([ys, yz, ...rest], a) {
    if (!yz) throw new Error("QLinearConcat needs Y_zero_point (its type is the output's)");
    if (rest.length === 0 || rest.length % 3 !== 0) {
      throw new Error(`QLinearConcat takes (X, X_scale, X_zero_point) triples after Y_scale and Y_zero_point, got ${rest.length} more inputs`);
    }
    checkScalarParams("Y", { dtype: yz.dtype, shape: [] }, ys, yz);
    const xs: TensorType[] = [];
    for (let i = 0; i < rest.length; i += 3) {
      const x = rest[i];
      if (!x) throw new Error(`input tensor ${i / 3} is missing`);
      checkScalarParams(`input tensor ${i / 3}`, x, rest[i + 1], rest[i + 2]);
      if (x.dtype !== yz.dtype) throw new Error(`input tensor ${i / 3} is ${x.dtype}, the output ${yz.dtype}`);
      xs.push(x);
    }
    const rank = xs[0]!.shape.length;
    const axis = normAxis(a.axis, rank);
    const shape = [...xs[0]!.shape];
    xs.forEach((x, k) => {
      if (x.shape.length !== rank) throw new Error(`input tensor ${k} has rank ${x.shape.length}, expected ${rank}`);
      x.shape.forEach((d, i) => {
        if (i !== axis && !dimEquals(d, shape[i]!) && typeof d === "number" && typeof shape[i] === "number") {
          throw new Error(`input tensor ${k} has dim ${i} = ${dimToString(d)}, expected ${dimToString(shape[i]!)}`);
        }
      });
      if (k > 0) shape[axis] = addDim(shape[axis]!, x.shape[axis]!);
    });
    return [tensorType(yz.dtype, shape)];
  },
  evaluate([ys, yz, ...rest], a) {
    const py = scalarParams(ys, yz);
    const dt = yz!.dtype;
    const xs = [];
    for (let i = 0; i < rest.length; i += 3) xs.push({ x: rest[i]!, p: scalarParams(rest[i + 1], rest[i + 2]) });
    const axis = normAxis(a.axis, xs[0]!.x.shape.length);
    const shape = [...xs[0]!.x.shape];
    shape[axis] = xs.reduce((s, { x }) => s + x.shape[axis]!, 0);
    const y = makeTensor(dt, shape);
    const yd = y.data as NumericArray;
    const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rowOut = shape[axis]! * inner;
    let at = 0;
    for (const { x, p } of xs) {
      const xd = x.data as NumericArray;
      const row = x.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) {
        for (let k = 0; k < row; k++) yd[o * rowOut + at + k] = quantizeTo(((xd[o * row + k]! - p.zeroPoint) * p.scale) / py.scale, py.zeroPoint, dt);
      }
      at += row;
    }
    return [y];
  },
});
