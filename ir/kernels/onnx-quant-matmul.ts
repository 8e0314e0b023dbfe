// Exact integer matmul with zero points: the core of MatMulInteger and QLinearMatMul.
//
// acc[m, n] = sum_k (A[m, k] - a_zp[m]) * (B[k, n] - b_zp[n]) with numpy batch broadcasting.
// Partial sums are JavaScript doubles, exact for any realistic size (|term| <= 2^16 for 8-bit
// operands, so up to 2^37 terms), and the final store into an Int32Array wraps modulo 2^32 —
// exactly what an int32 accumulator gives.
import { broadcastShapes } from "../shape-util.js";
import { makeTensor, numel, stridesOf, type Tensor } from "../types.js";
import { tensorToF64 } from "../float-formats.js";

export interface MatmulDims {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** Output shape (1-D operands' unit dims dropped). */
  readonly outShape: number[];
}

/** Offsets (in elements) of each output batch's matrix inside a batched operand. */
function batchOffsets(outBatch: readonly number[], inBatch: readonly number[], matSize: number): Int32Array {
  const count = numel(outBatch);
  const offs = new Int32Array(count);
  const rank = outBatch.length;
  const inStrides = stridesOf(inBatch);
  for (let i = 0; i < count; i++) {
    let rem = i;
    let off = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const size = outBatch[d]!;
      const c = rem % size;
      rem = (rem - c) / size;
      const k = d - (rank - inBatch.length);
      if (k >= 0 && inBatch[k] !== 1) off += c * inStrides[k]!;
    }
    offs[i] = off * matSize;
  }
  return offs;
}

/**
 * Integer A·B. aZp has 1 (per tensor) or M (per row) values; bZp 1 or N (per column).
 * Returns the i32 accumulators and the matrix dims.
 */
export function integerMatmul(a: Tensor, b: Tensor, aZp: Float64Array, bZp: Float64Array): { acc: Tensor; dims: MatmulDims } {
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = as[as.length - 2]!;
  const K = as[as.length - 1]!;
  const N = bs[bs.length - 1]!;
  if (bs[bs.length - 2] !== K) throw new Error(`inner dims differ: A [${a.shape.join(",")}], B [${b.shape.join(",")}]`);
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const outBatch = broadcastShapes(aBatch, bBatch);
  const outShape = [...outBatch];
  if (a.shape.length > 1) outShape.push(M);
  if (b.shape.length > 1) outShape.push(N);

  // Centre both operands once; the products below then need no zero-point terms.
  const av = tensorToF64(a);
  const bv = tensorToF64(b);
  const ac = new Float64Array(av.length);
  for (let i = 0; i < av.length; i++) ac[i] = av[i]! - aZp[aZp.length === 1 ? 0 : Math.floor(i / K) % M]!;
  const bc = new Float64Array(bv.length);
  for (let i = 0; i < bv.length; i++) bc[i] = bv[i]! - bZp[bZp.length === 1 ? 0 : i % N]!;

  const acc = makeTensor("i32", outShape);
  const out = acc.data as Int32Array;
  const aOff = batchOffsets(outBatch, aBatch, M * K);
  const bOff = batchOffsets(outBatch, bBatch, K * N);
  const row = new Float64Array(N);
  for (let p = 0; p < aOff.length; p++) {
    const ao = aOff[p]!;
    const bo = bOff[p]!;
    for (let m = 0; m < M; m++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const x = ac[ao + m * K + k]!;
        if (x === 0) continue;
        const bRow = bo + k * N;
        for (let n = 0; n < N; n++) row[n] += x * bc[bRow + n]!;
      }
      out.set(row, (p * M + m) * N);
    }
  }
  return { acc, dims: { M, K, N, outShape } };
}
