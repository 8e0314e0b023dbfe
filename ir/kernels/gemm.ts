// Single-precision matrix multiply for the interpreter: C = alpha * op(A) * op(B) + beta * C.
//
// Conv (through im2col or straight on the input for 1x1), MatMul and Gemm all end here, so this
// is where calibration time goes. The layout follows the GotoBLAS scheme: a KC x NC block of B
// and an MC x KC block of A are packed into contiguous panels (NR columns / MR rows interleaved
// along k), and a 4x4 micro-kernel keeps its 16 sums in local variables (V8 keeps them in
// registers). Packing buffers are module-level and only grow, so steady-state calls allocate
// nothing. While the fast engine is on, its sgemm (same sums) runs instead (fast-slots.ts).
//
// Numerics: each output is summed over k in float32, in k order, one KC-deep block at a time:
// t = fround(t + fround(a * b)), then C = fround(C + alpha * t) in double after each block. This is
// what a float32 SIMD kernel computes lane by lane (four lanes per 128-bit vector, twice the
// float64 rate), and what onnxruntime and the generated C compute up to summation order. Rounding
// a double result to float gives the correctly rounded float32 product and sum (53 >= 2*24 + 2),
// so the TypeScript and the WebAssembly agree bit for bit.
import { fastKernels } from "./fast-slots.js";

/** Panel width; A and B panels are equally wide, so one packer (packPanels) serves both. */
const PANEL = 4;
const MR = PANEL;
const NR = PANEL;
/** Depth of one packed block: 4 KiB A and B panels for the micro-kernel stay in L1. */
const KC = 256;
/** Rows of A packed at once (64 KiB, fits L2 next to the B block). */
const MC = 64;
/** Columns of B packed at once (1 MiB at KC = 256). */
const NC = 1024;

let packA: Float32Array = new Float32Array(MC * KC);
let packB: Float32Array = new Float32Array(KC * NC);
/** Result of a partial edge tile, copied out element by element. */
const edge = new Float32Array(MR * NR);

/**
 * C[cOff + i*ldc + j] = alpha * sum_k op(A)(i,k) * op(B)(k,j) + beta * C[...], for i < M, j < N.
 * op(A)(i,k) is A[aOff + i*lda + k], or A[aOff + k*lda + i] when transA; likewise for B.
 * With beta = 0 the old contents of C are ignored (NaN in C does not leak into the result).
 */
export function sgemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Float32Array, aOff: number, lda: number,
  B: Float32Array, bOff: number, ldb: number,
  beta: number, C: Float32Array, cOff: number, ldc: number,
): void {
  if (M <= 0 || N <= 0) return;
  const fast = fastKernels().sgemm;
  if (fast && fast(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc)) return;
  scaleC(M, N, beta, C, cOff, ldc);
  if (K <= 0 || alpha === 0) return;

  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB = packPanels(packB, B, bOff, ldb, !transB, jc, nc, pc, kc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA = packPanels(packA, A, aOff, lda, transA, ic, mc, pc, kc);
        macroKernel(mc, nc, kc, alpha, C, cOff + ic * ldc + jc, ldc);
      }
    }
  }
}

function scaleC(M: number, N: number, beta: number, C: Float32Array, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) C.fill(0, row, row + N);
    else for (let j = row, end = row + N; j < end; j++) C[j] = beta * C[j]!;
  }
}

/**
 * Packs X[first:first+count, pc:pc+kc] into PANEL-wide panels interleaved along k, zero-padding
 * the last panel: dst[q*PANEL*kc + p*PANEL + r] = X(first + q*PANEL + r, pc + p), where X(i, k)
 * is src[off + i*ld + k], or src[off + k*ld + i] when kStrided. For op(A) i is the row
 * (kStrided = transA), for op(B) the column (kStrided = !transB). Returns dst, or a larger
 * buffer when dst is too small.
 */
function packPanels(
  dst: Float32Array, src: Float32Array, off: number, ld: number, kStrided: boolean,
  first: number, count: number, pc: number, kc: number,
): Float32Array {
  const panels = Math.ceil(count / PANEL);
  const P = dst.length < panels * PANEL * kc ? new Float32Array(panels * PANEL * kc) : dst;
  for (let q = 0; q < panels; q++) {
    const i0 = first + q * PANEL;
    const n = Math.min(PANEL, first + count - i0);
    const o = q * PANEL * kc;
    if (!kStrided) {
      for (let r = 0; r < PANEL; r++) {
        if (r < n) {
          let s = off + (i0 + r) * ld + pc;
          for (let p = 0, d = o + r; p < kc; p++, d += PANEL) P[d] = src[s++]!;
        } else {
          for (let p = 0, d = o + r; p < kc; p++, d += PANEL) P[d] = 0;
        }
      }
    } else {
      let s = off + pc * ld + i0;
      let d = o;
      if (n === PANEL) {
        for (let p = 0; p < kc; p++, s += ld, d += PANEL) {
          P[d] = src[s]!; P[d + 1] = src[s + 1]!; P[d + 2] = src[s + 2]!; P[d + 3] = src[s + 3]!;
        }
      } else {
        for (let p = 0; p < kc; p++, s += ld, d += PANEL) {
          for (let r = 0; r < PANEL; r++) P[d + r] = r < n ? src[s + r]! : 0;
        }
      }
    }
  }
  return P;
}

/** Runs the micro-kernel over every MR x NR tile of the packed mc x nc block. */
function macroKernel(mc: number, nc: number, kc: number, alpha: number, C: Float32Array, cBase: number, ldc: number): void {
  const Ap = packA, Bp = packB;
  for (let j = 0; j < nc; j += NR) {
    const nr = Math.min(NR, nc - j);
    const bIdx = j * kc; // panel j / NR starts at (j / NR) * NR * kc
    for (let i = 0; i < mc; i += MR) {
      const mr = Math.min(MR, mc - i);
      const aIdx = i * kc;
      if (mr === MR && nr === NR) microKernel(kc, Ap, aIdx, Bp, bIdx, alpha, C, cBase + i * ldc + j, ldc);
      else edgeKernel(kc, Ap, aIdx, Bp, bIdx, alpha, C, cBase + i * ldc + j, ldc, mr, nr);
    }
  }
}

/** C[4x4 tile] += alpha * Ap-panel . Bp-panel, each sum in float32 (fround after every step). */
function microKernel(kc: number, A: Float32Array, ia: number, B: Float32Array, ib: number, alpha: number, C: Float32Array, c: number, ldc: number): void {
  const f = Math.fround;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, ia += MR, ib += NR) {
    const a0 = A[ia]!, a1 = A[ia + 1]!, a2 = A[ia + 2]!, a3 = A[ia + 3]!;
    const b0 = B[ib]!, b1 = B[ib + 1]!, b2 = B[ib + 2]!, b3 = B[ib + 3]!;
    c00 = f(c00 + f(a0 * b0)); c01 = f(c01 + f(a0 * b1)); c02 = f(c02 + f(a0 * b2)); c03 = f(c03 + f(a0 * b3));
    c10 = f(c10 + f(a1 * b0)); c11 = f(c11 + f(a1 * b1)); c12 = f(c12 + f(a1 * b2)); c13 = f(c13 + f(a1 * b3));
    c20 = f(c20 + f(a2 * b0)); c21 = f(c21 + f(a2 * b1)); c22 = f(c22 + f(a2 * b2)); c23 = f(c23 + f(a2 * b3));
    c30 = f(c30 + f(a3 * b0)); c31 = f(c31 + f(a3 * b1)); c32 = f(c32 + f(a3 * b2)); c33 = f(c33 + f(a3 * b3));
  }
  C[c] += alpha * c00; C[c + 1] += alpha * c01; C[c + 2] += alpha * c02; C[c + 3] += alpha * c03;
  c += ldc;
  C[c] += alpha * c10; C[c + 1] += alpha * c11; C[c + 2] += alpha * c12; C[c + 3] += alpha * c13;
  c += ldc;
  C[c] += alpha * c20; C[c + 1] += alpha * c21; C[c + 2] += alpha * c22; C[c + 3] += alpha * c23;
  c += ldc;
  C[c] += alpha * c30; C[c + 1] += alpha * c31; C[c + 2] += alpha * c32; C[c + 3] += alpha * c33;
}

/** A partial tile at the bottom or right edge: the same float32 sums, partial write-back. */
function edgeKernel(kc: number, A: Float32Array, ia: number, B: Float32Array, ib: number, alpha: number, C: Float32Array, c: number, ldc: number, mr: number, nr: number): void {
  const T = edge; // a Float32Array: every += stores a float32-rounded sum
  T.fill(0);
  for (let p = 0; p < kc; p++, ia += MR, ib += NR) {
    for (let r = 0; r < MR; r++) {
      const a = A[ia + r]!;
      const t = r * NR;
      T[t] += Math.fround(a * B[ib]!); T[t + 1] += Math.fround(a * B[ib + 1]!);
      T[t + 2] += Math.fround(a * B[ib + 2]!); T[t + 3] += Math.fround(a * B[ib + 3]!);
    }
  }
  for (let r = 0; r < mr; r++, c += ldc) {
    for (let j = 0; j < nr; j++) C[c + j] += alpha * T[r * NR + j]!;
  }
}

/**
 * The same contract as sgemm for any numeric array type (f64 and integer MatMul/Gemm): a plain
 * i-k-j loop, accumulating in double precision into a row buffer.
 */
export function gemmGeneric(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: ArrayLike<number>, aOff: number, lda: number,
  B: ArrayLike<number>, bOff: number, ldb: number,
  beta: number, C: { [i: number]: number; length: number }, cOff: number, ldc: number,
): void {
  const acc = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const a = transA ? A[aOff + k * lda + i]! : A[aOff + i * lda + k]!;
      if (!transB) {
        const row = bOff + k * ldb;
        for (let j = 0; j < N; j++) acc[j] += a * B[row + j]!;
      } else {
        for (let j = 0, s = bOff + k; j < N; j++, s += ldb) acc[j] += a * B[s]!;
      }
    }
    const row = cOff + i * ldc;
    for (let j = 0; j < N; j++) C[row + j] = beta === 0 ? alpha * acc[j]! : alpha * acc[j]! + beta * C[row + j]!;
  }
}
