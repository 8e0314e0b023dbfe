// Pieces shared by the integer C kernels: the requantization attributes read into plain
// numbers, and the row helpers that turn int32 accumulators into 8/16-bit outputs (scale by
// the fixed-point multiplier with the node's rounding, add the output zero point, clamp to
// [qmin, qmax], narrow). NEON rows run 8 lanes at a time; every value passes through the
// helpers of codegen/fixed-point-c.ts, so the results are the interpreter's bit for bit.
import type { DType } from "../../ir/dtype.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { requantParams, type RequantAttrValues } from "../../ir/ops/qint/common.js";
import type { RequantParams } from "../../src/runtime/kernels/qint-requant.js";
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
 * Why an integer product (QConv, QMatMul) cannot be generated: int8/uint8 activations, int8
 * weights and int32 bias, both constant (they are packed at compile time), 8- or 16-bit output.
 */
export function productUnsupported(node: Node, g: Graph): string | undefined {
  const bad = dtypesIn(node, g, { 0: ["i8", "u8"], 1: ["i8"], 2: ["i32"] }, ["i8", "u8", "i16"]);
  if (bad) return bad;
  if (!g.constants[node.inputs[1]!]) return "the weights must be constant";
  if (node.inputs[2] && !g.constants[node.inputs[2]]) return "the bias must be constant";
  return undefined;
}

/**
 * Adds the row requantization helpers for a rounding and output type, returns the two names:
 * `one(acc, y, n, m, shift, zp, qmin, qmax)` with one multiplier for the row, and
 * `per(acc, y, n, const int32_t *m, const int32_t *shift, zp, qmin, qmax)` with one per element.
 */
export function useRequantRow(ctx: KernelContext, p: RequantParams, out: DType): { readonly one: string; readonly per: string } {
  const fp = useFixedPoint(ctx, p.rounding);
  const ct = ctype(out);
  const tag = `${roundingSuffix(p.rounding)}_${out}`;
  const one = `neonc_rq_${tag}`, per = `neonc_rqv_${tag}`;
  const store = (vec: string) => {
    // vec: two int32x4_t a, b already clamped; narrow and store 8 values at y + i.
    if (out === "i16") return `vst1q_s16(y + i, vcombine_s16(vmovn_s32(${vec}a), vmovn_s32(${vec}b)));`;
    const h = `vcombine_s16(vmovn_s32(${vec}a), vmovn_s32(${vec}b))`;
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
  const vecBody = (mA: string, sA: string, mB: string, sB: string) => [
    `  int32x4_t vz = vdupq_n_s32(zp), vlo = vdupq_n_s32(qmin), vhi = vdupq_n_s32(qmax);`,
    `  for (; i + 8 <= n; i += 8) {`,
    `    int32x4_t va = ${fp.vector}(vld1q_s32(acc + i), ${mA}, ${sA});`,
    `    int32x4_t vb = ${fp.vector}(vld1q_s32(acc + i + 4), ${mB}, ${sB});`,
    `    va = vminq_s32(vmaxq_s32(vqaddq_s32(va, vz), vlo), vhi);`,
    `    vb = vminq_s32(vmaxq_s32(vqaddq_s32(vb, vz), vlo), vhi);`,
    `    ${store("v")}`,
    `  }`,
  ];
  const neon = ctx.target.neon;
  // gemmlowp rows with shift <= 0 (the usual case): neonc_fp_gemmlowp_s32x4 without its
  // saturating left shift by 0, which is the identity.
  const gemmlowpRightOnly = [
    `  if (shift <= 0) {`,
    `    int32x4_t vm = vdupq_n_s32(m), vr = vdupq_n_s32(shift), vz = vdupq_n_s32(zp), vlo = vdupq_n_s32(qmin), vhi = vdupq_n_s32(qmax);`,
    `    for (; i + 8 <= n; i += 8) {`,
    `      int32x4_t ha = vqrdmulhq_s32(vld1q_s32(acc + i), vm), hb = vqrdmulhq_s32(vld1q_s32(acc + i + 4), vm);`,
    `      int32x4_t va = neonc_rshr_s32x4(vqaddq_s32(ha, vshrq_n_s32(vandq_s32(ha, vr), 31)), vr);`,
    `      int32x4_t vb = neonc_rshr_s32x4(vqaddq_s32(hb, vshrq_n_s32(vandq_s32(hb, vr), 31)), vr);`,
    `      va = vminq_s32(vmaxq_s32(vqaddq_s32(va, vz), vlo), vhi);`,
    `      vb = vminq_s32(vmaxq_s32(vqaddq_s32(vb, vz), vlo), vhi);`,
    `      ${store("v")}`,
    `    }`,
    `  }`,
  ];
  const oneCode = [
    `static void ${one}(const int32_t *acc, ${ct} *y, int n, int32_t m, int shift, int32_t zp, int32_t qmin, int32_t qmax) {`,
    `  int i = 0;`,
    ...(neon && p.rounding === "gemmlowp" ? gemmlowpRightOnly : []),
    ...(neon ? [`  int32x4_t vm = vdupq_n_s32(m), vs = vdupq_n_s32(shift);`, ...vecBody("vm", "vs", "vm", "vs")] : []),
    p.rounding === "gemmlowp" ? gemmlowpOneTail : scalarTail("m", "shift"),
    `}`,
  ].join("\n");
  const perCode = [
    `static void ${per}(const int32_t *acc, ${ct} *y, int n, const int32_t *m, const int32_t *shift, int32_t zp, int32_t qmin, int32_t qmax) {`,
    `  int i = 0;`,
    ...(neon ? vecBody("vld1q_s32(m + i)", "vld1q_s32(shift + i)", "vld1q_s32(m + i + 4)", "vld1q_s32(shift + i + 4)") : []),
    scalarTail("m[i]", "shift[i]"),
    `}`,
  ].join("\n");
  // Helpers are added when a kernel asks for them (unused static functions are -Werror).
  return {
    get one() { ctx.helper(`rq_${tag}`, oneCode); return one; },
    get per() { ctx.helper(`rqv_${tag}`, perCode); return per; },
  };
}

/** The C arguments `zp, qmin, qmax` of a requantization. */
export function rqTail(p: RequantParams): string {
  return `${p.zeroPoint}, ${p.qmin}, ${p.qmax}`;
}
