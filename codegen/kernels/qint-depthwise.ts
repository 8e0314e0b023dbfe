// QConvDepthwise with int8/uint8 input in C, the body after qint-conv-common.ts's declarations
// (x, y, qT, qTo, bias, acc, b, m). Each output channel copies its input channel
// into an int16 row padded with the zero point (so no tap tests bounds), then:
// - c99: loops over t of 4 taps each that compilers vectorize (see depthwiseLines);
// - NEON: taps in pairs. A pair row holds (row[i], row[i + dilation]) side by side for every i,
//   split into `stride` phase rows (i = stride * i' + phase), so the pairs that outputs t..t+3
//   need for taps (j, j+1) are 8 contiguous int16 at a compile-time offset. vmulq_s16 by
//   (w[j], w[j+1]) repeated (exact: |x * w| <= 128 * 128 = 16384) and vpadalq_s16 (adds each
//   pair into an int32 lane) are 2 instructions per 8 MACs plus one load, accumulators in
//   registers across all taps (the c99 loop reloads them per tap). On ARM: MUL + SADALP (SMLAL by
//   element would also be 2 per 8 MACs); through SIMDe: pmullw + pmaddwd + paddd, where
//   vmlal_lane_s16 would widen 64-bit vectors and use pmulld. An odd tap count pairs the last tap
//   with a zero weight (the rows have room for its partner).
import type { KernelContext } from "../kernel.js";
import { addDim, mulDim } from "../../ir/dim.js";

export interface DepthwiseSpec {
  readonly xType: "int8_t" | "uint8_t";
  /** Zero point after uint8 inputs moved to int8 (x - 128). */
  readonly zp: number;
  readonly M: number;
  /** Output channels per input channel (M / C). */
  readonly Mg: number;
  /** Input channels. */
  readonly C: number;
  /** Batch size (C expression). */
  readonly N: string;
  readonly Kw: number;
  readonly stride: number;
  readonly dil: number;
  readonly padL: number;
  readonly w: Int8Array;
  /** The requantization of one accumulator row into y: (accRow, yRow, len, channel) -> C statement. */
  rq(accRow: string, yRow: string, len: string, m: string): string;
}

/** The depthwise statements (C lines). */
export function depthwiseLines(ctx: KernelContext, s: DepthwiseSpec): string[] {
  const { Kw, stride, dil, padL, M, Mg, C, N, zp } = s;
  const span = (Kw - 1) * dil + 1;
  const yT = ctx.type(ctx.node.outputs[0]!).shape[2]!;
  const xv = (e: string) => (s.xType === "uint8_t" ? `(int16_t)((int)${e} - 128)` : `(int16_t)${e}`);
  const neon = ctx.target.neon;
  // The padded row: positions [0, qL + dil) (the partner of the last pair may be read).
  const rowLen = addDim(mulDim(yT, stride), span + dil);
  const head = [
    `const int8_t *w = ${ctx.addWeights("qconv_w", s.w)};`,
    `int16_t *xp = ${ctx.scratch(rowLen, "int16_t")};`,
    `const int qL = (qTo - 1) * ${stride} + ${span}, qR = qL + ${neon ? dil : 0};`,
    `const int lo = ${padL} < qR ? ${padL} : qR, hi = qT + ${padL} < qR ? qT + ${padL} : qR;`,
    neon ? `int t, j;` : `int t;`,
  ];
  const fill = [
    `    const ${s.xType} *xc = x + ((size_t)b * ${C} + m / ${Mg}) * qT;`,
    `    const int8_t *wm = w + m * ${Kw};`,
    `    int32_t *am = acc + (size_t)m * qTo;`,
    `    for (t = 0; t < lo; t++) xp[t] = ${zp};`,
    `    for (; t < hi; t++) xp[t] = ${xv(`xc[t - ${padL}]`)};`,
    `    for (; t < qR; t++) xp[t] = ${zp};`,
  ];
  const tail = [`    ${s.rq("am", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`, `  }`, `}`];
  if (!neon) {
    // Passes over t of up to 4 taps each, the first one starting from the bias: one load and
    // store of am per 4 taps instead of per tap, and int16 products (exact: |x * w| <= 16384),
    // which vectorize as 16-bit multiplies (pmullw) instead of 32-bit ones (pmulld), and run
    // faster (docs/measurements.md).
    const passes: string[] = [];
    for (let j0 = 0; j0 < Kw; j0 += 4) {
      const js = Array.from({ length: Math.min(4, Kw - j0) }, (_, i) => i);
      const sum = js.map((i) => `(int16_t)(w${i} * x${i}[t * ${stride}])`).join(" + ");
      passes.push(
        `    {`,
        `      const int16_t ${js.map((i) => `w${i} = wm[${j0 + i}]`).join(", ")};`,
        `      const int16_t ${js.map((i) => `*x${i} = xp + ${(j0 + i) * dil}`).join(", ")};`,
        j0 === 0 ? `      for (t = 0; t < qTo; t++) am[t] = bm + ${sum};` : `      for (t = 0; t < qTo; t++) am[t] += ${sum};`,
        `    }`,
      );
    }
    return [
      ...head,
      `for (b = 0; b < ${N}; b++) {`,
      `  for (m = 0; m < ${M}; m++) {`,
      ...fill,
      `    const int32_t bm = bias[m];`,
      ...passes,
      ...tail,
    ];
  }
  const pairs = Math.ceil(Kw / 2);
  // Phase rows of n0 pairs each: pair i' of phase ph is (xp[stride*i' + ph], xp[stride*i' + ph + dil]).
  const n0 = `((qL - 1) / ${stride} + 1)`;
  const pairRows = ctx.scratch(mulDim(addDim(yT, Math.ceil(span / stride) + 1), 2 * stride), "int16_t");
  // Taps (2jp, 2jp + 1) of outputs t..: phase and offset of their first position 2jp * dil.
  const at = (jp: number) => {
    const first = 2 * jp * dil, ph = first % stride, off = Math.floor(first / stride);
    return `pr + ${ph === 0 ? "" : `${ph} * 2 * n0 + `}2 * (t + ${off})`;
  };
  const block = (nv: number) => [
    `        int32x4_t ${Array.from({ length: nv }, (_, v) => `a${v} = vb`).join(", ")};`,
    ...Array.from({ length: pairs }, (_, jp) =>
      `        ${Array.from({ length: nv }, (_, v) => `a${v} = vpadalq_s16(a${v}, vmulq_s16(vld1q_s16(${at(jp)}${v > 0 ? ` + ${8 * v}` : ""}), wv[${jp}]));`).join(" ")}`),
    `        ${Array.from({ length: nv }, (_, v) => `vst1q_s32(am + t${v > 0 ? ` + ${4 * v}` : ""}, a${v});`).join(" ")}`,
  ];
  return [
    ...head,
    `int16_t *pr = ${pairRows};`,
    `const int n0 = ${n0};`,
    `int ph, i;`,
    `for (b = 0; b < ${N}; b++) {`,
    `  for (m = 0; m < ${M}; m++) {`,
    ...fill,
    `    {`,
    `      int16_t wl[${2 * pairs * 4}];`,
    `      int16x8_t wv[${pairs}];`,
    `      const int32x4_t vb = vdupq_n_s32(bias[m]);`,
    `      for (j = 0; j < ${2 * pairs}; j++) {`,
    `        const int16_t wj = (int16_t)(j < ${Kw} ? wm[j] : 0);`,
    `        wl[(j >> 1) * 8 + (j & 1)] = wj; wl[(j >> 1) * 8 + (j & 1) + 2] = wj; wl[(j >> 1) * 8 + (j & 1) + 4] = wj; wl[(j >> 1) * 8 + (j & 1) + 6] = wj;`,
    `      }`,
    `      for (j = 0; j < ${pairs}; j++) wv[j] = vld1q_s16(wl + 8 * j);`,
    `      for (ph = 0; ph < ${stride}; ph++) {`,
    `        int16_t *d = pr + ph * 2 * n0;`,
    `        for (i = 0; ph + ${stride} * i < qL; i++) { d[2 * i] = xp[ph + ${stride} * i]; d[2 * i + 1] = xp[ph + ${stride} * i + ${dil}]; }`,
    `      }`,
    `      for (t = 0; t + 8 <= qTo; t += 8) {`,
    ...block(2),
    `      }`,
    `      for (; t + 4 <= qTo; t += 4) {`,
    ...block(1),
    `      }`,
    `      for (; t < qTo; t++) {`,
    `        int32_t sum = bias[m];`,
    `        for (j = 0; j < ${Kw}; j++) sum += (int32_t)wm[j] * xp[t * ${stride} + j * ${dil}];`,
    `        am[t] = sum;`,
    `      }`,
    `    }`,
    ...tail,
  ];
}
