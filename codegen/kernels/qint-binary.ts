// QAdd and QMul in C with numpy broadcasting: each output element's int32 value (QAdd: both
// centred inputs shifted left and rescaled to the common scale with the node's rounding, then
// added with int32 wrap-around; QMul: the product of the centred inputs) goes to scratch, then
// one requantization row. Same-shape operands run one flat loop (on ARM NEON 8 lanes at a time,
// the compile-time multipliers and shifts in registers); broadcasting walks the output index like
// an odometer with stride 0 on broadcast axes.
import { isRounding } from "../../ir/fixed-point.js";
import type { Node } from "../../ir/graph.js";
import type { Dim } from "../../ir/dim.js";
import { ctype } from "../c-util.js";
import { useFixedPoint } from "../fixed-point-c.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { dtypesIn, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import type { RequantParams } from "../../ir/kernels/integer-requant.js";

/** C strides of input v broadcast to the output shape (0 on broadcast axes), as C expressions. */
function bcastStrides(ctx: KernelContext, v: string, outRank: number): string[] {
  const shape = ctx.type(v).shape;
  const cs = ctx.shape(v);
  const pad = outRank - shape.length;
  const out: string[] = [];
  let stride = "1";
  for (let i = outRank - 1; i >= 0; i--) {
    const j = i - pad;
    if (j < 0 || shape[j] === 1) out[i] = "0";
    else {
      out[i] = stride;
      stride = `${stride} * ${cs[j]}`;
    }
  }
  return out;
}

function sameShape(ctx: KernelContext, node: Node): boolean {
  const y = ctx.type(node.outputs[0]!).shape.map(String).join(",");
  return node.inputs.every((v) => ctx.type(v).shape.map(String).join(",") === y);
}

/**
 * NEON statements for 8 same-shape elements at i: `int32x4_t a0, a1, b0, b1` = the inputs minus
 * their zero points (int32), then `vec(a0, b0)` / `vec(a1, b1)` stored to acc + i.
 */
function neonBody(ctx: KernelContext, node: Node, zpA: number, zpB: number, vec: (a: string, b: string) => string): string[] {
  const widen = (v: string, p: string, zp: number) => {
    const load = ctx.type(v).dtype === "u8" ? `vreinterpretq_s16_u16(vmovl_u8(vld1_u8(${p} + i)))` : `vmovl_s8(vld1_s8(${p} + i))`;
    return `vsubq_s16(${load}, vdupq_n_s16(${zp}))`;
  };
  const [aN, bN] = node.inputs as [string, string];
  // ARM only: through SIMDe the 64-bit widenings and vqrdmulhq_s32 (scalar 64-bit multiplies
  // under GCC -O3) cost more per element than the scalar loop that GCC vectorizes for x86 itself
  // (docs/measurements.md).
  return [
    `#if defined(__ARM_NEON) || defined(__ARM_NEON__)`,
    `for (i = 0; i + 8 <= n; i += 8) {`,
    `  int16x8_t da = ${widen(aN, "pa", zpA)}, db = ${widen(bN, "pb", zpB)};`,
    `  int32x4_t a0 = vmovl_s16(vget_low_s16(da)), a1 = vmovl_s16(vget_high_s16(da)), b0 = vmovl_s16(vget_low_s16(db)), b1 = vmovl_s16(vget_high_s16(db));`,
    `  vst1q_s32(acc + i, ${vec("a0", "b0")});`,
    `  vst1q_s32(acc + i + 4, ${vec("a1", "b1")});`,
    `}`,
    `#endif`,
  ];
}

/** The loop that fills acc[i] from a[ia], b[ib] with `expr` (in terms of va, vb); `neon`: the vector body for same shapes. */
function binaryLoop(ctx: KernelContext, node: Node, expr: string, neon?: string[]): string[] {
  const [aN, bN] = node.inputs as [string, string];
  const yN = node.outputs[0]!;
  const head = [
    `const ${ctype(ctx.type(aN).dtype)} *pa = ${ctx.ptr(aN)};`,
    `const ${ctype(ctx.type(bN).dtype)} *pb = ${ctx.ptr(bN)};`,
    `int i = 0, n = ${ctx.numel(yN)};`,
  ];
  if (sameShape(ctx, node)) return [...head, ...(neon ?? []), `for (; i < n; i++) { int32_t va = pa[i], vb = pb[i]; acc[i] = ${expr}; }`];
  const R = ctx.type(yN).shape.length;
  const dims = ctx.shape(yN);
  const sa = bcastStrides(ctx, aN, R), sb = bcastStrides(ctx, bN, R);
  return [
    ...head,
    `const long dims[${R}] = {${dims.join(", ")}}, sa[${R}] = {${sa.join(", ")}}, sb[${R}] = {${sb.join(", ")}};`,
    `long idx[${R}] = {0}, ia = 0, ib = 0;`,
    `int d;`,
    `for (i = 0; i < n; i++) {`,
    `  int32_t va = pa[ia], vb = pb[ib];`,
    `  acc[i] = ${expr};`,
    `  for (d = ${R - 1}; d >= 0; d--) {`,
    `    ia += sa[d]; ib += sb[d];`,
    `    if (++idx[d] < dims[d]) break;`,
    `    ia -= sa[d] * dims[d]; ib -= sb[d] * dims[d]; idx[d] = 0;`,
    `  }`,
    `}`,
  ];
}

/** Scratch elements for a tensor of `shape`: its largest size (a product like T x T is not a Dim). */
function mostNumel(ctx: KernelContext, shape: readonly Dim[]): number {
  return shape.reduce<number>((a, d) => a * ctx.maxDim(d), 1);
}

/** The whole kernel: int32 results of `scalar` (and the NEON body) into scratch, then one requantized row. */
function binaryCode(ctx: KernelContext, node: Node, p: RequantParams, scalar: string, neon: string[] | undefined): string {
  const yN = node.outputs[0]!;
  const row = useRequantRow(ctx, p, ctx.type(yN).dtype);
  return [
    `int32_t *acc = ${ctx.scratch(mostNumel(ctx, ctx.type(yN).shape), "int32_t")};`,
    ...binaryLoop(ctx, node, scalar, neon),
    `${row.one}(acc, ${ctx.ptr(yN)}, n, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`,
  ].join("\n");
}

const supports = (node: Node, _a: unknown, g: Parameters<NonNullable<ReturnType<typeof defineKernel>["supports"]>>[2]) =>
  dtypesIn(node, g, { 0: ["i8", "u8"], 1: ["i8", "u8"] }, ["i8", "u8", "i16"]);

export const qAddKernel = defineKernel({
  op: "QAdd",
  supports,
  emit(node, attrs, ctx) {
    const p = requantOf(attrs, 1, ctx);
    const rounding = attrs.rounding as string;
    if (!isRounding(rounding)) return ctx.fail(`unknown rounding ${rounding}`);
    const fps = useFixedPoint(ctx, rounding);
    const fp = fps.scalar;
    const lsBits = attrs.left_shift as number, ls = 2 ** lsBits;
    const [zpA, zpB] = [attrs.a_zero_point as number, attrs.b_zero_point as number];
    const [mA, mB] = [attrs.a_multiplier as number, attrs.b_multiplier as number];
    const [sA, sB] = [attrs.a_shift as number, attrs.b_shift as number];
    const ra = `${fp}((va - ${zpA}) * ${ls}, ${mA}, ${sA})`;
    const rb = `${fp}((vb - ${zpB}) * ${ls}, ${mB}, ${sB})`;
    // NEON: each input's rescale with its constants; gemmlowp with no left shift (the usual
    // case) as vqrdmulhq_s32 and an exact rounding shift by the constant (vrshrq_n_s32 after the
    // sign fix-up, which cannot wrap: the doubled high product is at least -2^31 + 1), else
    // the rounding's 4-lane helper. (x - zp) * 2^left_shift fits int32 (left_shift <= 23).
    const scale = (v: string, m: number, sh: number) => {
      const x = lsBits > 0 ? `vshlq_n_s32(${v}, ${lsBits})` : v;
      if (rounding !== "gemmlowp" || sh > 0) return `${fps.vector}(${x}, vdupq_n_s32(${m}), vdupq_n_s32(${sh}))`;
      const h = `vqrdmulhq_s32(${x}, vdupq_n_s32(${m}))`;
      return sh === 0 ? h : `vrshrq_n_s32(neonc_away_s32x4(${h}), ${-sh})`;
    };
    if (ctx.target.neon && rounding === "gemmlowp" && (sA < 0 || sB < 0)) {
      ctx.helper("away_s32x4", `/* Negative lanes minus 1: a rounding shift of the result (ties up) then rounds ties away from zero. */
static inline int32x4_t neonc_away_s32x4(int32x4_t h) {
  return vaddq_s32(h, vshrq_n_s32(h, 31));
}`);
    }
    const neon = ctx.target.neon ? neonBody(ctx, node, zpA, zpB, (a, b) => `vaddq_s32(${scale(a, mA, sA)}, ${scale(b, mB, sB)})`) : undefined;
    return binaryCode(ctx, node, p, `(int32_t)((uint32_t)${ra} + (uint32_t)${rb})`, neon);
  },
});

export const qMulKernel = defineKernel({
  op: "QMul",
  supports,
  emit(node, attrs, ctx) {
    const p = requantOf(attrs, 1, ctx);
    const [zpA, zpB] = [attrs.a_zero_point as number, attrs.b_zero_point as number];
    return binaryCode(ctx, node, p, `(va - ${zpA}) * (vb - ${zpB})`,
      ctx.target.neon ? neonBody(ctx, node, zpA, zpB, (a, b) => `vmulq_s32(${a}, ${b})`) : undefined);
  },
});
