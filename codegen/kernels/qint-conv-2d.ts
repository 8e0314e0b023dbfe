// QConvIm2col2d in C: a 2-D integer convolution (a 1-D one with auto_pad, as 2-D of height 1; 3-D
// and higher ones with explicit pads through loops generated for the rank)
// with int8/uint8 activations, as im2col patches followed by the int8 GEMM of qint-gemm.ts (NEON
// register blocks, SDOT on aarch64+dotprod, the uint8 x int8 loop GCC turns into vpdpbusd on c99).
// Per image and group, each output (oh, ow) gets its Cg x kh x kw values, in the weights' own
// order, in a k-contiguous patch; a window position outside the input reads the zero point, which
// the bias correction b - zp * sum(w) (folded at compile time) cancels exactly, as the
// interpreter's centred zeros do. uint8 inputs move to int8 by x - 128 (the zero point with them).
// Pads: explicit, VALID, or SAME_UPPER / SAME_LOWER computed in C from the input and output sizes
// (so a symbolic T works). Then the per-channel requantization of qint-common.ts, as the 1-D ones.
import { mulDim } from "../../ir/dim.js";
import type { DType } from "../../ir/dtype.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { channelRequant, productUnsupported, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";
import { zeroPointBias } from "./qint-conv-common.js";

/**
 * The C statement requantizing output channel `m` of image `b`: its `len` accumulators
 * acc[m * len ...] into y, per channel or per tensor.
 */
function channelRows(attrs: Attrs, M: number, out: DType, len: string, ctx: KernelContext): string {
  const p = requantOf(attrs, M, ctx);
  const row = useRequantRow(ctx, p, out);
  const ch = p.multiplier.length > 1 ? channelRequant(ctx, "qconv", p) : undefined;
  const [m, shift] = ch ? [ch.m("m"), ch.shift("m")] : [String(p.multiplier[0]), String(p.shift[0])];
  return `${row.one}(acc + (size_t)m * ${len}, y + ((size_t)b * ${M} + m) * ${len}, ${len}, ${m}, ${shift}, ${rqTail(p)});`;
}

/** Why the 2-D integer convolution emitters (this one, qint-conv-depthwise-2d.ts) cannot take the node. */
export function qconv2dUnsupported(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const bad = productUnsupported(node, g);
  if (bad) return bad;
  const rank = g.types[node.inputs[0]!]!.shape.length - 2;
  const explicit = attrs.auto_pad === "NOTSET" || attrs.auto_pad === "VALID";
  if (rank !== 2 && !(rank === 1 && attrs.auto_pad !== "NOTSET") && !(rank > 2 && explicit)) {
    return "it takes 2-D integer convolutions, 1-D ones with auto_pad, and 3-D and higher ones with explicit pads";
  }
  if (g.types[node.inputs[0]!]!.dtype === "i16") return "its input is int16; the 2-D integer convolution takes int8 or uint8";
  return undefined;
}

/** A 2-D int8/uint8 QConv's sizes, the zero-point-corrected bias and the declarations both emitters start with. */
export interface QConv2d {
  readonly w: Int8Array;
  readonly M: number; readonly Cg: number; readonly C: number; readonly group: number; readonly Mg: number; readonly K: number;
  readonly kh: number; readonly kw: number; readonly sh: number; readonly sw: number; readonly dh: number; readonly dw: number;
  readonly u8: boolean;
  /** The zero point after uint8 inputs moved to int8 (x - 128). */
  readonly zp: number;
  /** b - zp * sum(w) per output channel (int32 wrap-around, like the interpreter's). */
  readonly bias: Int32Array;
  /** C types of x and y. */
  readonly ct: string;
  /** x, y, H, W, oH, oW, oHW, pH, pW. */
  readonly lines: string[];
  /** The batch (C expression). */
  readonly N: string;
  /** Output positions per image (symbolic dims allowed). */
  readonly outHW: ReturnType<typeof mulDim>;
  /** Requantizes image b's accumulator rows acc[m * oHW ...] into y (C statement over m). */
  requant(): string;
}

export function qconv2d(node: Node, attrs: Attrs, ctx: KernelContext): QConv2d {
  const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
  const yN = node.outputs[0]!;
  const xt = ctx.type(xN), yt = ctx.type(yN);
  const wc = ctx.constant(wN)!;
  const w = wc.data as Int8Array;
  const two = xt.shape.length === 4;
  const [M, Cg] = wc.shape as [number, number];
  const kh = two ? wc.shape[2]! : 1, kw = wc.shape[two ? 3 : 2]!;
  const group = attrs.group as number, Mg = M / group, C = Cg * group, K = Cg * kh * kw;
  const pick = (v: unknown, d: number): [number, number] => {
    const a = Array.isArray(v) && v.length > 0 ? (v as number[]) : undefined;
    return a ? (two ? [a[0]!, a[1]!] : [1, a[0]!]) : [d, d];
  };
  const [sh, sw] = pick(attrs.strides, 1), [dh, dw] = pick(attrs.dilations, 1);
  const pads = Array.isArray(attrs.pads) && attrs.pads.length > 0 ? (attrs.pads as number[]) : undefined;
  const autoPad = attrs.auto_pad as string;
  const u8 = xt.dtype === "u8";
  const zp = (attrs.x_zero_point as number) - (u8 ? 128 : 0);
  const b = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
  const bias = zeroPointBias(w, M, K, zp, b);
  const rq = channelRows(attrs, M, yt.dtype, "oHW", ctx);
  const xs = ctx.shape(xN), ys = ctx.shape(yN);
  // Pads: explicit ([h0, w0, h1, w1], or [w0, w1] in 1-D), VALID, or SAME from the sizes at run time.
  const padOf = (axis: "H" | "W", i: number) => {
    if (autoPad === "VALID" || (axis === "H" && !two)) return "0";
    if (autoPad === "NOTSET") return String(pads ? pads[two ? i : 0]! : 0);
    const [s, d, k] = axis === "H" ? [sh, dh, kh] : [sw, dw, kw];
    const total = `((o${axis} - 1) * ${s} + ${d * (k - 1) + 1} - ${axis})`;
    return autoPad === "SAME_UPPER" ? `(${total} > 0 ? ${total} : 0) / 2` : `(${total} > 0 ? ${total} : 0) - (${total} > 0 ? ${total} : 0) / 2`;
  };
  const ct = ctype(xt.dtype);
  return {
    w, M, Cg, C, group, Mg, K, kh, kw, sh, sw, dh, dw, u8, zp, bias, ct, N: xs[0]!,
    outHW: two ? mulDim(yt.shape[2]!, yt.shape[3]!) : yt.shape[2]!,
    lines: [
      `const ${ct} *x = ${ctx.ptr(xN)};`,
      `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
      `const int H = ${two ? xs[2]! : "1"}, W = ${xs[two ? 3 : 2]!}, oH = ${two ? ys[2]! : "1"}, oW = ${ys[two ? 3 : 2]!}, oHW = oH * oW;`,
      `const int pH = ${padOf("H", 0)}, pW = ${padOf("W", 1)};`,
    ],
    requant: () => `for (m = 0; m < ${M}; m++) ${rq}`,
  };
}

export const qConvIm2col2dKernel = defineKernel({
  op: "QConvIm2col2d",
  supports: (node, attrs, g) => qconv2dUnsupported(node, attrs, g),
  emit(node, attrs, ctx) {
    if (ctx.type(node.inputs[0]!).shape.length > 4) return emitQConvIm2colNd(node, attrs, ctx);
    const s = qconv2d(node, attrs, ctx);
    const { M, Cg, C, group, Mg, K, kh, kw, sh, sw, dh, dw, u8, zp, ct } = s;
    const gemm = useQGemm(ctx, !s.w.some((v) => v === -128));
    const Mgp = Math.ceil(Mg / 4) * 4;
    const packed = new Int8Array(group * Mgp * K);
    for (let g = 0; g < group; g++) packed.set(packRowsInt8(s.w.subarray(g * Mg * K, (g + 1) * Mg * K), Mg, K), g * Mgp * K);
    const xT = gemm.xType;
    const declarations = [
      ...s.lines,
      `const int32_t *bias = ${ctx.addWeights("qconv_bias", s.bias)};`,
      `const int8_t *wp = ${ctx.addWeights("qconv2d_wpacked", packed)};`,
      `int32_t *acc = ${ctx.scratch(mulDim(s.outHW, M), "int32_t")};`,
      `${xT} *col = ${ctx.scratch(mulDim(s.outHW, K), xT)};`,
    ];
    return [
      ...declarations,
      `int b, g, m, c, oh, ow, i, j;`,
      `for (b = 0; b < ${s.N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    for (oh = 0; oh < oH; oh++) {`,
      `      for (ow = 0; ow < oW; ow++) {`,
      `        ${xT} *pc = col + ((size_t)oh * oW + ow) * ${K};`,
      `        for (c = 0; c < ${Cg}; c++) {`,
      `          const ${ct} *xc = x + ((size_t)b * ${C} + (size_t)g * ${Cg} + c) * H * W;`,
      `          for (i = 0; i < ${kh}; i++) {`,
      `            const int ih = oh * ${sh} + i * ${dh} - pH;`,
      `            const int inH = ih >= 0 && ih < H;`,
      `            for (j = 0; j < ${kw}; j++) {`,
      `              const int iw = ow * ${sw} + j * ${dw} - pW;`,
      `              *pc++ = (${xT})(inH && iw >= 0 && iw < W ? (int)xc[(size_t)ih * W + iw]${u8 ? " - 128" : ""} : ${zp});`,
      `            }`,
      `          }`,
      `        }`,
      `      }`,
      `    }`,
      `    ${gemm.call(Mg, "oHW", K, `wp + (size_t)g * ${Mgp * K}`, "col", K, `bias + g * ${Mg}`, `acc + (size_t)g * ${Mg} * oHW`, "oHW", 1)}`,
      `  }`,
      `  ${s.requant()}`,
      `}`,
    ].join("\n");
  },
});

/**
 * 3-D and higher: the same patches (channel, then kernel offsets: the weights' order) with loops
 * generated for the rank over explicit pads, the same GEMM and requantization.
 */
function emitQConvIm2colNd(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
  const yN = node.outputs[0]!;
  const xt = ctx.type(xN), yt = ctx.type(yN);
  const wc = ctx.constant(wN)!;
  const w = wc.data as Int8Array;
  const [M, Cg] = wc.shape as [number, number];
  const kernel = wc.shape.slice(2) as number[];
  const r = kernel.length;
  const dims = Array.from({ length: r }, (_, i) => i);
  const list = (v: unknown, d: number, n = r) => (Array.isArray(v) && v.length > 0 ? (v as number[]) : new Array<number>(n).fill(d));
  const strides = list(attrs.strides, 1), dil = list(attrs.dilations, 1), pads = attrs.auto_pad === "VALID" ? new Array<number>(2 * r).fill(0) : list(attrs.pads, 0, 2 * r);
  const group = attrs.group as number, Mg = M / group, C = Cg * group, K = Cg * kernel.reduce((a, b) => a * b, 1);
  const u8 = xt.dtype === "u8";
  const zp = (attrs.x_zero_point as number) - (u8 ? 128 : 0);
  const bias = zeroPointBias(w, M, K, zp, bN ? (ctx.constant(bN)!.data as Int32Array) : undefined);
  const rq = channelRows(attrs, M, yt.dtype, "oN", ctx);
  const gemm = useQGemm(ctx, !w.some((v) => v === -128));
  const Mgp = Math.ceil(Mg / 4) * 4;
  const packed = new Int8Array(group * Mgp * K);
  for (let g = 0; g < group; g++) packed.set(packRowsInt8(w.subarray(g * Mg * K, (g + 1) * Mg * K), Mg, K), g * Mgp * K);
  const xT = gemm.xType, ct = ctype(xt.dtype);
  const [N, , ...inSp] = ctx.shape(xN);
  const outSp = ctx.shape(yN).slice(2);
  const outN = yt.shape.slice(2).reduce((a, d) => mulDim(a, d), 1 as ReturnType<typeof mulDim>);
  const inside = dims.map((i) => `i${i} >= 0 && i${i} < ${inSp[i]}`).join(" && ");
  const index = dims.reduce((acc, i) => `(${acc}) * ${inSp[i]} + i${i}`, "(size_t)c");
  const outIndex = dims.reduce((acc, i) => `(${acc}) * ${outSp[i]} + o${i}`, "(size_t)0");
  const lines = [
    `const ${ct} *x = ${ctx.ptr(xN)};`,
    `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
    `const int oN = ${outSp.join(" * ")};`,
    `const int32_t *bias = ${ctx.addWeights("qconv_bias", bias)};`,
    `const int8_t *wp = ${ctx.addWeights("qconvnd_wpacked", packed)};`,
    `int32_t *acc = ${ctx.scratch(mulDim(outN, M), "int32_t")};`,
    `${xT} *col = ${ctx.scratch(mulDim(outN, K), xT)};`,
    `int b, g, m, c, ${dims.map((i) => `o${i}, k${i}, i${i}`).join(", ")};`,
    `for (b = 0; b < ${N}; b++) {`,
    `  for (g = 0; g < ${group}; g++) {`,
    `    const ${ct} *xs = x + ((size_t)b * ${C} + (size_t)g * ${Cg}) * ${inSp.join(" * ")};`,
    ...dims.map((i) => `    for (o${i} = 0; o${i} < ${outSp[i]}; o${i}++)`),
    `    {`,
    `      ${xT} *pc = col + (${outIndex}) * ${K};`,
    `      for (c = 0; c < ${Cg}; c++)`,
  ];
  dims.forEach((i) => {
    const pad = "  ".repeat(i + 4);
    lines.push(`${pad}for (k${i} = 0; k${i} < ${kernel[i]}; k${i}++) {`, `${pad}  i${i} = o${i} * ${strides[i]} + k${i} * ${dil[i]} - ${pads[i]};`);
  });
  lines.push(`${"  ".repeat(r + 4)}*pc++ = (${xT})(${inside} ? (int)xs[${index}]${u8 ? " - 128" : ""} : ${zp});`);
  for (let i = r - 1; i >= 0; i--) lines.push(`${"  ".repeat(i + 4)}}`);
  lines.push(
    `    }`,
    `    ${gemm.call(Mg, "oN", K, `wp + (size_t)g * ${Mgp * K}`, "col", K, `bias + g * ${Mg}`, `acc + (size_t)g * ${Mg} * oN`, "oN", 1)}`,
    `  }`,
    `  for (m = 0; m < ${M}; m++) ${rq}`,
    `}`,
  );
  return lines.join("\n");
}
