// MatMulInteger (opset 10): integer matmul with zero points, int32 output.
//
// a_zero_point is per tensor or per row of A, b_zero_point per tensor or per column of B.
import { defineOp } from "../../op.js";
import { tensorType } from "../../types.js";
import { integerMatmul } from "../../kernels/onnx-quant-matmul.js";
import { matmulMacs, matmulShape } from "./matmul-shape.js";
import { checkRowColType, rowColValues } from "./row-col-params.js";

export const MatMulInteger = defineOp({
  name: "MatMulInteger",
  doc: "Integer matrix product of 8-bit inputs with zero points, accumulating exactly in int32.",
  attrs: {},
  inputs: ["A", "B", "a_zero_point?", "b_zero_point?"],
  outputs: ["Y"],
  dtypes: ["u8", "i8"],
  infer: ([A, B, azp, bzp]) => {
    if (!A || !B) throw new Error("MatMulInteger needs inputs A and B");
    for (const [n, t, like] of [["A", A, A], ["B", B, B], ["a_zero_point", azp, A], ["b_zero_point", bzp, B]] as const) {
      if (t && t.dtype !== "u8" && t.dtype !== "i8") throw new Error(`MatMulInteger input ${n} must be u8 or i8, got ${t.dtype}`);
      if (t && t.dtype !== like.dtype) throw new Error(`MatMulInteger input ${n} has dtype ${t.dtype}, expected ${like.dtype}`);
    }
    const out = matmulShape(A.shape, B.shape, "MatMulInteger");
    checkRowColType("a_zero_point", azp, A.shape.length > 1 ? A.shape[A.shape.length - 2]! : 1, "row");
    checkRowColType("b_zero_point", bzp, B.shape.length > 1 ? B.shape[B.shape.length - 1]! : 1, "column");
    return [tensorType("i32", out)];
  },
  evaluate: ([A, B, azp, bzp]) => {
    const M = A!.shape.length > 1 ? A!.shape[A!.shape.length - 2]! : 1;
    const N = B!.shape.length > 1 ? B!.shape[B!.shape.length - 1]! : 1;
    const { acc } = integerMatmul(A!, B!, rowColValues("a_zero_point", azp, M, "row"), rowColValues("b_zero_point", bzp, N, "column"));
    return [acc];
  },
  macs: ([A], [Y]) => matmulMacs(A!, Y!),
});
