// com.microsoft QGemm (onnxruntime's QOperator format): 8-bit Gemm with an int32 bias,
//   Y = alpha a_scale b_scale[n] ((A - a_zp) (B - b_zp[n]) + C),
// A [M, K] (or [K, M] with transA), B [K, N] (or [N, K] with transB), b_scale and b_zero_point
// per tensor or per output column n, C int32 broadcastable to [M, N] (quantized at
// alpha a_scale b_scale, zero point 0). With y_scale and y_zero_point the output is quantized
// (ties to even, saturate, y_zero_point's type); without them it is float32.
//
// The accumulation is exact; the scaling is done in double precision. The import-qdq pass turns a
// QGemm with quantized output and constant B into the integer QMatMul.
import type { Dim } from "../../dim.js";
import { dimEquals, dimToString } from "../../dim.js";
import { defineOp, float, int } from "../../op.js";
import { makeTensor, tensorType, type TensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { broadcastIndex } from "../../kernels/integer-broadcast.js";
import { checkScalarParams, msOp, Q8, quantizeTo, scalarParams } from "./contrib-params.js";
import { dimProduct } from "./dim-product.js";
import { checkRowColType, rowColValues } from "./row-col-params.js";

function dims(a: TensorType, trans: number): [Dim, Dim] {
  return trans ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
}

export const QGemm = defineOp({
  name: "QGemm",
  doc: "8-bit Gemm with int32 bias (com.microsoft): alpha sa sb ((A - za)(B - zb) + C), quantized when y_scale is given.",
  onnxOps: [msOp("QGemm")],
  attrs: { alpha: float(1), transA: int(0), transB: int(0) },
  inputs: ["A", "a_scale", "a_zero_point", "B", "b_scale", "b_zero_point?", "C?", "y_scale?", "y_zero_point?"],
  outputs: ["Y"],
  dtypes: Q8,
  infer([a, as, az, b, bs, bz, c, ys, yz], at) {
    if (!a || !b) throw new Error("QGemm needs inputs A and B");
    checkScalarParams("A", a, as, az);
    if (!Q8.includes(b.dtype)) throw new Error(`B must be u8 or i8, got ${b.dtype}`);
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error("A and B must be 2-D");
    const [M, K] = dims(a, at.transA), [K2, N] = dims(b, at.transB);
    if (!dimEquals(K, K2)) throw new Error(`A's inner dim ${dimToString(K)} differs from B's ${dimToString(K2)}`);
    if (!bs || bs.dtype !== "f32") throw new Error("b_scale must be an f32 scalar or one value per output column");
    checkRowColType("b_scale", bs, N, "column");
    if (bz) {
      if (bz.dtype !== b.dtype) throw new Error(`b_zero_point has dtype ${bz.dtype}, B ${b.dtype}`);
      checkRowColType("b_zero_point", bz, N, "column");
    }
    if (c) {
      if (c.dtype !== "i32") throw new Error(`C must be int32, got ${c.dtype}`);
      if (c.shape.length > 2) throw new Error("C must broadcast to [M, N]");
    }
    if (!ys !== !yz) throw new Error("give y_scale and y_zero_point together (quantized output) or neither (float output)");
    if (ys && yz) {
      checkScalarParams("Y", { dtype: yz.dtype, shape: [] }, ys, yz);
      return [tensorType(yz.dtype, [M, N])];
    }
    return [tensorType("f32", [M, N])];
  },
  evaluate([a, as, az, b, bs, bz, c, ys, yz], at) {
    const pa = scalarParams(as, az);
    const [M, K] = dims(a!, at.transA) as [number, number], N = dims(b!, at.transB)[1] as number;
    const sb = rowColValues("b_scale", bs, N, "column"), zb = rowColValues("b_zero_point", bz, N, "column");
    const ad = a!.data as NumericArray, bd = b!.data as NumericArray;
    const cd = c ? c.data as Int32Array : undefined;
    const ci = c ? broadcastIndex(c.shape, [M, N]).ia : undefined;
    const quant = ys ? scalarParams(ys, yz) : undefined;
    const y = makeTensor(quant ? yz!.dtype : "f32", [M, N]);
    const yd = y.data as NumericArray;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const z = zb[zb.length > 1 ? n : 0]!;
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = ad[at.transA ? k * M + m : m * K + k]! - pa.zeroPoint;
          acc += av * (bd[at.transB ? n * K + k : k * N + n]! - z);
        }
        const i = m * N + n;
        if (cd) acc += cd[ci ? ci[i]! : i]!;
        const real = at.alpha * pa.scale * sb[sb.length > 1 ? n : 0]! * acc;
        yd[i] = quant ? quantizeTo(real / quant.scale, quant.zeroPoint, y.dtype) : real;
      }
    }
    return [y];
  },
  macs([a], [y], at) {
    return dimProduct([...y!.shape, dims(a!, at.transA)[1]]);
  },
});
