// com.microsoft QLinearConcat (onnxruntime's QOperator format): concatenation of 8-bit tensors
// that each have their own per-tensor parameters, into Y's parameters.
//
// Inputs: Y_scale, Y_zero_point, then one (X, X_scale, X_zero_point) triple per tensor. Each
// element is y = quantize(X_scale (x - X_zp) / Y_scale) + Y_zp (double precision, ties to even,
// saturate); an input with Y's parameters is copied unchanged by the same formula. The import-qdq
// pass turns it into the integer QConcat.
import { addDim, dimEquals, dimToString } from "../../dim.js";
import { defineOp, int, required } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { tensorType, type Tensor, type TensorType } from "../../types.js";
import { concatMapped } from "../../kernels/concat-map.js";
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
    const xs: Tensor[] = [], ps: { scale: number; zeroPoint: number }[] = [];
    for (let i = 0; i < rest.length; i += 3) {
      xs.push(rest[i]!);
      ps.push(scalarParams(rest[i + 1], rest[i + 2]));
    }
    return [concatMapped(xs, normAxis(a.axis, xs[0]!.shape.length), dt, (k) => {
      const p = ps[k]!;
      return (v) => quantizeTo(((v - p.zeroPoint) * p.scale) / py.scale, py.zeroPoint, dt);
    })];
  },
});
