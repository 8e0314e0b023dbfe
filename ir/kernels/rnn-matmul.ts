// The two matrix products of the recurrent kernels, on Float64Array storage.
//
// `addMatVec` adds R·h for one batch row per step; `matmulABt` is the input projection X·W^T of
// all time steps for f64 models (f32 ones use the shared sgemm in gemm.ts). Both read rows of
// W/R contiguously (ONNX stores them [gates*H, K]), so no transpose is needed. Their unrolled
// tiles (2x4 and 1x4) look alike but stay separate: each keeps its own sums in registers.

/**
 * out[r*n + j] = sum_k a[r*k + kk] * b[bOff + j*k + kk] for r < m, j < n.
 * Rows of A are taken in pairs and rows of B in fours so 8 accumulators stay in registers.
 */
export function matmulABt(a: Float64Array, m: number, k: number, b: Float64Array, bOff: number, n: number, out: Float64Array): void {
  let r = 0;
  for (; r + 1 < m; r += 2) {
    const a0 = r * k;
    const a1 = a0 + k;
    const o0 = r * n;
    const o1 = o0 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = a[a0 + q]!;
        const x1 = a[a1 + q]!;
        const w0 = b[b0 + q]!, w1 = b[b1 + q]!, w2 = b[b2 + q]!, w3 = b[b3 + q]!;
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      out[o0 + j] = s00; out[o0 + j + 1] = s01; out[o0 + j + 2] = s02; out[o0 + j + 3] = s03;
      out[o1 + j] = s10; out[o1 + j + 1] = s11; out[o1 + j + 2] = s12; out[o1 + j + 3] = s13;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0;
      for (let q = 0; q < k; q++) {
        const w = b[b0 + q]!;
        s0 += a[a0 + q]! * w;
        s1 += a[a1 + q]! * w;
      }
      out[o0 + j] = s0;
      out[o1 + j] = s1;
    }
  }
  if (r < m) {
    const o = r * n;
    out.fill(0, o, o + n);
    addMatVec(b, bOff, n, k, a, r * k, out, o);
  }
}

/** out[outOff + j] += sum_k mat[matOff + j*k + kk] * v[vOff + kk] for j < rows. */
export function addMatVec(
  mat: Float64Array, matOff: number, rows: number, k: number,
  v: Float64Array, vOff: number, out: Float64Array, outOff: number,
): void {
  let j = 0;
  for (; j + 3 < rows; j += 4) {
    const m0 = matOff + j * k;
    const m1 = m0 + k;
    const m2 = m1 + k;
    const m3 = m2 + k;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let q = 0; q < k; q++) {
      const x = v[vOff + q]!;
      s0 += mat[m0 + q]! * x;
      s1 += mat[m1 + q]! * x;
      s2 += mat[m2 + q]! * x;
      s3 += mat[m3 + q]! * x;
    }
    out[outOff + j] += s0;
    out[outOff + j + 1] += s1;
    out[outOff + j + 2] += s2;
    out[outOff + j + 3] += s3;
  }
  for (; j < rows; j++) {
    const m0 = matOff + j * k;
    let s = 0;
    for (let q = 0; q < k; q++) s += mat[m0 + q]! * v[vOff + q]!;
    out[outOff + j] += s;
  }
}
