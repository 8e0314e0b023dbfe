// The float MatMul's and Gemm's algorithm ops (made by passes/lower/matmul.ts). MatMul's
// reference kernel already runs each one's algorithm — A's batch folded into the rows of one
// GEMM when B is 2-D, one GEMM per batch otherwise — and Gemm's is one GEMM, so they keep the
// implemented op's kernel; their C emitters are codegen/kernels/matmul-*.ts.
import { Gemm } from "../nn/gemm.js";
import { MatMul } from "../nn/matmul.js";
import { defineAlgorithm } from "./define.js";

export const MatMulGemm = defineAlgorithm(MatMul, {
  name: "MatMulGemm",
  doc: "MatMul with a 1-D or 2-D B: A's batch dims folded into the rows of one blocked GEMM that streams B's rows.",
});

export const MatMulBatched = defineAlgorithm(MatMul, {
  name: "MatMulBatched",
  doc: "MatMul with batch dims on B: one blocked GEMM per batch, broadcast batch dims reusing their operand.",
});

export const GemmPrepacked = defineAlgorithm(Gemm, {
  name: "GemmPrepacked",
  doc: "Gemm with a constant B, transposed and scaled by alpha at compile time: one blocked GEMM, beta * C as its bias.",
});

export const GemmMatMul = defineAlgorithm(Gemm, {
  name: "GemmMatMul",
  doc: "Gemm whose B or C is computed at run time: transposed operands copied into scratch, one blocked GEMM reading B in place, then alpha and beta * C.",
});

export const matmulAlgorithms = [MatMulGemm, MatMulBatched, GemmPrepacked, GemmMatMul];
