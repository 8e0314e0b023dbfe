// QLayerNorm in C (ir/ops/integer/qlayernorm.ts has the formula): per row the integer sums S1, S2
// (int64), D = 4^j (N S2 - S1^2) + epsilon_q, the bit-by-bit isqrt of D scaled into [2^50, 2^52),
// the exact quotient 2^56 / r as a fixed-point multiplier, then per element in one pass
// z = M(d) (d = N q - S1), acc = sat32(gamma z + beta), y = clamp(zp + M_out(acc)). Integer
// only; every scaling goes through the fixed-point helpers of codegen/fixed-point-c.ts with the
// node's rounding, so the results are the interpreter's bit for bit.
//
// NEON: the sums take 16 values per step (vmull_s8/u8 squares pair-added into int32 lanes, which
// cannot overflow for N <= 65536), and d -> z -> acc -> y runs 8 values per step in registers
// (vmull_s32 to int64, vaddw_s32 of beta, vqmovn_s64 saturates, then the output requantization).
// Rows are contiguous (the normalized axes are the trailing ones); the row count may be symbolic.
import type { DType } from "../../ir/dtype.js";
import type { Rounding } from "../../ir/fixed-point.js";
import { normAxis } from "../../ir/shape-util.js";
import { numel } from "../../ir/types.js";
import { varianceShift } from "../../ir/ops/integer/qlayernorm.js";
import { cProduct, ctype } from "../c-util.js";
import { roundingSuffix, useFixedPoint } from "../fixed-point-c.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { dtypesIn, requantOf } from "./qint-common.js";
import { narrowStore8 } from "./qint-narrow-store.js";

/** D -> (multiplier, shift) of 2^e / sqrt(D): rowNormalizer of the op, on uint64_t. */
const NORMALIZER_C = `
static void neonc_qln_normalizer(uint64_t D, int e, int32_t *mult, int *shift) {
  const uint64_t one = 1;
  uint64_t t = D, dn, rem, res = 0, bit = one << 50, q;
  int b = 0, k, s;
  while (t) { b++; t >>= 1; }
  k = (52 - b) / 2;
  dn = D << (2 * k);
  rem = dn;
  while (bit > dn && bit > 1) bit >>= 2;
  while (bit) {
    if (rem >= res + bit) { rem -= res + bit; res = (res >> 1) + bit; }
    else res >>= 1;
    bit >>= 2;
  }
  q = (one << 56) / res;
  rem = (one << 56) - q * res;
  q += 2 * rem >= res ? 1 : 0;
  if (q == (one << 31)) { *mult = (int32_t)1 << 30; s = k + e - 24; }
  else { *mult = (int32_t)q; s = k + e - 25; }
  *shift = s > 30 ? 30 : s;
}`;

/** NEON pieces for an input type: load 16 and widen, square and pair-add (unsigned lanes for uint8). */
function neonSums(xt: DType): string {
  // C type prefix and the intrinsics' suffixes of the 8-, 16- and 32-bit lanes.
  const [c, e, w, acc] = xt === "u8" ? ["uint", "u8", "u16", "u32"] : ["int", "s8", "s16", "s32"];
  return `{
      ${c}32x4_t v1 = vdupq_n_${acc}(0), v2 = vdupq_n_${acc}(0);
      ${c}32_t t1[4], t2[4];
      for (i = 0; i < n16; i += 16) {
        ${c}8x16_t v = vld1q_${e}(xr + i);
        v1 = vpadalq_${w}(v1, vaddl_${e}(vget_low_${e}(v), vget_high_${e}(v)));
        v2 = vpadalq_${w}(v2, vmull_${e}(vget_low_${e}(v), vget_low_${e}(v)));
        v2 = vpadalq_${w}(v2, vmull_${e}(vget_high_${e}(v), vget_high_${e}(v)));
      }
      vst1q_${acc}(t1, v1); vst1q_${acc}(t2, v2);
      s1 = (int64_t)t1[0] + t1[1] + t1[2] + t1[3];
      s2 = (int64_t)t2[0] + t2[1] + t2[2] + t2[3];
    }`;
}

/** NEON: 8 values of d -> z -> sat32(gamma z + beta) -> y, all in registers. */
function neonElements(xt: DType, yt: DType, fpv: string): string {
  const widen = xt === "u8" ? "vreinterpretq_s16_u16(vmovl_u8(vld1_u8(xr + i)))" : "vmovl_s8(vld1_s8(xr + i))";
  const half = (h: "low" | "high", o: string, out: string) => `{
          int32x4_t z = ${fpv}(vsubq_s32(vmulq_s32(vmovl_s16(vget_${h}_s16(q)), vn), vs1), vm, vsh);
          int32x4_t gg = vmovl_s16(vget_${h}_s16(g16)), bb = vld1q_s32(beta + i + ${o});
          int64x2_t lo = vaddw_s32(vmull_s32(vget_low_s32(z), vget_low_s32(gg)), vget_low_s32(bb));
          int64x2_t hi = vaddw_s32(vmull_s32(vget_high_s32(z), vget_high_s32(gg)), vget_high_s32(bb));
          ${out} = ${fpv}(vcombine_s32(vqmovn_s64(lo), vqmovn_s64(hi)), vom, vos);
          ${out} = vminq_s32(vmaxq_s32(vqaddq_s32(${out}, vzp), vlo), vhi);
        }`;
  return `{
      int32x4_t vn = vdupq_n_s32(n), vs1 = vdupq_n_s32((int32_t)s1), vm = vdupq_n_s32(rm), vsh = vdupq_n_s32(rs);
      int32x4_t vom = vdupq_n_s32(m), vos = vdupq_n_s32(shift), vzp = vdupq_n_s32(zp), vlo = vdupq_n_s32(qmin), vhi = vdupq_n_s32(qmax);
      for (i = 0; i < n8; i += 8) {
        int16x8_t q = ${widen}, g16 = vld1q_s16(gamma + i);
        int32x4_t ya, yb;
        ${half("low", "0", "ya")}
        ${half("high", "4", "yb")}
        ${narrowStore8(yt, "ya", "yb", "yr + i")}
      }
    }`;
}

/** The row function for one input type, output type and rounding; returns its name. */
function useQLayerNorm(ctx: KernelContext, xt: DType, yt: DType, rounding: Rounding): string {
  const fp = useFixedPoint(ctx, rounding);
  const neon = ctx.target.neon;
  const name = `neonc_qlayernorm_${xt}_${yt}_${roundingSuffix(rounding)}`;
  ctx.helper("qln_normalizer", NORMALIZER_C);
  // Loops run to explicit multiples (n16, n8) with the tails starting there, and the output is
  // requantized in the same pass: no scratch, and GCC 12's loop analysis (which misreads a tail
  // loop after a vector loop when n is a known constant) has nothing to trip on.
  ctx.helper(name, `
static void ${name}(const ${ctype(xt)} *x, ${ctype(yt)} *y, int rows, int n, const int16_t *gamma, const int32_t *beta,
    int64_t eps, int j, int e, int32_t m, int shift, int32_t zp, int32_t qmin, int32_t qmax) {
  const int n16 = ${neon ? "n & ~15" : "0"}, n8 = ${neon ? "n & ~7" : "0"};
  int r, i;
  for (r = 0; r < rows; r++) {
    const ${ctype(xt)} *xr = x + (size_t)r * n;
    ${ctype(yt)} *yr = y + (size_t)r * n;
    int64_t s1 = 0, s2 = 0;
    int32_t rm;
    int rs;
    ${neon ? neonSums(xt) : ""}
    for (i = n16; i < n; i++) { int32_t q = xr[i]; s1 += q; s2 += q * q; }
    /* 4^j (N S2 - S1^2) < 2^51, epsilon_q <= 2^51: D < 2^52. */
    neonc_qln_normalizer((uint64_t)(((int64_t)n * s2 - s1 * s1) * ((int64_t)1 << (2 * j)) + eps), e, &rm, &rs);
    ${neon ? neonElements(xt, yt, fp.vector!) : ""}
    for (i = n8; i < n; i++) {
      int64_t v = (int64_t)gamma[i] * ${fp.scalar}(n * (int32_t)xr[i] - (int32_t)s1, rm, rs) + beta[i];
      int32_t a = v < INT32_MIN ? INT32_MIN : (v > INT32_MAX ? INT32_MAX : (int32_t)v);
      int64_t o = (int64_t)${fp.scalar}(a, m, shift) + zp;
      yr[i] = (${ctype(yt)})(o < qmin ? qmin : (o > qmax ? qmax : o));
    }
  }
}`);
  return name;
}

export const qLayerNormKernel = defineKernel({
  op: "QLayerNorm",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["i8", "u8"], 1: ["i16"], 2: ["i32"] }, ["i8", "u8", "i16"]),
  emit(node, attrs, ctx) {
    const [xN, gN, bN] = node.inputs as [string, string, string | undefined];
    const yN = node.outputs[0]!;
    const x = ctx.type(xN), xt = x.dtype, yt = ctx.type(yN).dtype;
    const p = requantOf(attrs, 1, ctx);
    const axis = normAxis(attrs.axis as number, x.shape.length);
    const norm = x.shape.slice(axis);
    if (norm.some((d) => typeof d !== "number")) ctx.fail("the normalized dims must be static");
    const N = numel(norm as number[]);
    const j = attrs.var_shift as number, F = attrs.frac_bits as number, E = attrs.epsilon_q as number;
    if (!(j >= 0 && j <= varianceShift(N))) ctx.fail(`var_shift ${j} is outside [0, ${varianceShift(N)}]`);
    const beta = bN ? ctx.ptr(bN) : ctx.addWeights("qln_zero_beta", new Int32Array(N));
    const fn = useQLayerNorm(ctx, xt, yt, p.rounding);
    return `${fn}(${ctx.ptr(xN)}, ${ctx.ptr(yN)}, ${cProduct(x.shape.slice(0, axis))}, ${N}, ${ctx.ptr(gN)}, ${beta}, (int64_t)${E}LL, ${j}, ${F + j}, ${p.multiplier[0]}, ${p.shift[0]}, ${p.zeroPoint}, ${p.qmin}, ${p.qmax});`;
  },
});
