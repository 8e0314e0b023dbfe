// QSoftmax and QLogSoftmax in C, exactly as ir/ops/integer/qsoftmax.ts computes them. Each row
// along the axis (stride `inner`, so any axis works): the row maximum, e_k = E[max - x_k] from
// the 256-entry exp table (stored in weights.c as int32) and their sum, then
// - QSoftmax: y = zp + floor((512 e_k + S) / 2S), the interpreter's exact integer division. With
//   den = 2S the quotient is at most 256, and R = floor(2^32 / den) gives q = (a R) >> 32, which
//   is floor(a / den) or one less; one remainder test corrects it. Exact for a < 2^32, which the
//   row-length check (len * max E < 2^31) guarantees.
// - QLogSoftmax: e = position of S's leading one (a bit-length loop, no clz builtin needed),
//   m = the 8 bits after it, lnS = (e - 15) ln2_q16 + log_table[m], the log part requantized once
//   per row, then y = zp - logPart + M_x(x - max) per element with the node's rounding
//   (codegen/fixed-point-c.ts). The compile-time check that no sum can leave int32 makes the
//   int32 NEON lanes exact.
// NEON runs contiguous rows (inner = 1): the maximum 16 bytes at a time, the division and the
// log-softmax requantization 8 values at a time; the table lookups stay scalar (a gather).
// Strided rows (an axis other than the last) take the scalar loops on every target.
import { intRange, type DType } from "../../ir/dtype.js";
import { multiplyByQuantizedMultiplier, type Rounding } from "../../ir/fixed-point.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { checkRounding } from "../../ir/ops/integer/common.js";
import { normAxis } from "../../ir/shape-util.js";
import { cProduct, ctype } from "../c-util.js";
import { roundingSuffix, useFixedPoint } from "../fixed-point-c.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { dtypesIn } from "./qint-common.js";
import { narrowStore8 } from "./qint-narrow-store.js";

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/** Row geometry of the node as C expressions, and the largest row length. */
function geometry(ctx: KernelContext, x: string, axisAttr: number): { outer: string; len: string; inner: string; lenMax: number } {
  const shape = ctx.type(x).shape;
  const axis = normAxis(axisAttr, shape.length);
  const after = shape.slice(axis + 1);
  return {
    outer: cProduct(shape.slice(0, axis)), len: ctx.dim(shape[axis]!), inner: cProduct(after),
    lenMax: ctx.maxDim(shape[axis]!),
  };
}

/** The exp table as int32 weights, after the checks the C arithmetic relies on. */
function expTable(ctx: KernelContext, attrs: Attrs, lenMax: number): string {
  const E = attrs.exp_table as readonly number[];
  if (E.length !== 256 || E.some((v) => !Number.isInteger(v) || v < 0 || v > 32768)) ctx.fail("exp_table must have 256 entries in [0, 32768]");
  if (E[0]! < 1) ctx.fail("exp_table[0] must be at least 1 (the row maximum's weight): a zero sum has no softmax");
  const maxE = Math.max(...E);
  if (lenMax * maxE > INT32_MAX) ctx.fail(`rows of up to ${lenMax} values can sum the exp table beyond 2^31 (at most ${Math.floor(INT32_MAX / maxE)} values are generated)`);
  return ctx.addWeights("qsoftmax_exp", Int32Array.from(E));
}

/** Row maximum (mx), NEON 16 at a time on contiguous rows, then the scalar (strided) loop. */
function rowMax(ctx: KernelContext, xt: DType): string {
  const neon = ctx.target.neon;
  const u = xt === "u8";
  const reduce = ctx.target.arch === "aarch64"
    ? `mx = ${u ? "vmaxvq_u8" : "vmaxvq_s8"}(vm);`
    : `{
          ${u ? "uint8x8_t" : "int8x8_t"} m8 = ${u ? "vmax_u8" : "vmax_s8"}(vget_low_${u ? "u8" : "s8"}(vm), vget_high_${u ? "u8" : "s8"}(vm));
          m8 = ${u ? "vpmax_u8" : "vpmax_s8"}(m8, m8); m8 = ${u ? "vpmax_u8" : "vpmax_s8"}(m8, m8); m8 = ${u ? "vpmax_u8" : "vpmax_s8"}(m8, m8);
          mx = ${u ? "vget_lane_u8" : "vget_lane_s8"}(m8, 0);
        }`;
  const vec = neon
    ? `if (inner == 1 && len >= 16) {
        ${u ? "uint8x16_t vm = vld1q_u8(xr)" : "int8x16_t vm = vld1q_s8(xr)"};
        for (k = 16; k + 16 <= len; k += 16) vm = ${u ? "vmaxq_u8(vm, vld1q_u8(xr + k))" : "vmaxq_s8(vm, vld1q_s8(xr + k))"};
        ${reduce}
      }`
    : "";
  return `mx = xr[0];
      k = 1;
      ${vec}
      for (; k < len; k++) if (xr[(size_t)k * inner] > mx) mx = xr[(size_t)k * inner];`;
}

/** The loop over every row of [outer, len, inner]: xr, yr point at element 0 of the row. */
function overRows(xt: DType, yt: DType, body: string): string {
  return `int o, i, k;
  for (o = 0; o < outer; o++) {
    for (i = 0; i < inner; i++) {
      const ${ctype(xt)} *xr = x + (size_t)o * len * inner + i;
      ${ctype(yt)} *yr = y + (size_t)o * len * inner + i;
      int32_t mx;
      ${body}
    }
  }`;
}

function useQSoftmax(ctx: KernelContext, xt: DType, yt: DType, lo: number, hi: number): string {
  const name = `neonc_qsoftmax_${xt}_${yt}`;
  const neon = ctx.target.neon;
  const vdiv = neon
    ? `if (inner == 1) {
        uint32x4_t vsum = vdupq_n_u32(sum), vden = vdupq_n_u32(den);
        uint32x2_t vr = vdup_n_u32(rcp);
        int32x4_t vzp = vdupq_n_s32(zp), vlo = vdupq_n_s32(${lo}), vhi = vdupq_n_s32(${hi});
        for (; k + 8 <= len; k += 8) {
          uint32x4_t a0 = vmlaq_n_u32(vsum, vreinterpretq_u32_s32(vld1q_s32(e + k)), 512);
          uint32x4_t a1 = vmlaq_n_u32(vsum, vreinterpretq_u32_s32(vld1q_s32(e + k + 4)), 512);
          uint32x4_t q0 = vcombine_u32(vshrn_n_u64(vmull_u32(vget_low_u32(a0), vr), 32), vshrn_n_u64(vmull_u32(vget_high_u32(a0), vr), 32));
          uint32x4_t q1 = vcombine_u32(vshrn_n_u64(vmull_u32(vget_low_u32(a1), vr), 32), vshrn_n_u64(vmull_u32(vget_high_u32(a1), vr), 32));
          int32x4_t v0, v1;
          q0 = vsubq_u32(q0, vcgeq_u32(vmlsq_u32(a0, q0, vden), vden));
          q1 = vsubq_u32(q1, vcgeq_u32(vmlsq_u32(a1, q1, vden), vden));
          v0 = vminq_s32(vmaxq_s32(vaddq_s32(vreinterpretq_s32_u32(q0), vzp), vlo), vhi);
          v1 = vminq_s32(vmaxq_s32(vaddq_s32(vreinterpretq_s32_u32(q1), vzp), vlo), vhi);
          ${narrowStore8(yt, "v0", "v1", "yr + k")}
        }
      }`
    : "";
  ctx.helper(name, `
static void ${name}(const ${ctype(xt)} *x, ${ctype(yt)} *y, int outer, int len, int inner, const int32_t *E, int32_t zp, int32_t *e) {
  ${overRows(xt, yt, `uint32_t sum = 0, den, rcp;
      if (len <= 0) continue;
      ${rowMax(ctx, xt)}
      for (k = 0; k < len; k++) { e[k] = E[mx - xr[(size_t)k * inner]]; sum += (uint32_t)e[k]; }
      /* S >= E[0] >= 1 and S < 2^31: den in [2, 2^32), rcp = floor(2^32 / den) <= 2^31. */
      den = 2 * sum;
      rcp = (uint32_t)(((uint64_t)1 << 32) / den);
      k = 0;
      ${vdiv}
      for (; k < len; k++) {
        uint32_t a = 512u * (uint32_t)e[k] + sum;
        uint32_t q = (uint32_t)(((uint64_t)a * rcp) >> 32);
        int32_t v;
        q += a - q * den >= den ? 1u : 0u;
        v = (int32_t)q + zp;
        yr[(size_t)k * inner] = (${ctype(yt)})(v < ${lo} ? ${lo} : (v > ${hi} ? ${hi} : v));
      }`)}
}`);
  return name;
}

function useQLogSoftmax(ctx: KernelContext, xt: DType, yt: DType, rounding: Rounding, lo: number, hi: number): string {
  const fp = useFixedPoint(ctx, rounding);
  const name = `neonc_qlogsoftmax_${xt}_${yt}_${roundingSuffix(rounding)}`;
  const neon = ctx.target.neon;
  const widen = xt === "u8" ? "vreinterpretq_s16_u16(vmovl_u8(vld1_u8(xr + k)))" : "vmovl_s8(vld1_s8(xr + k))";
  const vrow = neon
    ? `if (inner == 1) {
        int32x4_t vmx = vdupq_n_s32(mx), vm = vdupq_n_s32(xm), vs = vdupq_n_s32(xs), vc = vdupq_n_s32(c);
        int32x4_t vlo = vdupq_n_s32(${lo}), vhi = vdupq_n_s32(${hi});
        for (; k + 8 <= len; k += 8) {
          int16x8_t q = ${widen};
          int32x4_t v0 = ${fp.vector}(vsubq_s32(vmovl_s16(vget_low_s16(q)), vmx), vm, vs);
          int32x4_t v1 = ${fp.vector}(vsubq_s32(vmovl_s16(vget_high_s16(q)), vmx), vm, vs);
          v0 = vminq_s32(vmaxq_s32(vaddq_s32(v0, vc), vlo), vhi);
          v1 = vminq_s32(vmaxq_s32(vaddq_s32(v1, vc), vlo), vhi);
          ${narrowStore8(yt, "v0", "v1", "yr + k")}
        }
      }`
    : "";
  ctx.helper(name, `
static void ${name}(const ${ctype(xt)} *x, ${ctype(yt)} *y, int outer, int len, int inner, const int32_t *E, const int32_t *LN,
    int32_t ln2, int32_t xm, int xs, int32_t lm, int ls, int32_t zp) {
  ${overRows(xt, yt, `uint32_t sum = 0, t;
      int e = -1, m;
      int32_t c;
      if (len <= 0) continue;
      ${rowMax(ctx, xt)}
      for (k = 0; k < len; k++) sum += (uint32_t)E[mx - xr[(size_t)k * inner]];
      /* e: position of the leading one of S (S >= 1); m: the next 8 bits. */
      for (t = sum; t; t >>= 1) e++;
      m = (int)(e >= 8 ? (sum >> (e - 8)) & 255u : (sum << (8 - e)) & 255u);
      /* zp - logPart: the compile-time bounds keep it, and every y below, inside int32. */
      c = zp - ${fp.scalar}((e - 15) * ln2 + LN[m], lm, ls);
      k = 0;
      ${vrow}
      for (; k < len; k++) {
        int32_t v = ${fp.scalar}((int32_t)xr[(size_t)k * inner] - mx, xm, xs) + c;
        yr[(size_t)k * inner] = (${ctype(yt)})(v < ${lo} ? ${lo} : (v > ${hi} ? ${hi} : v));
      }`)}
}`);
  return name;
}

const SOFTMAX_TYPES = { 0: ["i8", "u8"] as DType[] };
const OUT_TYPES: DType[] = ["i8", "u8", "i16"];

/** The `supports` of both kernels: int8 or uint8 rows in, int8, uint8 or int16 out. */
function supportsRows(node: Node, _attrs: Attrs, g: Graph): string | undefined {
  return dtypesIn(node, g, SOFTMAX_TYPES, OUT_TYPES);
}

/** What both kernels start from: the rows of the node's axis, the checked exp table, the output's clamp bounds. */
function softmaxRows(node: Node, attrs: Attrs, ctx: KernelContext) {
  const x = node.inputs[0]!, y = node.outputs[0]!;
  const geo = geometry(ctx, x, attrs.axis as number);
  const E = expTable(ctx, attrs, geo.lenMax);
  const [lo, hi] = intRange(ctx.type(y).dtype);
  return { x, y, xt: ctx.type(x).dtype, yt: ctx.type(y).dtype, geo, E, lo, hi };
}

/** A multiplier/shift pair of the op, checked like requantParams does for the others. */
function checkedMultiplier(ctx: KernelContext, m: number, s: number, what: string): void {
  if (m !== 0 && (!Number.isInteger(m) || m < 2 ** 30 || m >= 2 ** 31)) ctx.fail(`${what} multiplier ${m} is outside [2^30, 2^31)`);
  if (!Number.isInteger(s) || s < -31 || s > 30) ctx.fail(`${what} shift ${s} is outside [-31, 30]`);
}

export const qSoftmaxKernel = defineKernel({
  op: "QSoftmax",
  supports: supportsRows,
  emit(node, attrs, ctx) {
    const { x, y, xt, yt, geo, E, lo, hi } = softmaxRows(node, attrs, ctx);
    const fn = useQSoftmax(ctx, xt, yt, lo, hi);
    const e = ctx.scratch(ctx.type(x).shape[normAxis(attrs.axis as number, ctx.type(x).shape.length)]!, "int32_t");
    return `${fn}(${ctx.ptr(x)}, ${ctx.ptr(y)}, ${geo.outer}, ${geo.len}, ${geo.inner}, ${E}, ${attrs.y_zero_point as number}, ${e});`;
  },
});

export const qLogSoftmaxKernel = defineKernel({
  op: "QLogSoftmax",
  supports: supportsRows,
  emit(node, attrs, ctx) {
    const { x, y, xt, yt, geo, E, lo, hi } = softmaxRows(node, attrs, ctx);
    let rounding: Rounding;
    try {
      rounding = checkRounding(attrs.rounding as string);
    } catch (err) {
      return ctx.fail((err as Error).message);
    }
    const xm = attrs.x_multiplier as number, xs = attrs.x_shift as number, lm = attrs.log_multiplier as number, ls = attrs.log_shift as number;
    const ln2 = attrs.ln2_q16 as number, LN = attrs.log_table as readonly number[], zp = attrs.y_zero_point as number;
    checkedMultiplier(ctx, xm, xs, "x");
    checkedMultiplier(ctx, lm, ls, "log");
    if (LN.length !== 256 || LN.some((v) => !Number.isInteger(v) || v < 0 || v > 65536)) ctx.fail("log_table must have 256 entries in [0, 65536]");
    if (!Number.isInteger(ln2) || ln2 < 0 || ln2 > 2 ** 26) ctx.fail(`ln2_q16 ${ln2} is outside [0, 2^26]`);
    // Every value the C code forms in int32, bounded at compile time (the row sum is below 2^31,
    // so its leading-one position e is in [0, 30]; x - max is in [-255, 0]).
    let logLo = Infinity, logHi = -Infinity, xLo = Infinity, xHi = -Infinity;
    for (let e = 0; e <= 30; e++) {
      for (const v of LN) {
        const lp = multiplyByQuantizedMultiplier((e - 15) * ln2 + v, lm, ls, rounding);
        logLo = Math.min(logLo, lp);
        logHi = Math.max(logHi, lp);
      }
    }
    for (let d = -255; d <= 0; d++) {
      const a = multiplyByQuantizedMultiplier(d, xm, xs, rounding);
      xLo = Math.min(xLo, a);
      xHi = Math.max(xHi, a);
    }
    if (zp - logHi + xLo < INT32_MIN || zp - logLo + xHi > INT32_MAX) ctx.fail("the multipliers make zp - log part + M_x(x - max) leave int32");
    const fn = useQLogSoftmax(ctx, xt, yt, rounding, lo, hi);
    const LNw = ctx.addWeights("qlogsoftmax_log", Int32Array.from(LN));
    return `${fn}(${ctx.ptr(x)}, ${ctx.ptr(y)}, ${geo.outer}, ${geo.len}, ${geo.inner}, ${E}, ${LNw}, ${ln2}, ${xm}, ${xs}, ${lm}, ${ls}, ${zp});`;
  },
});
