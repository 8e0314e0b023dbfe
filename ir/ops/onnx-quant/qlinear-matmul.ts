// QLinearMatMul (opsets 10, 21): quantized matmul, y = requant((a - a_zp)·(b - b_zp)).
//
// a's scale and zero point are per tensor or per row, b's per tensor or per column, y's per
// tensor or per row. Accumulation is exact int32; requantization as in quant-requant.ts. The
// output type is y_zero_point's (a's when it is absent).
import type { DType } from "../../dtype.js";
import { defineOp } from "../../op.js";
import { tensorType } from "../../types.js";
import { integerMatmul } from "../../kernels/onnx-quant-matmul.js";
import { requantMultiplier } from "../../kernels/onnx-quant-round.js";
import { requantize } from "../../kernels/onnx-quant-requant.js";
import { matmulMacs, matmulShape } from "./matmul-shape.js";
import { checkRowColType, rowColValues } from "./row-col-params.js";

const Q8: readonly DType[] = ["u8", "i8"];
const SCALES: readonly DType[] = ["f32", "f16", "bf16"];

export const QLinearMatMul = defineOp({
  name: "QLinearMatMul",
  doc: "Quantized matrix product: 8-bit operands and output with scales and zero points.",
  attrs: {},
  inputs: ["a", "a_scale", "a_zero_point?", "b", "b_scale", "b_zero_point?", "y_scale", "y_zero_point?"],
  outputs: ["y"],
  dtypes: Q8,
  infer: ([a, as, azp, b, bs, bzp, ys, yzp]) => {
    if (!a || !as || !b || !bs || !ys) throw new Error("QLinearMatMul needs a, a_scale, b, b_scale and y_scale");
    for (const [n, t] of [["a", a], ["b", b], ["y_zero_point", yzp]] as const) {
      if (t && !Q8.includes(t.dtype)) throw new Error(`QLinearMatMul input ${n} must be u8 or i8, got ${t.dtype}`);
    }
    if (azp && azp.dtype !== a.dtype) throw new Error(`a_zero_point has dtype ${azp.dtype}, a has ${a.dtype}`);
    if (bzp && bzp.dtype !== b.dtype) throw new Error(`b_zero_point has dtype ${bzp.dtype}, b has ${b.dtype}`);
    for (const [n, t] of [["a_scale", as], ["b_scale", bs], ["y_scale", ys]] as const) {
      if (!SCALES.includes(t.dtype)) throw new Error(`QLinearMatMul ${n} must be a float, got ${t.dtype}`);
    }
    const out = matmulShape(a.shape, b.shape, "QLinearMatMul");
    const M = a.shape.length > 1 ? a.shape[a.shape.length - 2]! : 1;
    const N = b.shape.length > 1 ? b.shape[b.shape.length - 1]! : 1;
    checkRowColType("a_scale", as, M, "row");
    checkRowColType("a_zero_point", azp, M, "row");
    checkRowColType("b_scale", bs, N, "column");
    checkRowColType("b_zero_point", bzp, N, "column");
    checkRowColType("y_scale", ys, M, "row");
    checkRowColType("y_zero_point", yzp, M, "row");
    return [tensorType(yzp?.dtype ?? a.dtype, out)];
  },
  evaluate: ([a, as, azp, b, bs, bzp, ys, yzp]) => {
    const M = a!.shape.length > 1 ? a!.shape[a!.shape.length - 2]! : 1;
    const N = b!.shape.length > 1 ? b!.shape[b!.shape.length - 1]! : 1;
    const { acc } = integerMatmul(a!, b!, rowColValues("a_zero_point", azp, M, "row"), rowColValues("b_zero_point", bzp, N, "column"));
    const aS = rowColValues("a_scale", as, M, "row");
    const bS = rowColValues("b_scale", bs, N, "column");
    const yS = rowColValues("y_scale", ys, M, "row");
    // One multiplier per (row, column); rows and columns that share parameters share entries.
    const rows = aS.length > 1 || yS.length > 1 ? M : 1;
    const cols = bS.length > 1 ? N : 1;
    const mult = new Float64Array(rows * cols);
    for (let m = 0; m < rows; m++) {
      for (let n = 0; n < cols; n++) {
        mult[m * cols + n] = requantMultiplier(aS[aS.length > 1 ? m : 0]!, bS[bS.length > 1 ? n : 0]!, yS[yS.length > 1 ? m : 0]!);
      }
    }
    const yZp = rowColValues("y_zero_point", yzp, M, "row");
    // 1-D operands drop the unit dims, but the accumulator layout is still [batch, M, N].
    return [requantize(
      acc, M, N,
      { values: mult, sp: rows > 1 ? cols : 0, sq: cols > 1 ? 1 : 0 },
      { values: yZp, sp: yZp.length > 1 ? 1 : 0, sq: 0 },
      yzp?.dtype ?? a!.dtype,
    )];
  },
  macs: ([a], [y]) => matmulMacs(a!, y!),
});
