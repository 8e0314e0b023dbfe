// The activation side of the integer QConv GEMM (QConvGemmRows, QConvIm2col, through
// qint-conv-common.ts): the input [C, T] of one group turned into zero-point-padded rows [L, C]
// (row r = every channel at time r - padL), once per group. With the weights packed tap-major (k =
// j * C + c) at compile time, output time t reads the K = Kw * C contiguous values from row t *
// stride (for dilation 1): the GEMM takes its activation columns straight from the rows with ldx =
// stride * C, so no im2col copy is made and the work is C * L values instead of K * T_out (Kw times
// fewer at stride 1). Dilated convs copy each output's Kw rows into patches. uint8 inputs move to
// int8 as x - 128 (the zero point with them); the c99 GEMM reads int16.
import type { KernelContext } from "../kernel.js";

export type RowsIn = "int8_t" | "uint8_t";
export type RowsOut = "int8_t" | "int16_t";

/**
 * Adds `neonc_qrows_<in>_<out>(x, C, qT, padL, L, zp, rows)`: rows[r * C + c] = x[c * qT + r - padL],
 * or zp outside the input, for r in [0, L). Returns the helper's name.
 */
export function useQConvRows(ctx: KernelContext, xIn: RowsIn, xOut: RowsOut): string {
  const name = `neonc_qrows_${xIn === "uint8_t" ? "u8" : "s8"}_${xOut === "int8_t" ? "s8" : "s16"}`;
  const v = (e: string) => (xIn === "uint8_t" ? `(${xOut})((int)${e} - 128)` : `(${xOut})${e}`);
  // Interior rows go 8 at a time: each channel contributes 8 consecutive samples (one 8-byte
  // read) to 8 rows, so reads stay sequential and each row's writes are one C-long run per block.
  ctx.helper(name, `static void ${name}(const ${xIn} *x, int C, int qT, int padL, int L, int zp, ${xOut} *rows) {
  const int lo = padL < L ? padL : L, hi = qT + padL < L ? qT + padL : L;
  int r, c, i;
  for (i = 0; i < lo * C; i++) rows[i] = (${xOut})zp;
  for (r = lo; r + 8 <= hi; r += 8) {
    ${xOut} *d = rows + (size_t)r * C;
    for (c = 0; c < C; c++) {
      const ${xIn} *s = x + (size_t)c * qT + (r - padL);
      d[c] = ${v("s[0]")}; d[C + c] = ${v("s[1]")}; d[2 * C + c] = ${v("s[2]")}; d[3 * C + c] = ${v("s[3]")};
      d[4 * C + c] = ${v("s[4]")}; d[5 * C + c] = ${v("s[5]")}; d[6 * C + c] = ${v("s[6]")}; d[7 * C + c] = ${v("s[7]")};
    }
  }
  for (; r < hi; r++)
    for (c = 0; c < C; c++) rows[(size_t)r * C + c] = ${v("x[(size_t)c * qT + (r - padL)]")};
  for (i = hi * C; i < L * C; i++) rows[i] = (${xOut})zp;
}`);
  return name;
}

/** Weights w[M][Cg][Kw] (row-major) reordered tap-major per row: out[m][j * Cg + c] = w[m][c][j]. */
export function tapMajor(w: Int8Array, M: number, Cg: number, Kw: number): Int8Array {
  const out = new Int8Array(M * Cg * Kw);
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < Cg; c++) {
      for (let j = 0; j < Kw; j++) out[m * Cg * Kw + j * Cg + c] = w[m * Cg * Kw + c * Kw + j]!;
    }
  }
  return out;
}
