// The fast engine's sgemm: C = alpha op(A) op(B) + beta C, computing exactly what the
// interpreter's sgemm (ir/kernels/gemm.ts) computes, element for element.
//
// The reference sums each output over k in float32, in k order, one KC = 256 deep block at a
// time, and adds each block's sum to C in double, rounding once:
//   t = (float)(t + (float)(a * b)) for p in the block;  C = (float)((double)C + alpha * (double)t).
// Here the same sums run four outputs per f32x4 (across columns j, never across k), in the same k
// order, so the bits agree. Build flags forbid FMA contraction and fast-math.
#include <wasm_simd128.h>

#define KC 256 /* must equal the reference's KC: C is rounded to float after each block */
#define MR 4   /* rows of a tile: one splat of a(r, p) each */
#define NR 8   /* columns of a tile: two f32x4 */
#define MC 64
#define NC 1024

static float packA[MC * KC];
static float packB[KC * NC];

/* Packs X(first + q*W + r, pc + p) for count rows into W-wide panels interleaved along k,
   zero-padded: dst[q*W*kc + p*W + r]; X(i, k) = src[i*ld + k], or src[k*ld + i] when kStrided. */
static void pack(float *dst, const float *src, int ld, int kStrided, int W, int first, int count, int pc, int kc) {
  int panels = (count + W - 1) / W;
  for (int q = 0; q < panels; q++) {
    int i0 = first + q * W;
    int n = first + count - i0;
    if (n > W) n = W;
    float *o = dst + q * W * kc;
    if (kStrided && n == W) {
      /* W adjacent elements of each source row of k: whole vectors. */
      const float *s = src + (long)pc * ld + i0;
      for (int p = 0; p < kc; p++, s += ld, o += W)
        for (int r = 0; r < W; r += 4) wasm_v128_store(o + r, wasm_v128_load(s + r));
      continue;
    }
    for (int r = 0; r < W; r++) {
      if (r >= n) {
        for (int p = 0; p < kc; p++) o[p * W + r] = 0;
      } else if (!kStrided) {
        const float *s = src + (long)(i0 + r) * ld + pc;
        for (int p = 0; p < kc; p++) o[p * W + r] = s[p];
      } else {
        const float *s = src + (long)pc * ld + i0 + r;
        for (int p = 0; p < kc; p++) o[p * W + r] = s[(long)p * ld];
      }
    }
  }
}

/* One 4x8 tile: t[r*8 + j] = sum over p of a(r, p) * b(p, j) in float32, in p order; row p of
   the B panel starts at b + p*ldb (ldb = NR for a packed panel). */
static void tile(int kc, const float *a, const float *b, int ldb, float *t) {
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

/* C(i, j) = (float)((double)C(i, j) + alpha * T(i, j)) for the mr x nr corner of a tile. */
static void writeBack(const float *t, double alpha, float *c, int ldc, int mr, int nr) {
  for (int r = 0; r < mr; r++, c += ldc) {
    for (int j = 0; j < nr; j++) {
      double v = alpha * (double)t[r * NR + j];
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
  float t[MR * NR] __attribute__((aligned(16)));
  for (int jc = 0; jc < N; jc += NC) {
    int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      int kc = K - pc < KC ? K - pc : KC;
      /* op(B)(k, j) as a row-major "rows = columns j" matrix: B[j*ldb + k] when transB. Without
         transB, B's rows already hold each panel's 8 columns side by side: only a partial last
         panel is packed (reading 8 columns there would run past B). */
      int direct = !transB, full = direct ? nc / NR * NR : 0;
      pack(packB + full * kc, B, ldb, !transB, NR, jc + full, nc - full, pc, kc);
      for (int ic = 0; ic < M; ic += MC) {
        int mc = M - ic < MC ? M - ic : MC;
        pack(packA, A, lda, transA, MR, ic, mc, pc, kc);
        for (int j = 0; j < nc; j += NR) {
          int nr = nc - j < NR ? nc - j : NR;
          const float *b = j < full ? B + (long)pc * ldb + jc + j : packB + j * kc;
          int bStride = j < full ? ldb : NR;
          for (int i = 0; i < mc; i += MR) {
            int mr = mc - i < MR ? mc - i : MR;
            tile(kc, packA + i * kc, b, bStride, t);
            writeBack(t, alpha, C + (long)(ic + i) * ldc + jc + j, ldc, mr, nr);
          }
        }
      }
    }
  }
}
