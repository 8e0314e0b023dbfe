// What the integer convolution emitters (qint-conv-depthwise.ts, qint-conv-gemm-rows.ts,
// qint-conv-im2col.ts: one per algorithm op of the lower stage) share for int8/uint8
// activations (int16 ones, the 16x8 mode, are qint-16x8.ts's): uint8 inputs move to int8 by
// x - 128, the zero point with them; int8 per-channel weights are packed at compile time; the
// int32 bias carries the zero-point correction folded in at compile time (b - zp * sum(w):
// padding then reads the zero point itself, which the correction cancels exactly, as the
// interpreter's centred zeros do); int32 accumulation; per-channel requantization with the fused
// clamp and output zero point. Also the GEMM over zero-point-padded rows that QConvGemmRows
// reads in place and QConvIm2col copies patches from (qint-conv-rows.ts).
import { addDim, mulDim } from "../../ir/dim.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import type { KernelContext } from "../kernel.js";
import { channelRequant, productUnsupported, qconvGeometry, requantOf, rqTail, useRequantRow, type QConvGeometry } from "./qint-common.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";
import { tapMajor, useQConvRows } from "./qint-conv-rows.js";

/** Why no integer convolution emitter can take the node (the lower rules check the same before choosing one). */
export function qconvUnsupported(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const bad = productUnsupported(node, g);
  if (bad) return bad;
  if (g.types[node.inputs[0]!]!.shape.length !== 3) return "it takes 1-D integer convolutions (QConvIm2col2d takes 2-D ones)";
  if ((attrs.auto_pad as string) !== "NOTSET") return "it takes explicit pads (QConvIm2col2d takes auto_pad, computing the pads at run time)";
  return undefined;
}

/** An int8/uint8 QConv's sizes and the declarations every emitter starts with. */
export interface QConvInt8 {
  readonly geo: QConvGeometry;
  readonly u8: boolean;
  /** The zero point after uint8 inputs moved to int8 (x - 128). */
  readonly zp: number;
  /** The batch (C expression). */
  readonly N: string;
  /** x, y, qT, qTo, the corrected bias (the node's own when centred), the int32 accumulator rows acc, and the counters b, m. */
  readonly lines: string[];
  /** The requantization of one accumulator row into y: (accRow, yRow, len, channel) -> C statement. */
  rq(accRow: string, yRow: string, len: string, m: string): string;
}

/** `centred`: the emitter subtracts the zero point itself, so `bias` is the node's own (no correction folded in). */
export function qconvInt8(node: Node, attrs: Attrs, ctx: KernelContext, opts: { centred?: boolean } = {}): QConvInt8 {
  const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
  const yN = node.outputs[0]!;
  const xt = ctx.type(xN), yt = ctx.type(yN);
  const geo = qconvGeometry(wN, attrs, ctx);
  const { M, K, w } = geo;
  const p = requantOf(attrs, M, ctx);
  const u8 = xt.dtype === "u8";
  const zp = (attrs.x_zero_point as number) - (u8 ? 128 : 0);
  const b = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
  const bias = opts.centred ? (b ?? new Int32Array(M)) : zeroPointBias(w, M, K, zp, b);
  const row = useRequantRow(ctx, p, yt.dtype);
  const perChannel = p.multiplier.length > 1;
  const ch = perChannel ? channelRequant(ctx, "qconv", p) : undefined;
  const rq = (accRow: string, yRow: string, len: string, m: string) => ch
    ? `${row.one}(${accRow}, ${yRow}, ${len}, ${ch.m(m)}, ${ch.shift(m)}, ${rqTail(p)});`
    : `${row.one}(${accRow}, ${yRow}, ${len}, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`;
  const [N, , Tin] = ctx.shape(xN);
  const qTo = ctx.shape(yN)[2]!;
  const lines = [
    `const ${ctype(xt.dtype)} *x = ${ctx.ptr(xN)};`,
    `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
    `const int qT = ${Tin}, qTo = ${qTo};`,
    `const int32_t *bias = ${ctx.addWeights("qconv_bias", bias)};`,
    `int32_t *acc = ${ctx.scratch(mulDim(yt.shape[2]!, M), "int32_t")};`,
    `int b, m;`,
  ];
  return { geo, u8, zp, N: N!, lines, rq };
}

/**
 * The int8 GEMM of a grouped or dense QConv over the rows of qint-conv-rows.ts: the weights
 * reordered tap-major and packed per group, so that output t's patch is the K = Kw * Cg values
 * from row t * stride (for dilation 1).
 */
export interface QConvRowsGemm {
  /** C type of the rows and patches the GEMM reads (int16 on c99, int8 on NEON). */
  readonly xType: "int16_t" | "int8_t";
  /** The packed weights `wp`, the `rows` scratch and the padded length `qL` (call after any scratch of the caller's that comes first). */
  decls(): string[];
  /** Fills `rows` from group `g` of image `b`. */
  readonly toRows: string;
  /** The GEMM of group g: activation columns from `xExpr`, `ldx` apart, into acc. */
  gemm(xExpr: string, ldx: number): string;
  /** Requantizes image b's accumulator rows into y (a call, so helpers are added in the order the code uses them). */
  requant(): string;
}

export function qconvRowsGemm(node: Node, s: QConvInt8, ctx: KernelContext): QConvRowsGemm {
  const { M, Cg, Kw, group, C, Mg, K, stride, dil, w } = s.geo;
  const yt = ctx.type(node.outputs[0]!);
  const safe = !w.some((v) => v === -128);
  const gemm = useQGemm(ctx, safe);
  const Mgp = Math.ceil(Mg / 4) * 4;
  // Tap-major rows (qint-conv-rows.ts): the GEMM reads output t's patch from row t * stride.
  const tm = tapMajor(w, M, Cg, Kw);
  const packed = new Int8Array(group * Mgp * K);
  for (let g = 0; g < group; g++) packed.set(packRowsInt8(tm.subarray(g * Mg * K, (g + 1) * Mg * K), Mg, K), g * Mgp * K);
  const span = (Kw - 1) * dil + 1;
  const toRows = useQConvRows(ctx, s.u8 ? "uint8_t" : "int8_t", gemm.xType);
  return {
    xType: gemm.xType,
    decls: () => [
      `const int8_t *wp = ${ctx.addWeights("qconv_wpacked", packed)};`,
      `${gemm.xType} *rows = ${ctx.scratch(mulDim(addDim(mulDim(yt.shape[2]!, stride), span), Cg), gemm.xType)};`,
    ],
    toRows: `${toRows}(x + ((size_t)b * ${C} + (size_t)g * ${Cg}) * qT, ${Cg}, qT, ${s.geo.padL}, qL, ${s.zp}, rows);`,
    gemm: (xExpr, ldx) => gemm.call(Mg, "qTo", K, `wp + (size_t)g * ${Mgp * K}`, xExpr, ldx, `bias + g * ${Mg}`, `acc + (size_t)g * ${Mg} * qTo`, "qTo", 1),
    requant: () => `for (m = 0; m < ${M}; m++) ${s.rq("acc + (size_t)m * qTo", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`,
  };
}

/** `const int qL = ...`: the rows each group needs (the last output's last tap). */
export function qconvRowsLength(s: QConvInt8): string {
  const { Kw, dil, stride } = s.geo;
  return `const int qL = (qTo - 1) * ${stride} + ${(Kw - 1) * dil + 1};`;
}

/**
 * The input zero point's correction folded into the bias: b[m] - zp * sum_k w[m, k], with the
 * int32 wrap-around of the interpreter (an Int32Array store).
 */
export function zeroPointBias(w: ArrayLike<number>, M: number, K: number, zp: number, b: Int32Array | undefined): Int32Array {
  const bias = new Int32Array(M);
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += w[m * K + k]!;
    bias[m] = (b ? b[m]! : 0) - zp * s;
  }
  return bias;
}
