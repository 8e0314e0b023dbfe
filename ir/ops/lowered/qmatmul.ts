// The integer matrix product's algorithm ops (made by the lower stage, passes/lower/qmatmul.ts).
// Integer sums are exact whatever their order, so QMatMul's own kernel is each one's reference;
// the C emitter of the same name runs the algorithm (codegen/kernels/qint-matmul-*.ts).
import { integerOp } from "../integer/index.js";
import { QMatMul } from "../integer/qmatmul.js";
import { defineAlgorithm } from "./define.js";

const base = integerOp(QMatMul);

export const QMatMulGemm = defineAlgorithm(base, {
  name: "QMatMulGemm",
  doc: "QMatMul with constant symmetric int8 weights w[K, N], packed transposed at compile time; the rows of x are the GEMM's columns (int32 sums, or int64 for int16 x).",
});

export const QMatMulCentred = defineAlgorithm(base, {
  name: "QMatMulCentred",
  doc: "QMatMul whose w is not packed at compile time (an activation, a zero point, batch dims): per batch both operands are centred into int16 scratch, w transposed, then a GEMM with wrapping int32 sums.",
});

export const qmatmulAlgorithms = [QMatMulGemm, QMatMulCentred];
