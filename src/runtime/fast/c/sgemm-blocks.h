// The blocking of the fast engine's sgemm, shared by the WebAssembly build (gemm.c) and the
// native one (native.c): each defines MR and NR (a tile's rows and columns) and
//   static void tile(int kc, const float *a, const float *b, long ldb, float *t);
// (t[r*NR + j] = the float32 sum over p of a(r, p) * b(p, j), in p order; row p of the B panel
// at b + p*ldb), then includes this file and calls sgemmBlocked.
//
// What it computes is the interpreter's sgemm (ir/kernels/gemm.ts) to the bit: each output is
// summed over k in float32, in k order, one KC = 256 deep block at a time, and each block's sum
// is added to C in double, rounding once: C = (float)((double)C + alpha * (double)t).

#define KC 256 /* must equal the reference's KC: C is rounded to float after each block */
#define MC 64  /* rows of A packed at once (a multiple of every MR) */
#define NC 1024

static float packA[MC * KC];
static float packB[KC * NC] __attribute__((aligned(64)));

/* Packs X(first + q*W + r, pc + p) for count rows into W-wide panels interleaved along k,
   zero-padded: dst[q*W*kc + p*W + r]; X(i, k) = src[i*ld + k], or src[k*ld + i] when kStrided. */
static void pack(float *dst, const float *src, long ld, int kStrided, int W, int first, int count, int pc, int kc) {
  int panels = (count + W - 1) / W;
  for (int q = 0; q < panels; q++) {
    int i0 = first + q * W;
    int n = first + count - i0;
    if (n > W) n = W;
    float *o = dst + (long)q * W * kc;
    if (kStrided && n == W) {
      /* W adjacent elements of each source row of k (the compiler vectorizes the copy). */
      const float *s = src + (long)pc * ld + i0;
      for (int p = 0; p < kc; p++, s += ld, o += W)
        for (int r = 0; r < W; r++) o[r] = s[r];
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

/* C(i, j) = (float)((double)C(i, j) + alpha * T(i, j)) for the mr x nr corner of a tile. */
static void writeBack(const float *t, double alpha, float *c, long ldc, int mr, int nr) {
  for (int r = 0; r < mr; r++, c += ldc)
    for (int j = 0; j < nr; j++) c[j] = (float)((double)c[j] + alpha * (double)t[r * NR + j]);
}

/* C = alpha op(A) op(B) + beta C (the reference's contract; beta = 0 ignores C's old contents). */
static void sgemmBlocked(int transA, int transB, int M, int N, int K, double alpha, const float *A, long lda,
                         const float *B, long ldb, double beta, float *C, long ldc) {
  if (M <= 0 || N <= 0) return;
  if (beta != 1) {
    for (int i = 0; i < M; i++) {
      float *row = C + (long)i * ldc;
      if (beta == 0) for (int j = 0; j < N; j++) row[j] = 0;
      else for (int j = 0; j < N; j++) row[j] = (float)(beta * (double)row[j]);
    }
  }
  if (K <= 0 || alpha == 0) return;
  float t[MR * NR] __attribute__((aligned(64)));
  for (int jc = 0; jc < N; jc += NC) {
    int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      int kc = K - pc < KC ? K - pc : KC;
      /* op(B)(k, j) as a row-major "rows = columns j" matrix: B[j*ldb + k] when transB. Without
         transB, B's rows already hold each panel's NR columns side by side: only a partial last
         panel is packed (reading NR columns there would run past B). */
      int direct = !transB, full = direct ? nc / NR * NR : 0;
      pack(packB + (long)full * kc, B, ldb, !transB, NR, jc + full, nc - full, pc, kc);
      for (int ic = 0; ic < M; ic += MC) {
        int mc = M - ic < MC ? M - ic : MC;
        pack(packA, A, lda, transA, MR, ic, mc, pc, kc);
        for (int j = 0; j < nc; j += NR) {
          int nr = nc - j < NR ? nc - j : NR;
          const float *b = j < full ? B + (long)pc * ldb + jc + j : packB + (long)j * kc;
          long bStride = j < full ? ldb : NR;
          for (int i = 0; i < mc; i += MR) {
            int mr = mc - i < MR ? mc - i : MR;
            tile(kc, packA + (long)i * kc, b, bStride, t);
            writeBack(t, alpha, C + (long)(ic + i) * ldc + jc + j, ldc, mr, nr);
          }
        }
      }
    }
  }
}
