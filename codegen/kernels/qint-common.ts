// Pieces shared by the integer C kernels: the requantization attributes read into plain
// numbers, and the row helpers that turn int32 accumulators into 8/16-bit outputs (scale by
// the fixed-point multiplier with the node's rounding, add the output zero point, clamp to
// [qmin, qmax], narrow). NEON rows run 8 lanes at a time; every value passes through the
// helpers of codegen/fixed-point-c.ts, so the results are the interpreter's bit for bit.
import type { DType } from "../../ir/dtype.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { requantParams, type RequantAttrValues } from "../../ir/ops/integer/common.js";
import type { RequantParams } from "../../ir/kernels/integer-requant.js";
import { ctype } from "../c-util.js";
import { roundingSuffix, useFixedPoint } from "../fixed-point-c.js";
import type { KernelContext } from "../kernel.js";

/** The validated requantization parameters of a node (channels: 1 per tensor, or the channel count). */
export function requantOf(attrs: Attrs, channels: number | undefined, ctx: KernelContext): RequantParams {
  try {
    return requantParams(attrs as unknown as RequantAttrValues, channels);
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
}

/** Reason string when some input or output of the node is not one of the allowed dtypes. */
export function dtypesIn(node: Node, g: Graph, allowed: Readonly<Record<number, readonly DType[]>>, out: readonly DType[]): string | undefined {
  for (const [k, list] of Object.entries(allowed)) {
    const v = node.inputs[Number(k)];
    if (v && !list.includes(g.types[v]!.dtype)) return `input ${k} is ${g.types[v]!.dtype}; the C kernel handles ${list.join(", ")}`;
  }
  const y = g.types[node.outputs[0]!]!.dtype;
  if (!out.includes(y)) return `the output is ${y}; the C kernel handles ${out.join(", ")}`;
  return undefined;
}

/**
 * Why an integer product (QConv, QMatMulGemm) with constant weights cannot be generated: int8/uint8
 * activations, or int16 ones (the 16x8 mode, codegen/kernels/qint-16x8.ts), int8 weights (int16
 * ones with int16 activations: the 16x16 mode) and int32 bias, both constant (they are packed at
 * compile time), 8- or 16-bit output.
 */
export function productUnsupported(node: Node, g: Graph): string | undefined {
  const x16 = g.types[node.inputs[0]!]?.dtype === "i16";
  const bad = dtypesIn(node, g, { 0: ["i8", "u8", "i16"], 1: x16 ? ["i8", "i16"] : ["i8"], 2: ["i32"] }, ["i8", "u8", "i16"]);
  if (bad) return bad;
  if (!g.constants[node.inputs[1]!]) return "the weights must be constant";
  if (node.inputs[2] && !g.constants[node.inputs[2]]) return "the bias must be constant";
  return undefined;
}

/**
 * Adds the row requantization helpers for a rounding and output type, returns the two names:
 * `one(acc, y, n, m, shift, zp, qmin, qmax)` with one multiplier for the row, and per-element
 * parameters in either form of `channelRequant`: `perPacked(acc, y, n, const int32_t *words,
 * base, zp, qmin, qmax)` or `perSplit(acc, y, n, const int32_t *m, const int8_t *shift, zp, qmin, qmax)`.
 */
export function useRequantRow(ctx: KernelContext, p: RequantParams, out: DType): { readonly one: string; readonly perPacked: string; readonly perSplit: string } {
  const fp = useFixedPoint(ctx, p.rounding);
  const ct = ctype(out);
  const tag = `${roundingSuffix(p.rounding)}_${out}`;
  const one = `neonc_rq_${tag}`, per = `neonc_rqv_${tag}`;
  const a64 = ctx.target.arch === "aarch64";
  const store = (vec: string) => {
    // vec: two int32x4_t a, b already clamped; narrow and store 8 values at y + i. aarch64 keeps
    // the low halves with UZP1 (one per halving, XTN + XTN2 + XTN before); through SIMDe that is
    // one permute + vpmovwb where the vmovn chain of 64-bit vectors costs ~12 x86 instructions.
    const h = a64 ? `vuzp1q_s16(vreinterpretq_s16_s32(${vec}a), vreinterpretq_s16_s32(${vec}b))` : `vcombine_s16(vmovn_s32(${vec}a), vmovn_s32(${vec}b))`;
    if (out === "i16") return `vst1q_s16(y + i, ${h});`;
    if (a64) {
      const b = `vget_low_s8(vuzp1q_s8(vreinterpretq_s8_s16(${h}), vreinterpretq_s8_s16(${h})))`;
      return out === "i8" ? `vst1_s8(y + i, ${b});` : `vst1_u8(y + i, vreinterpret_u8_s8(${b}));`;
    }
    return out === "i8" ? `vst1_s8(y + i, vmovn_s16(${h}));` : `vst1_u8(y + i, vmovn_u16(vreinterpretq_u16_s16(${h})));`;
  };
  const scalarTail = (mExpr: string, sExpr: string) =>
    `  for (; i < n; i++) { int64_t v = (int64_t)${fp.scalar}(acc[i], ${mExpr}, ${sExpr}) + zp; y[i] = (${ct})(v < qmin ? qmin : (v > qmax ? qmax : v)); }`;
  // gemmlowp with one multiplier per row: the shift split and masks hoisted out of the loop, the
  // clamp folded into [qmin - zp, qmax - zp] (both fit int32) and the rare INT32_MIN^2 case a
  // select, so compilers vectorize the body; rows with a left shift (scale ratio >= 1) take a
  // second loop that saturates first (GCC does not vectorize both in one). Same arithmetic as
  // neonc_fp_gemmlowp_s32.
  const gemmlowpBody = (aExpr: string) => [
    `    for (; i < n; i++) {`,
    `      int32_t x = acc[i], a = ${aExpr};`,
    `      int32_t high = (int32_t)(((int64_t)a * m + ((int64_t)1 << 30)) >> 31);`,
    `      int32_t r;`,
    `      high = (a == INT32_MIN && mmin) ? INT32_MAX : high;`,
    `      r = (high >> right) + ((high & mask) > half + (high < 0) ? 1 : 0);`,
    `      r = r < lo ? lo : (r > hi ? hi : r);`,
    `      y[i] = (${ct})(r + zp);`,
    `    }`,
  ];
  const gemmlowpOneTail = [
    `  {`,
    `    const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;`,
    `    const int32_t mask = (int32_t)(((int64_t)1 << right) - 1), half = mask >> 1, mmin = m == INT32_MIN, lo = qmin - zp, hi = qmax - zp;`,
    `    const int32_t amax = INT32_MAX >> left, amin = INT32_MIN >> left;`,
    `    if (left == 0) {`,
    ...gemmlowpBody("x").map((l) => `  ${l}`),
    `    } else {`,
    ...gemmlowpBody("x > amax ? INT32_MAX : (x < amin ? INT32_MIN : (int32_t)((uint32_t)x << left))").map((l) => `  ${l}`),
    `    }`,
    `  }`,
  ].join("\n");
  // The clamp is to [qmin - zp, qmax - zp] before a plain add of zp: the same result as a
  // saturating add then [qmin, qmax] (both bounds fit int32), one operation less on ARM and
  // fewer x86 instructions through SIMDe, where vqaddq_s32 is emulated (docs/measurements.md).
  const clampAdd = (v: string) => `${v} = vaddq_s32(vminq_s32(vmaxq_s32(${v}, vlo), vhi), vz);`;
  const bounds = `vz = vdupq_n_s32(zp), vlo = vdupq_n_s32(qmin - zp), vhi = vdupq_n_s32(qmax - zp)`;
  const vecBody = (mA: string, sA: string, mB: string, sB: string) => [
    `  int32x4_t ${bounds};`,
    `  for (; i + 8 <= n; i += 8) {`,
    `    int32x4_t va = ${fp.vector}(vld1q_s32(acc + i), ${mA}, ${sA});`,
    `    int32x4_t vb = ${fp.vector}(vld1q_s32(acc + i + 4), ${mB}, ${sB});`,
    `    ${clampAdd("va")}`,
    `    ${clampAdd("vb")}`,
    `    ${store("v")}`,
    `  }`,
  ];
  const neon = ctx.target.neon;
  // gemmlowp rows with shift <= 0 (the usual case): neonc_fp_gemmlowp_s32x4 without its
  // saturating left shift by 0, which is the identity. The sign fix-up is a plain add: with a
  // multiplier in [0, 2^31) the doubled high product is at least -2^31 + 1, so subtracting 1
  // cannot wrap (vqaddq_s32 is emulated through SIMDe).
  const gemmlowpRightOnly = [
    `  if (shift <= 0) {`,
    `    int32x4_t vm = vdupq_n_s32(m), vr = vdupq_n_s32(shift), ${bounds};`,
    `    for (; i + 8 <= n; i += 8) {`,
    `      int32x4_t ha = vqrdmulhq_s32(vld1q_s32(acc + i), vm), hb = vqrdmulhq_s32(vld1q_s32(acc + i + 4), vm);`,
    `      int32x4_t va = neonc_rshr_s32x4(vaddq_s32(ha, vshrq_n_s32(vandq_s32(ha, vr), 31)), vr);`,
    `      int32x4_t vb = neonc_rshr_s32x4(vaddq_s32(hb, vshrq_n_s32(vandq_s32(hb, vr), 31)), vr);`,
    `      ${clampAdd("va")}`,
    `      ${clampAdd("vb")}`,
    `      ${store("v")}`,
    `    }`,
    `  }`,
  ];
  // gemmlowp rows where NEON is emulated (SIMDe on x86) take the scalar loop, which the host
  // compiler vectorizes: GCC 12 -O3 turns SIMDe's vqrdmulhq_s32 into scalar 64-bit multiplies,
  // which makes the emulated NEON row the slower one (docs/measurements.md). ARM compilers get
  // the NEON loops.
  const emulatedScalar = neon && p.rounding === "gemmlowp";
  const neonRow = [
    ...(neon && p.rounding === "gemmlowp" ? gemmlowpRightOnly : []),
    ...(neon ? [`  int32x4_t vm = vdupq_n_s32(m), vs = vdupq_n_s32(shift);`, ...vecBody("vm", "vs", "vm", "vs")] : []),
  ];
  const oneCode = [
    `static void ${one}(const int32_t *acc, ${ct} *y, int n, int32_t m, int shift, int32_t zp, int32_t qmin, int32_t qmax) {`,
    `  int i = 0;`,
    ...(emulatedScalar ? [`#if defined(__ARM_NEON) || defined(__ARM_NEON__)`, ...neonRow, `#endif`] : neonRow),
    p.rounding === "gemmlowp" ? gemmlowpOneTail : scalarTail("m", "shift"),
    `}`,
  ].join("\n");
  // Per-element parameters, as ChannelRequant stores them: packed words (multiplier and a 2-bit
  // shift offset from `base`, decoded as in channelRequant's C expressions), or split int32
  // multipliers and int8 shifts.
  const perCode = (packed: boolean) => [
    packed
      ? `static void ${per}p(const int32_t *acc, ${ct} *y, int n, const int32_t *w, int base, int32_t zp, int32_t qmin, int32_t qmax) {`
      : `static void ${per}s(const int32_t *acc, ${ct} *y, int n, const int32_t *m, const int8_t *s, int32_t zp, int32_t qmin, int32_t qmax) {`,
    `  int i = 0;`,
    ...(neon && packed ? [
      `  const int32x4_t vlow = vdupq_n_s32(0x3FFFFFFF), vbit = vdupq_n_s32(0x40000000), vbase = vdupq_n_s32(base);`,
      ...vecBody("neonc_unpack_m(vld1q_s32(w + i), vlow, vbit)", "vaddq_s32(vbase, vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(vld1q_s32(w + i)), 30)))",
        "neonc_unpack_m(vld1q_s32(w + i + 4), vlow, vbit)", "vaddq_s32(vbase, vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(vld1q_s32(w + i + 4)), 30)))"),
    ] : []),
    ...(neon && !packed ? [
      `  int16x8_t vs16;`,
      ...vecBody("vld1q_s32(m + i)", "vmovl_s16(vget_low_s16(vs16 = vmovl_s8(vld1_s8(s + i))))", "vld1q_s32(m + i + 4)", "vmovl_s16(vget_high_s16(vs16))"),
    ] : []),
    packed ? scalarTail(unpackMultiplier("w[i]"), unpackShift("w[i]", "base")) : scalarTail("m[i]", "s[i]"),
    `}`,
  ].join("\n");
  const unpackHelper = `static inline int32x4_t neonc_unpack_m(int32x4_t w, int32x4_t vlow, int32x4_t vbit) {
  /* Bit 30 of a multiplier in [2^30, 2^31) is implicit; bits 31-30 of the word are the shift offset. */
  return vorrq_s32(vandq_s32(w, vlow), vbit);
}`;
  // Helpers are added when a kernel asks for them (unused static functions are -Werror).
  return {
    get one() { ctx.helper(`rq_${tag}`, oneCode); return one; },
    get perPacked() {
      if (neon) ctx.helper("unpack_m", unpackHelper);
      ctx.helper(`rqvp_${tag}`, perCode(true));
      return `${per}p`;
    },
    get perSplit() { ctx.helper(`rqvs_${tag}`, perCode(false)); return `${per}s`; },
  };
}

/** The C arguments `zp, qmin, qmax` of a requantization. */
export function rqTail(p: RequantParams): string {
  return `${p.zeroPoint}, ${p.qmin}, ${p.qmax}`;
}

/** C expression of the multiplier packed in `word` (see channelRequant). */
function unpackMultiplier(word: string): string {
  return `(int32_t)(((uint32_t)${word} & 0x3FFFFFFFu) | 0x40000000u)`;
}

/** C expression of the shift packed in `word` (see channelRequant). */
function unpackShift(word: string, base: string): string {
  return `(${base} + (int)((uint32_t)${word} >> 30))`;
}

/**
 * Per-channel requantization parameters as weights, in the smallest exact form. A multiplier in
 * [2^30, 2^31) has bit 31 clear and bit 30 set, so an int32 word holds its low 30 bits plus a
 * 2-bit shift offset from a per-layer `base`: 4 bytes per channel instead of 8, whenever the
 * layer's shifts span at most 4 values (they do when the channels' scales are within 16x of
 * each other) and no multiplier is zero. Otherwise int32 multipliers and int8 shifts.
 * `m(i)` and `shift(i)` are the C expressions of channel i (an index expression).
 */
export interface ChannelRequant {
  readonly packed: boolean;
  m(i: string): string;
  shift(i: string): string;
  /** The arguments after `n` of the matching per-element row helper (perPacked or perSplit). */
  readonly rowArgs: string;
}

export function channelRequant(ctx: KernelContext, hint: string, p: RequantParams): ChannelRequant {
  const base = Math.min(...p.shift);
  if (p.multiplier.every((m) => m !== 0) && p.shift.every((s) => s - base <= 3)) {
    const words = Int32Array.from(p.multiplier, (m, i) => (m & 0x3fffffff) | ((p.shift[i]! - base) << 30));
    const arr = ctx.addWeights(`${hint}_requant`, words);
    return { packed: true, m: (i) => unpackMultiplier(`${arr}[${i}]`), shift: (i) => unpackShift(`${arr}[${i}]`, String(base)), rowArgs: `${arr}, ${base}` };
  }
  const mArr = ctx.addWeights(`${hint}_mult`, Int32Array.from(p.multiplier));
  const sArr = ctx.addWeights(`${hint}_shift`, Int8Array.from(p.shift));
  return { packed: false, m: (i) => `${mArr}[${i}]`, shift: (i) => `${sArr}[${i}]`, rowArgs: `${mArr}, ${sArr}` };
}

/** The 1-D geometry of a QConv with constant weights w[M, C/group, Kw], as the QConv emitters read it. */
export interface QConvGeometry {
  readonly M: number; readonly Cg: number; readonly Kw: number; readonly group: number;
  /** Input channels, output channels per group, and the GEMM depth Cg * Kw. */
  readonly C: number; readonly Mg: number; readonly K: number;
  readonly stride: number; readonly dil: number; readonly padL: number;
  readonly w: Int8Array;
}

export function qconvGeometry(wN: string, attrs: Attrs, ctx: KernelContext): QConvGeometry {
  const first = (v: unknown, d: number) => (Array.isArray(v) && v.length > 0 ? (v[0] as number) : d);
  const wc = ctx.constant(wN)!;
  const [M, Cg, Kw] = wc.shape as [number, number, number];
  const group = attrs.group as number;
  return {
    M, Cg, Kw, group, C: Cg * group, Mg: M / group, K: Cg * Kw,
    stride: first(attrs.strides, 1), dil: first(attrs.dilations, 1), padL: first(attrs.pads, 0),
    w: wc.data as Int8Array,
  };
}
