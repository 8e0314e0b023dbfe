// The NEON pieces of QConvWinograd's C (qint-conv-winograd.ts), integer and exact like the scalar
// code: the same sums in int32/int64 lanes, so the output is the interpreter's bit for bit.
//
// - Input transform, F(m, rs) with m = 2, 3 or 4: 8 tiles at once. VLDm de-interleaves 8m int16 of
//   the padded row, so lane t of load q's vector p is d[(t0 + t) m + q m + p], the transform input
//   i = q m + p of tile t0 + t; each V_j is then a few VADD/VSUB/VMLA by the integer B^T row. The
//   rule's bound (255 ‖B^T_j‖₁ < 2^15) keeps every partial sum in int16.
// - Tap GEMM, int32 accumulators only (int64 stays scalar): M[j][o][t] += U[j][o][k] V[j][k][t] as
//   SMLAL/SMLAL2 by lane, int16 x int16 into int32. Register block of MB output channels x 8 tiles
//   (aarch64: 8 x 8 = 16 accumulators, the weights of 8 channels in one q register, SMLAL(2) by
//   laneq; armv7: 4 x 8 = 8 accumulators, the weights in a d register), 16 or 8 MLALs per pair of
//   loads; the channels left over (Mg mod MB) go one at a time (MLAL by scalar). The weights are
//   packed at compile time [g][j][block][k][MB], the leftover channels [o][k] as before. Tiles
//   are padded to a multiple of 8 (the transform computes the padding tiles from the zero-point
//   padded row, so they stay within the bound; their results are never read).
// - Output transform, m = 2, 3 or 4: 4 tiles of one channel at once, Σ_j A_int[i][j] M_j widened
//   into int64 lanes (SMULL/SMLAL by scalar), then the exact division by S = 2^e s_odd as a shift
//   by e and a multiply by s_odd's inverse modulo 2^32 (the quotient is exact, and only its low 32
//   bits reach the int32 accumulator, which wraps as QConv's does), plus the bias; VSTm interleaves
//   the m outputs of the 4 tiles. The tiles left over (the last partial ones) are scalar.
// Intrinsics that only AArch64 has (the laneq and high forms) are guarded by __aarch64__; the
// aarch64 code run through SIMDe (x86, wasm32) takes the vget_high forms.

/** `c0*X0 + c1*X1 + ...` over int16x8 vectors, with VADD/VSUB for +-1 and VMLA by scalar otherwise. */
function vecLinear(row: readonly number[], x: (i: number) => string): string {
  const terms = row.map((c, i) => [c, i] as const).filter(([c]) => c !== 0);
  if (terms.length === 0) return "vdupq_n_s16(0)";
  // Start from a +1 term when there is one (no multiply).
  terms.sort((a, b) => (a[0] === 1 ? 0 : 1) - (b[0] === 1 ? 0 : 1));
  const [c0, i0] = terms[0]!;
  let e = c0 === 1 ? x(i0) : `vmulq_n_s16(${x(i0)}, ${c0})`;
  for (const [c, i] of terms.slice(1)) e = c === 1 ? `vaddq_s16(${e}, ${x(i)})` : c === -1 ? `vsubq_s16(${e}, ${x(i)})` : `vmlaq_n_s16(${e}, ${x(i)}, ${c})`;
  return e;
}

/** Whether the vector transforms apply to tile m (VLD2/3/4 and VST2/3/4 exist for m = 2, 3, 4). */
export const neonTransformTile = (m: number): boolean => m >= 2 && m <= 4;

/**
 * The input transform of channel c (row `wg_row` filled), 8 tiles per step up to `wg_vtp` (a
 * multiple of 8): V[(j Cg + c) wg_vtp + t] for every j. The row must hold (wg_vtp + ceil(n/m)) m values.
 */
export function neonInputTransform(BT: readonly (readonly number[])[], m: number, Cg: number): string[] {
  const n = BT.length, loads = Math.ceil(n / m);
  const x = (i: number) => `l${Math.floor(i / m)}.val[${i % m}]`;
  return [
    `      for (t = 0; t < wg_vtp; t += 8) {`,
    `        const int16_t *d = wg_row + t * ${m};`,
    `        const int16x8x${m}_t ${Array.from({ length: loads }, (_, q) => `l${q} = vld${m}q_s16(d + ${q * m})`).join(", ")};`,
    ...BT.map((row, j) => `        vst1q_s16(wg_V + ((size_t)${j} * ${Cg} + c) * wg_vtp + t, ${vecLinear(row, x)});`),
    `      }`,
  ];
}

/**
 * Packs U [group][n][Mg][K] (int32 values within int16) for the NEON GEMM: per (g, j), blocks of
 * MB channels as [k][MB], then the Mg mod MB leftover channels as [o][K]; same size and (g, j) offsets.
 */
export function packNeonWeights(U: Int32Array, groupTaps: number, Mg: number, K: number, MB: number): Int16Array {
  const out = new Int16Array(U.length);
  const full = Math.floor(Mg / MB) * MB;
  for (let gj = 0; gj < groupTaps; gj++) {
    const base = gj * Mg * K;
    for (let ob = 0; ob < full; ob += MB)
      for (let k = 0; k < K; k++)
        for (let oo = 0; oo < MB; oo++) out[base + ob * K + k * MB + oo] = U[base + (ob + oo) * K + k]!;
    for (let o = full; o < Mg; o++) for (let k = 0; k < K; k++) out[base + o * K + k] = U[base + o * K + k]!;
  }
  return out;
}

/** The GEMM's channel block: 8 on aarch64, 4 on armv7. */
export const neonBlockRows = (a64: boolean): number => (a64 ? 8 : 4);

/**
 * The tap GEMMs of group g into int32 wg_M [n][Mg][wg_tp] from wg_V [n][Cg][wg_vtp] and the packed
 * weights `up` (packNeonWeights). Segment sg reads V shifted by sg * shift tiles.
 */
export function neonTapGemm(p: { n: number; Mg: number; Cg: number; S: number; shift: number; up: string; a64: boolean }): string[] {
  const { n, Mg, Cg, S, shift, up, a64 } = p;
  const MB = neonBlockRows(a64), K = S * Cg;
  const os = Array.from({ length: MB }, (_, o) => o);
  const acc = (o: number, h: number) => `a${o}${h}`;
  // Segment sg's rows start sg * shift tiles further (shift = rs / m is whole when S > 1).
  const segLoop = (inner: string[]) => [
    S > 1 ? `          for (sg = 0; sg < ${S}; sg++) {` : `          {`,
    `            const int16_t *v = vj + ${S > 1 ? `(size_t)sg * ${shift} + ` : ""}t;`,
    `            for (c = 0; c < ${Cg}; c++, v += wg_vtp) {`,
    ...inner.map((l) => (l.startsWith("#") ? l : `              ${l}`)),
    `            }`,
    `          }`,
  ];
  const blockStep = a64
    ? [
      `const int16x8_t vv = vld1q_s16(v), uu = vld1q_s16(u); u += 8;`,
      `const int16x4_t vl = vget_low_s16(vv);`,
      `#if defined(__aarch64__)`,
      ...os.map((o) => `${acc(o, 0)} = vmlal_laneq_s16(${acc(o, 0)}, vl, uu, ${o}); ${acc(o, 1)} = vmlal_high_laneq_s16(${acc(o, 1)}, vv, uu, ${o});`),
      `#else`,
      `const int16x4_t vh = vget_high_s16(vv);`,
      ...os.map((o) => `${acc(o, 0)} = vmlal_laneq_s16(${acc(o, 0)}, vl, uu, ${o}); ${acc(o, 1)} = vmlal_laneq_s16(${acc(o, 1)}, vh, uu, ${o});`),
      `#endif`,
    ]
    : [
      `const int16x8_t vv = vld1q_s16(v); const int16x4_t uu = vld1_s16(u); u += 4;`,
      `const int16x4_t vl = vget_low_s16(vv), vh = vget_high_s16(vv);`,
      ...os.map((o) => `${acc(o, 0)} = vmlal_lane_s16(${acc(o, 0)}, vl, uu, ${o}); ${acc(o, 1)} = vmlal_lane_s16(${acc(o, 1)}, vh, uu, ${o});`),
    ];
  return [
    `    for (j = 0; j < ${n}; j++) {`,
    `      const int16_t *uj = ${up} + ((size_t)g * ${n} + j) * ${Mg * K};`,
    `      const int16_t *vj = wg_V + (size_t)j * ${Cg} * wg_vtp;`,
    `      int32_t *mj = wg_M + (size_t)j * ${Mg} * wg_tp;`,
    `      for (o = 0; o + ${MB} <= ${Mg}; o += ${MB})`,
    `        for (t = 0; t < wg_tp; t += 8) {`,
    `          const int16_t *u = uj + (size_t)o * ${K};`,
    `          int32x4_t ${os.flatMap((o) => [0, 1].map((h) => `${acc(o, h)} = vdupq_n_s32(0)`)).join(", ")};`,
    ...segLoop(blockStep),
    ...os.map((o) => `          vst1q_s32(mj + (size_t)(o + ${o}) * wg_tp + t, ${acc(o, 0)}); vst1q_s32(mj + (size_t)(o + ${o}) * wg_tp + t + 4, ${acc(o, 1)});`),
    `        }`,
    `      for (; o < ${Mg}; o++)`,
    `        for (t = 0; t < wg_tp; t += 8) {`,
    `          const int16_t *u = uj + (size_t)o * ${K};`,
    `          int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);`,
    ...segLoop([
      `const int16x8_t vv = vld1q_s16(v); const int16_t uk = *u++;`,
      `s0 = vmlal_n_s16(s0, vget_low_s16(vv), uk); s1 = vmlal_n_s16(s1, vget_high_s16(vv), uk);`,
    ]),
    `          vst1q_s32(mj + (size_t)o * wg_tp + t, s0); vst1q_s32(mj + (size_t)o * wg_tp + t + 4, s1);`,
    `        }`,
    `    }`,
  ];
}

/** e and the inverse of S / 2^e modulo 2^32 (S / 2^e is odd), for the exact division by S. */
export function exactDivision(S: number): { e: number; inv: number } {
  let e = 0;
  while ((S >> e) % 2 === 0) e++;
  const odd = S / 2 ** e;
  let inv = odd; // Newton: each step doubles the correct low bits (odd * odd = 1 mod 8 to start).
  for (let k = 0; k < 5; k++) inv = Math.imul(inv, 2 - Math.imul(odd, inv)) >>> 0;
  if (Math.imul(odd, inv) >>> 0 !== 1) throw new Error(`no inverse of ${odd} modulo 2^32`);
  return { e, inv: inv >>> 0 };
}

/**
 * The output transform of channel o (oc = g Mg + o) for tiles t = 0, 4, ... while 4 whole tiles
 * fit in qTo; leaves t at the first tile not done (the scalar loop finishes). `vb` is the bias as uint32x4_t.
 */
export function neonOutputTransform(AT: readonly (readonly number[])[], scale: number, Mg: number): string[] {
  const m = AT.length, n = AT[0]!.length;
  const { e, inv } = exactDivision(scale);
  const sum = (i: number, half: "lo" | "hi") => {
    const terms = AT[i]!.map((c, j) => [c, j] as const).filter(([c]) => c !== 0);
    const part = (j: number) => (half === "lo" ? `vget_low_s32(M${j})` : `vget_high_s32(M${j})`);
    let ex = `vmull_n_s32(${part(terms[0]![1])}, ${terms[0]![0]})`;
    for (const [c, j] of terms.slice(1)) ex = `vmlal_n_s32(${ex}, ${part(j)}, ${c})`;
    return e > 0 ? `vshrq_n_s64(${ex}, ${e})` : ex;
  };
  return [
    `      for (t = 0; (t + 4) * ${m} <= qTo; t += 4) {`,
    `        const int32x4_t ${Array.from({ length: n }, (_, j) => `M${j} = vld1q_s32(wg_M + ((size_t)${j} * ${Mg} + o) * wg_tp + t)`).join(", ")};`,
    `        int32x4x${m}_t q;`,
    ...AT.map((_, i) => `        q.val[${i}] = vreinterpretq_s32_u32(vaddq_u32(vmulq_n_u32(vreinterpretq_u32_s32(vcombine_s32(vmovn_s64(${sum(i, "lo")}), vmovn_s64(${sum(i, "hi")}))), ${inv}u), vb));`),
    `        vst${m}q_s32(acc + (size_t)oc * qTo + t * ${m}, q);`,
    `      }`,
  ];
}
