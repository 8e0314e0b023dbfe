// com.microsoft QLinearAdd and QLinearMul (onnxruntime's QOperator format): elementwise 8-bit
// binary ops with numpy broadcasting and per-tensor parameters.
//
//   QLinearAdd: C = (A_scale (A - A_zp) + B_scale (B - B_zp)) / C_scale + C_zp
//   QLinearMul: C = (A - A_zp)(B - B_zp) A_scale B_scale / C_scale + C_zp
//
// The reference evaluates the formula in double precision from the f32 scales, rounds half to
// even and saturates (ONNX's QuantizeLinear rounding). The import-qdq pass turns both into the
// integer QAdd / QMul (passes/import-qdq/index/contrib.ts).
import { defineOp } from "../../op.js";
import { broadcastDims } from "../../shape-util.js";
import { makeTensor, tensorType, type TensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { broadcastIndex } from "../../kernels/integer-broadcast.js";
import { checkScalarParams, msOp, Q8, quantizeTo, scalarParams } from "./contrib-params.js";

type Combine = (a: number, b: number, sa: number, sb: number) => number;

function defineBinary(name: "QLinearAdd" | "QLinearMul", doc: string, combine: Combine) {
  return defineOp({
    name,
    doc,
    onnxOps: [msOp(name)],
    attrs: {},
    inputs: ["A", "A_scale", "A_zero_point?", "B", "B_scale", "B_zero_point?", "C_scale", "C_zero_point?"],
    outputs: ["C"],
    dtypes: Q8,
    infer([a, as, az, b, bs, bz, cs, cz]) {
      if (!a || !b) throw new Error(`${name} needs inputs A and B`);
      checkScalarParams("A", a, as, az);
      checkScalarParams("B", b, bs, bz);
      if (b.dtype !== a.dtype) throw new Error(`A is ${a.dtype} but B is ${b.dtype}; both must have the same type`);
      checkScalarParams("C", { dtype: a.dtype, shape: [] } as TensorType, cs, cz);
      return [tensorType(a.dtype, broadcastDims(a.shape, b.shape))];
    },
    evaluate([a, as, az, b, bs, bz, cs, cz]) {
      const pa = scalarParams(as, az), pb = scalarParams(bs, bz), pc = scalarParams(cs, cz);
      const bc = broadcastIndex(a!.shape, b!.shape);
      const ad = a!.data as NumericArray, bd = b!.data as NumericArray;
      const y = makeTensor(a!.dtype, bc.shape);
      const yd = y.data as NumericArray;
      const ia = bc.ia, ib = bc.ib;
      for (let i = 0; i < yd.length; i++) {
        const v = combine(ad[ia ? ia[i]! : i]! - pa.zeroPoint, bd[ib ? ib[i]! : i]! - pb.zeroPoint, pa.scale, pb.scale);
        yd[i] = quantizeTo(v / pc.scale, pc.zeroPoint, a!.dtype);
      }
      return [y];
    },
  });
}

export const QLinearAdd = defineBinary(
  "QLinearAdd",
  "8-bit addition with per-tensor scales (com.microsoft): C = (sa (A - za) + sb (B - zb)) / sc + zc, ties to even.",
  (a, b, sa, sb) => sa * a + sb * b,
);

export const QLinearMul = defineBinary(
  "QLinearMul",
  "8-bit multiplication with per-tensor scales (com.microsoft): C = (A - za)(B - zb) sa sb / sc + zc, ties to even.",
  (a, b, sa, sb) => a * b * (sa * sb),
);
