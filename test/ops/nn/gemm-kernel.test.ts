// The blocked sgemm against a naive triple loop: sizes that are not multiples of the 4x4 tile or
// of the KC/MC blocks, transposes, alpha/beta, offsets and leading dims larger than the matrix.
import { describe, expect, it } from "vitest";
import { gemmGeneric, sgemm } from "../../../ir/kernels/gemm.js";
import { randomValues } from "./helpers.js";

interface Case { M: number; N: number; K: number; tA: boolean; tB: boolean; alpha: number; beta: number }

/** C = alpha * op(A) op(B) + beta * C in double precision, same storage conventions as sgemm. */
function naive(c: Case, A: ArrayLike<number>, aOff: number, lda: number, B: ArrayLike<number>, bOff: number, ldb: number, C: Float64Array, cOff: number, ldc: number): void {
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.N; j++) {
      let s = 0;
      for (let k = 0; k < c.K; k++) {
        const a = c.tA ? A[aOff + k * lda + i]! : A[aOff + i * lda + k]!;
        const b = c.tB ? B[bOff + j * ldb + k]! : B[bOff + k * ldb + j]!;
        s += a * b;
      }
      const o = cOff + i * ldc + j;
      C[o] = c.alpha * s + (c.beta === 0 ? 0 : c.beta * C[o]!);
    }
  }
}

function check(c: Case, seed: number, generic = false): void {
  // Leading dims a little wider than needed and non-zero offsets catch indexing slips.
  const aRows = c.tA ? c.K : c.M, aCols = c.tA ? c.M : c.K;
  const bRows = c.tB ? c.N : c.K, bCols = c.tB ? c.K : c.N;
  const lda = aCols + 3, ldb = bCols + 1, ldc = c.N + 2;
  const aOff = 5, bOff = 7, cOff = 3;
  const A = new Float32Array(randomValues(aOff + aRows * lda, seed));
  const B = new Float32Array(randomValues(bOff + bRows * ldb, seed + 1));
  const C0 = new Float32Array(randomValues(cOff + c.M * ldc, seed + 2));
  const C = C0.slice();
  const ref = Float64Array.from(C0);
  naive(c, A, aOff, lda, B, bOff, ldb, ref, cOff, ldc);
  if (generic) gemmGeneric(c.tA, c.tB, c.M, c.N, c.K, c.alpha, A, aOff, lda, B, bOff, ldb, c.beta, C, cOff, ldc);
  else sgemm(c.tA, c.tB, c.M, c.N, c.K, c.alpha, A, aOff, lda, B, bOff, ldb, c.beta, C, cOff, ldc);
  const tol = 1e-5 * Math.sqrt(c.K) * 4;
  for (let i = 0; i < C.length; i++) {
    const inside = i >= cOff && (i - cOff) % ldc < c.N && i < cOff + c.M * ldc;
    if (!inside) {
      expect(C[i], `element ${i} outside the result must stay untouched`).toBe(C0[i]);
      continue;
    }
    if (Math.abs(C[i]! - ref[i]!) > tol * (1 + Math.abs(ref[i]!))) {
      expect.fail(`M=${c.M} N=${c.N} K=${c.K} tA=${c.tA} tB=${c.tB}: C[${i}] = ${C[i]}, expected ${ref[i]}`);
    }
  }
}

describe("sgemm", () => {
  it("matches a naive triple loop on random sizes, transposes and scalings", () => {
    const sizes: [number, number, number][] = [
      [1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 9, 13], [17, 6, 3], [67, 71, 300], [130, 5, 257], [9, 1030, 2], [1, 33, 520],
    ];
    let seed = 1;
    for (const [M, N, K] of sizes) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          check({ M, N, K, tA, tB, alpha: 1, beta: 0 }, seed++);
        }
      }
      check({ M, N, K, tA: false, tB: false, alpha: 0.5, beta: 1 }, seed++);
      check({ M, N, K, tA: true, tB: false, alpha: -1.5, beta: 0.25 }, seed++);
    }
  });

  it("ignores NaN in C when beta is 0 and leaves C scaled by beta when K is 0", () => {
    const A = new Float32Array([1, 2]), B = new Float32Array([3, 4]);
    const C = new Float32Array([NaN]);
    sgemm(false, false, 1, 1, 2, 1, A, 0, 2, B, 0, 1, 0, C, 0, 1);
    expect(C[0]).toBe(11);
    const D = new Float32Array([2, 4]);
    sgemm(false, false, 1, 2, 0, 1, A, 0, 0, B, 0, 2, 0.5, D, 0, 2);
    expect([...D]).toEqual([1, 2]);
  });

  it("gemmGeneric follows the same contract (f64 and integer MatMul)", () => {
    let seed = 100;
    for (const [M, N, K] of [[3, 5, 7], [6, 2, 9]] as const) {
      for (const tA of [false, true]) for (const tB of [false, true]) check({ M, N, K, tA, tB, alpha: 1, beta: 0.5 }, seed++, true);
    }
  });
});
