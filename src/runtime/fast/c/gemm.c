// The fast engine's sgemm: C = alpha op(A) op(B) + beta C, computing exactly what the
// interpreter's sgemm (ir/kernels/gemm.ts) computes, element for element.
//
// The reference sums each output over k in double precision (a product of two floats is exact in
// a double), one KC = 256 deep block at a time, and rounds C to float after each block:
//   C = (float)((double)C + alpha * sum_block (double)a * (double)b).
// Here the same sums run two outputs per SIMD lane pair (f64x2 across columns j, never across k),
// in the same k order, so the bits agree. Build flags forbid FMA contraction and fast-math.
#include <wasm_simd128.h>

#define KC 256 /* must equal the reference's KC: C is rounded to float after each block */
#define MR 4
#define NR 4
#define MC 64
#define NC 1024

static double packA[MC * KC];
static double packB[KC * NC];

/* Packs X(first + q*4 + r, pc + p) for count rows into 4-wide panels interleaved along k,
   widened to double and zero-padded; X(i, k) = src[i*ld + k], or src[k*ld + i] when kStrided. */
static void pack(double *dst, const float *src, int ld, int kStrided, int first, int count, int pc, int kc) {
  int panels = (count + 3) / 4;
  for (int q = 0; q < panels; q++) {
    int i0 = first + q * 4;
    int n = first + count - i0;
    if (n > 4) n = 4;
    double *o = dst + q * 4 * kc;
    if (n == 4) {
      /* A full panel: four rows (or four adjacent columns) widened in one pass. */
      if (kStrided) {
        const float *s = src + (long)pc * ld + i0;
        for (int p = 0; p < kc; p++, s += ld, o += 4) {
          v128_t v = wasm_v128_load(s);
          wasm_v128_store(o, wasm_f64x2_promote_low_f32x4(v));
          wasm_v128_store(o + 2, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
        }
      } else {
        const float *s0 = src + (long)i0 * ld + pc, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
        for (int p = 0; p < kc; p++, o += 4) {
          o[0] = s0[p]; o[1] = s1[p]; o[2] = s2[p]; o[3] = s3[p];
        }
      }
      continue;
    }
    for (int r = 0; r < 4; r++) {
      if (r >= n) {
        for (int p = 0; p < kc; p++) o[p * 4 + r] = 0;
      } else if (!kStrided) {
        const float *s = src + (long)(i0 + r) * ld + pc;
        for (int p = 0; p < kc; p++) o[p * 4 + r] = s[p];
      } else {
        const float *s = src + (long)pc * ld + i0 + r;
        for (int p = 0; p < kc; p++) o[p * 4 + r] = s[(long)p * ld];
      }
    }
  }
}

/* One 4x4 tile: t[r*4 + j] = sum over p of a(r, p) * b(p, j), in p order. */
static void tile(int kc, const double *a, const double *b, double *t) {
  v128_t c00 = wasm_f64x2_splat(0), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++, a += 4, b += 4) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
    v128_t a0 = wasm_v128_load64_splat(a);
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(a0, b0));
    c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(a0, b1));
    v128_t a1 = wasm_v128_load64_splat(a + 1);
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(a1, b0));
    c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(a1, b1));
    v128_t a2 = wasm_v128_load64_splat(a + 2);
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(a2, b0));
    c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(a2, b1));
    v128_t a3 = wasm_v128_load64_splat(a + 3);
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(a3, b0));
    c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(a3, b1));
  }
  wasm_v128_store(t, c00); wasm_v128_store(t + 2, c01);
  wasm_v128_store(t + 4, c10); wasm_v128_store(t + 6, c11);
  wasm_v128_store(t + 8, c20); wasm_v128_store(t + 10, c21);
  wasm_v128_store(t + 12, c30); wasm_v128_store(t + 14, c31);
}

/* C(i, j) = (float)((double)C(i, j) + alpha * T(i, j)) for the mr x nr corner of a tile. */
static void writeBack(const double *t, double alpha, float *c, int ldc, int mr, int nr) {
  for (int r = 0; r < mr; r++, c += ldc) {
    for (int j = 0; j < nr; j++) {
      double v = alpha * t[r * 4 + j];
      c[j] = (float)((double)c[j] + v);
    }
  }
}

__attribute__((export_name("sgemm")))
void sgemm(int transA, int transB, int M, int N, int K, double alpha, const float *A, int lda,
           const float *B, int ldb, double beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (beta != 1) {
    for (int i = 0; i < M; i++) {
      float *row = C + (long)i * ldc;
      if (beta == 0) for (int j = 0; j < N; j++) row[j] = 0;
      else for (int j = 0; j < N; j++) row[j] = (float)(beta * (double)row[j]);
    }
  }
  if (K <= 0 || alpha == 0) return;
  double t[MR * NR] __attribute__((aligned(16)));
  for (int jc = 0; jc < N; jc += NC) {
    int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      int kc = K - pc < KC ? K - pc : KC;
      /* op(B)(k, j) as a row-major "rows = columns j" matrix: B[j*ldb + k] when transB. */
      pack(packB, B, ldb, !transB, jc, nc, pc, kc);
      for (int ic = 0; ic < M; ic += MC) {
        int mc = M - ic < MC ? M - ic : MC;
        pack(packA, A, lda, transA, ic, mc, pc, kc);
        for (int j = 0; j < nc; j += NR) {
          int nr = nc - j < NR ? nc - j : NR;
          for (int i = 0; i < mc; i += MR) {
            int mr = mc - i < MR ? mc - i : MR;
            tile(kc, packA + i * kc, packB + j * kc, t);
            writeBack(t, alpha, C + (long)(ic + i) * ldc + jc + j, ldc, mr, nr);
          }
        }
      }
    }
  }
}
