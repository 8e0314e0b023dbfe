// The GEMM of the integer kernels whose activations are int16:
//   acc[m*ldm + n*ldn] = bias[m] + sum_k w[m][k] * x[n][k]     (both operands k-contiguous)
// in two flavours:
// - "wide" (the 16x8 mode): int8 weights times int16 activations, exact int64 accumulators.
//   A product reaches 2^22 in magnitude, so int32 partial sums of at most 511 products are
//   exact; they are formed in bounded blocks of k and flushed into int64 (scalar: 256 k per
//   block; NEON: vmlal_s16 of the weights widened by vmovl_s8, two products per lane per 8 k,
//   1024 k = 256 products per lane per block, then the lanes are added in int64).
// - "wide16" (the 16x16 mode): int16 weights times int16 activations, products up to 2^30 summed
//   straight into int64 (scalar on every target: a log energy's spectral transform, not a hot
//   conv stack).
// - "wrap" (QMatMul of two activations, both centred to int16 by the caller): int16 x int16
//   products (below 2^16) summed modulo 2^32, which is exactly the interpreter's Int32Array
//   accumulator (it wraps as int32 hardware does); scalar code sums in uint32 so overflow is
//   defined, NEON lanes wrap by definition.
// Blocks of 4 weight rows x 2 activation rows share every load; a last partial block of rows
// re-reads row 0 (its sums are discarded), so nothing needs padding. Scalar C widens each
// block of int8 weight rows to int16 once (a scratch row buffer) so compilers emit 16-bit
// multiply-adds. The wide requantization row helper (multiplyWide in C) is here too.
import type { DType } from "../../ir/dtype.js";
import type { RequantParams } from "../../ir/kernels/integer-requant.js";
import { ctype } from "../c-util.js";
import { roundingSuffix } from "../fixed-point-c.js";
import { useFixedPointWide } from "../fixed-point-wide-c.js";
import type { KernelContext } from "../kernel.js";

export type Gemm16Kind = "wide" | "wide16" | "wrap";

export interface QGemm16 {
  /** C type of the accumulators: int64_t (wide, wide16) or int32_t (wrap). */
  readonly accType: "int64_t" | "int32_t";
  /** The C call: M, N, K, w, x, ldx, bias, acc, ldm, ldn as C expressions (K may be a runtime int). */
  call(M: string | number, N: string | number, K: string | number, w: string, x: string, ldx: string | number, bias: string, acc: string, ldm: string | number, ldn: string | number): string;
}

/** Products per int32 partial sum before it is flushed into int64 (scalar; 256 * 2^22 = 2^30). */
const SCALAR_BLOCK = 256;
/** k per NEON block: two products per lane per 8 k, so 256 per lane (below the 511 that fit int32). */
const NEON_BLOCK = 1024;

/** Adds the GEMM helper of `kind` (wide: int8 w, int64 acc; wide16: int16 w, int64 acc; wrap: int16 w, int32 acc modulo 2^32). */
export function useQGemm16(ctx: KernelContext, kind: Gemm16Kind): QGemm16 {
  const w16 = kind === "wide16";
  const neon = ctx.target.neon && !w16;
  const wide = kind !== "wrap";
  const wt = kind === "wide" ? "int8_t" : "int16_t";
  const acc = wide ? "int64_t" : "int32_t";
  // S: type of the per-output sums (exact int64, or uint32 for defined wrap-around).
  const S = wide ? "int64_t" : "uint32_t";
  const name = `neonc_qgemm16_${kind}_${neon ? "neon" : "scalar"}`;
  const scratchRows = !neon && kind === "wide";
  const cols = ["a", "b"], xrow = ["xr", "xq"];
  const rows = [0, 1, 2, 3];

  const store = (c: number) =>
    `for (i = 0; i < rows; i++) acc[(size_t)(m + i) * ldm + (size_t)(n + ${c}) * ldn] = (${acc})s${cols[c]}[i];`;
  const init = (nc: number) =>
    `${S} ${cols.slice(0, nc).map((c) => `s${c}[4]`).join(", ")};\nfor (i = 0; i < 4; i++) ${cols.slice(0, nc).map((c) => `s${c}[i] = `).join("")}(${S})(i < rows ? bias[m + i] : 0);`;
  // One product in the sum type: exact in int32 (|w x| <= 2^22), then widened or wrapped.
  const prod = (r: number, c: number, k: string) => `(${S})(w${r}[${k}] * ${xrow[c]}[${k}])`;

  const scalarBlock = (nc: number) => {
    const cs = cols.slice(0, nc);
    // Partial sums: int32 blocks for int8 weights (products below 2^22), int64 for int16 ones
    // (products below 2^30, one block), uint32 for wrap-around.
    const P = w16 ? "int64_t" : wide ? "int32_t" : "uint32_t";
    const partial = cs.flatMap((c) => rows.map((r) => `p${c}${r} = 0`)).join(", ");
    const term = (r: number, ci: number) => `w${r}[k] * ${["xv", "xu"][ci]}`;
    const body = rows.flatMap((r) => cs.map((c, ci) => w16 ? `p${c}${r} += (int64_t)(${term(r, ci)});` : wide ? `p${c}${r} += ${term(r, ci)};` : `p${c}${r} += (uint32_t)(${term(r, ci)});`)).join(" ");
    const blocked = wide && !w16;
    return [
      `const int16_t *xr = x + (size_t)n * ldx${nc > 1 ? ", *xq = xr + ldx" : ""};`,
      init(nc),
      blocked ? `for (k0 = 0; k0 < K; k0 += ${SCALAR_BLOCK}) {` : `k0 = 0; {`,
      blocked ? `  const int k1 = K - k0 < ${SCALAR_BLOCK} ? K : k0 + ${SCALAR_BLOCK};` : `  const int k1 = K;`,
      `  ${P} ${partial};`,
      `  for (k = k0; k < k1; k++) {`,
      `    const int32_t xv = xr[k]${nc > 1 ? ", xu = xq[k]" : ""};`,
      `    ${body}`,
      `  }`,
      ...cs.map((c) => `  ${rows.map((r) => `s${c}[${r}] += (${S})p${c}${r};`).join(" ")}`),
      `}`,
      ...cs.map((_, c) => store(c)),
    ].join("\n");
  };

  const neonBlock = (nc: number) => {
    const cs = cols.slice(0, nc);
    const wload = (r: number) => (wide ? `vmovl_s8(vld1_s8(w${r} + k))` : `vld1q_s16(w${r} + k)`);
    const hsum = (v: string) => [0, 1, 2, 3].map((l) => `(${S})vgetq_lane_s32(${v}, ${l})`).join(" + ");
    return [
      `const int16_t *xr = x + (size_t)n * ldx${nc > 1 ? ", *xq = xr + ldx" : ""};`,
      init(nc),
      wide ? `for (k0 = 0; k0 < K8; k0 += ${NEON_BLOCK}) {` : `k0 = 0; {`,
      wide ? `  const int k1 = K8 - k0 < ${NEON_BLOCK} ? K8 : k0 + ${NEON_BLOCK};` : `  const int k1 = K8;`,
      `  int32x4_t ${cs.flatMap((c) => rows.map((r) => `${c}${r} = vdupq_n_s32(0)`)).join(", ")};`,
      `  for (k = k0; k < k1; k += 8) {`,
      `    const int16x8_t ${cs.map((c, ci) => `${["xv", "xu"][ci]} = vld1q_s16(${xrow[ci]} + k)`).join(", ")};`,
      ...rows.map((r) => `    { const int16x8_t wv = ${wload(r)}; const int16x4_t wl = vget_low_s16(wv), wh = vget_high_s16(wv); ${cs.map((c, ci) => {
        const xv = ["xv", "xu"][ci];
        return `${c}${r} = vmlal_s16(vmlal_s16(${c}${r}, wl, vget_low_s16(${xv})), wh, vget_high_s16(${xv}));`;
      }).join(" ")} }`),
      `  }`,
      ...cs.flatMap((c) => rows.map((r) => `  s${c}[${r}] += ${hsum(`${c}${r}`)};`)),
      `}`,
      `for (k = K8; k < K; k++) {`,
      ...cs.map((c, ci) => `  ${rows.map((r) => `s${c}[${r}] += ${prod(r, ci, "k")};`).join(" ")}`),
      `}`,
      ...cs.map((_, c) => store(c)),
    ].join("\n");
  };

  const block = neon ? neonBlock : scalarBlock;
  const indent = (s: string, n: number) => s.split("\n").map((l) => " ".repeat(n) + l).join("\n");
  const rowPtrs = scratchRows
    ? [
      `/* The block's int8 rows widened to int16 (a missing row repeats row 0). */`,
      `for (i = 0; i < 4; i++) {`,
      `  const int8_t *src = w + (size_t)(m + (i < rows ? i : 0)) * K;`,
      `  for (k = 0; k < K; k++) wb[(size_t)i * K + k] = src[k];`,
      `}`,
      `w0 = wb; w1 = wb + K; w2 = wb + 2 * (size_t)K; w3 = wb + 3 * (size_t)K;`,
    ]
    : [
      `w0 = w + (size_t)m * K;`,
      `w1 = rows > 1 ? w0 + K : w0; w2 = rows > 2 ? w0 + 2 * (size_t)K : w0; w3 = rows > 3 ? w0 + 3 * (size_t)K : w0;`,
    ];
  const rowType = scratchRows ? "int16_t" : wt;
  // The scalar wide GEMM widens 4 weight rows into scratch, sized at compile time.
  const rowBuffer = (K: string | number) => (typeof K === "number" ? 4 * K : ctx.fail(`the 16x8 GEMM needs a compile-time inner dimension, got ${K}`));
  ctx.helper(name, [
    `static void ${name}(int M, int N, int K, const ${wt} *w, const int16_t *x, int ldx, const int32_t *bias, ${acc} *acc, int ldm, int ldn${scratchRows ? ", int16_t *wb" : ""}) {`,
    `  int m, n, k, k0, i;`,
    ...(neon ? [`  const int K8 = K & ~7;`] : []),
    `  for (m = 0; m < M; m += 4) {`,
    `    const int rows = M - m < 4 ? M - m : 4;`,
    `    const ${rowType} *w0, *w1, *w2, *w3;`,
    indent(rowPtrs.join("\n"), 4),
    `    for (n = 0; n + 2 <= N; n += 2) {`,
    indent(block(2), 6),
    `    }`,
    `    for (; n < N; n++) {`,
    indent(block(1), 6),
    `    }`,
    `  }`,
    `}`,
  ].join("\n"));
  return {
    accType: acc,
    call: (M, N, K, w, x, ldx, bias, accp, ldm, ldn) =>
      `${name}(${M}, ${N}, ${K}, ${w}, ${x}, ${ldx}, ${bias}, ${accp}, ${ldm}, ${ldn}${scratchRows ? `, ${ctx.scratch(rowBuffer(K), "int16_t")}` : ""});`,
  };
}

/**
 * Adds the wide requantization row helper for a rounding and output type and returns its name:
 * `name(const int64_t *acc, T *y, int n, int32_t m, int shift, int32_t zp, int32_t qmin, int32_t qmax)`,
 * y[i] = clamp(zp + multiplyWide(acc[i], m, shift)), as the interpreter's requantizeChannels.
 */
export function useWideRequantRow(ctx: KernelContext, p: RequantParams, out: DType): string {
  const fpw = useFixedPointWide(ctx, p.rounding);
  const ct = ctype(out);
  const name = `neonc_rqw_${roundingSuffix(p.rounding)}_${out}`;
  ctx.helper(name, [
    `static void ${name}(const int64_t *acc, ${ct} *y, int n, int32_t m, int shift, int32_t zp, int32_t qmin, int32_t qmax) {`,
    `  int i;`,
    `  for (i = 0; i < n; i++) {`,
    `    int64_t v = (int64_t)${fpw}(acc[i], m, shift) + zp;`,
    `    y[i] = (${ct})(v < qmin ? qmin : (v > qmax ? qmax : v));`,
    `  }`,
    `}`,
  ].join("\n"));
  return name;
}
