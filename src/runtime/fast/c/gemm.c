// The fast engine's sgemm as WebAssembly: C = alpha op(A) op(B) + beta C, computing exactly what
// the interpreter's sgemm (ir/kernels/gemm.ts) computes, element for element (the blocking and
// the rounding points: sgemm-blocks.h). The sums run four outputs per f32x4 (across columns j,
// never across k), in the reference's k order, so the bits agree. Build flags forbid FMA
// contraction and fast-math.
#include <wasm_simd128.h>

#define MR 4 /* rows of a tile: one splat of a(r, p) each */
#define NR 8 /* columns of a tile: two f32x4 */

/* One 4x8 tile: t[r*8 + j] = sum over p of a(r, p) * b(p, j) in float32, in p order; row p of
   the B panel starts at b + p*ldb (ldb = NR for a packed panel). */
static void tile(int kc, const float *a, const float *b, long ldb, float *t) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++, a += MR, b += ldb) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a0 = wasm_v128_load32_splat(a);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
    v128_t a1 = wasm_v128_load32_splat(a + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
    v128_t a2 = wasm_v128_load32_splat(a + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
    v128_t a3 = wasm_v128_load32_splat(a + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
  }
  wasm_v128_store(t, c00); wasm_v128_store(t + 4, c01);
  wasm_v128_store(t + 8, c10); wasm_v128_store(t + 12, c11);
  wasm_v128_store(t + 16, c20); wasm_v128_store(t + 20, c21);
  wasm_v128_store(t + 24, c30); wasm_v128_store(t + 28, c31);
}

#include "sgemm-blocks.h"

__attribute__((export_name("sgemm")))
void sgemm(int transA, int transB, int M, int N, int K, double alpha, const float *A, int lda,
           const float *B, int ldb, double beta, float *C, int ldc) {
  sgemmBlocked(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
