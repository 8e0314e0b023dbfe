// Gradients of Gemm and MatMul: products of dy with the other operand, transposed as the
// forward op read it; broadcast operands (Gemm's C, MatMul's batch dims) are summed back.
import { broadcastShapes } from "../../../../ir/shape-util.js";
import { makeTensor, numel, stridesOf, type Tensor } from "../../../../ir/types.js";
import { fdata, reshaped, sumToShape, throughFusedActivation } from "../grad-util.js";
import type { VjpArgs } from "../types.js";
import { gemmF } from "./conv.js";

export function gemmVjp({ inputs, outputs, attrs, dy, wants }: VjpArgs): (Tensor | undefined)[] {
  const a = inputs[0]!, b = inputs[1]!, c = inputs[2];
  if (!dy[0]) return [];
  const gy = throughFusedActivation("Gemm", { inputs, outputs, attrs }, dy[0]);
  const tA = attrs.transA !== 0, tB = attrs.transB !== 0, alpha = attrs.alpha as number;
  const [M, K] = tA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const N = tB ? b.shape[0]! : b.shape[1]!;
  const lda = a.shape[1]!, ldb = b.shape[1]!;
  const G = fdata(gy), A = fdata(a), B = fdata(b);
  let da: Tensor | undefined, db: Tensor | undefined, dc: Tensor | undefined;
  if (wants[0]) {
    da = makeTensor(a.dtype, a.shape);
    // dop(A) = alpha dy op(B)^T; with transA the stored A is its transpose.
    if (!tA) gemmF(false, !tB, M, K, N, alpha, G, 0, N, B, 0, ldb, 0, fdata(da), 0, K);
    else gemmF(tB, true, K, M, N, alpha, B, 0, ldb, G, 0, N, 0, fdata(da), 0, M);
  }
  if (wants[1]) {
    db = makeTensor(b.dtype, b.shape);
    // dop(B) = alpha op(A)^T dy; with transB the stored B is its transpose.
    if (!tB) gemmF(!tA, false, K, N, M, alpha, A, 0, lda, G, 0, N, 0, fdata(db), 0, N);
    else gemmF(true, tA, N, K, M, alpha, G, 0, N, A, 0, lda, 0, fdata(db), 0, K);
  }
  if (wants[2] && c) {
    const s = sumToShape(gy, c.shape);
    dc = makeTensor(c.dtype, c.shape);
    const d = fdata(dc), src = fdata(s), beta = attrs.beta as number;
    for (let i = 0; i < d.length; i++) d[i] = beta * src[i]!;
  }
  return [da, db, dc];
}

/** Element offsets of each broadcast batch of one operand (0 stride where it is broadcast). */
function batchOffsets(own: readonly number[], batch: readonly number[], mat: number): Int32Array {
  const n = numel(batch);
  const str = stridesOf(own).map((v) => v * mat);
  const aligned = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < own.length; i++) aligned[batch.length - own.length + i] = own[i] === 1 ? 0 : str[i]!;
  const out = new Int32Array(n);
  const idx = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let d = 0; d < batch.length; d++) o += idx[d]! * aligned[d]!;
    out[i] = o;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function matmulVjp({ inputs, outputs, attrs, dy, wants }: VjpArgs): (Tensor | undefined)[] {
  const a = inputs[0]!, b = inputs[1]!;
  if (!dy[0]) return [];
  const gy = throughFusedActivation("MatMul", { inputs, outputs, attrs }, dy[0]);
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const M = as[as.length - 2]!, K = as[as.length - 1]!, N = bs[bs.length - 1]!;
  const aBatch = as.slice(0, -2), bBatch = bs.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const nb = numel(batch);
  const aOff = batchOffsets(aBatch, batch, M * K), bOff = batchOffsets(bBatch, batch, K * N);
  const G = fdata(gy), A = fdata(a), B = fdata(b);
  let da: Tensor | undefined, db: Tensor | undefined;
  if (wants[0]) {
    // Per broadcast batch dA_i = dY_i B_i^T, then summed over the batch dims A was broadcast on.
    const full = makeTensor(a.dtype, [...batch, M, K]);
    const F = fdata(full);
    for (let i = 0; i < nb; i++) gemmF(false, true, M, K, N, 1, G, i * M * N, N, B, bOff[i]!, N, 0, F, i * M * K, K);
    da = reshaped(sumToShape(full, as), a.shape);
  }
  if (wants[1]) {
    const full = makeTensor(b.dtype, [...batch, K, N]);
    const F = fdata(full);
    for (let i = 0; i < nb; i++) gemmF(true, false, K, N, M, 1, A, aOff[i]!, K, G, i * M * N, N, 0, F, i * K * N, N);
    db = reshaped(sumToShape(full, bs), b.shape);
  }
  return [da, db];
}
