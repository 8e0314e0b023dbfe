// QConvIm2col2d in C: a 2-D integer convolution (and a 1-D one with auto_pad, as 2-D of height 1)
// with int8/uint8 activations, as im2col patches followed by the int8 GEMM of qint-gemm.ts (NEON
// register blocks, SDOT on aarch64+dotprod, the uint8 x int8 loop GCC turns into vpdpbusd on c99).
// Per image and group, each output (oh, ow) gets its Cg x kh x kw values, in the weights' own
// order, in a k-contiguous patch; a window position outside the input reads the zero point, which
// the bias correction b - zp * sum(w) (folded at compile time) cancels exactly, as the
// interpreter's centred zeros do. uint8 inputs move to int8 by x - 128 (the zero point with them).
// Pads: explicit, VALID, or SAME_UPPER / SAME_LOWER computed in C from the input and output sizes
// (so a symbolic T works). Then the per-channel requantization of qint-common.ts, as the 1-D ones.
import { mulDim } from "../../ir/dim.js";
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { channelRequant, productUnsupported, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";

export const qConvIm2col2dKernel = defineKernel({
  op: "QConvIm2col2d",
  supports(node, attrs, g) {
    const bad = productUnsupported(node, g);
    if (bad) return bad;
    const rank = g.types[node.inputs[0]!]!.shape.length - 2;
    if (rank !== 2 && !(rank === 1 && attrs.auto_pad !== "NOTSET")) return "it takes 2-D integer convolutions, and 1-D ones with auto_pad";
    if (g.types[node.inputs[0]!]!.dtype === "i16") return "its input is int16; the 2-D integer convolution takes int8 or uint8";
    return undefined;
  },
  emit(node, attrs, ctx) {
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
    // The zero-point correction folded into the bias (int32 wrap-around, like the interpreter's).
    const b = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
    const bias = new Int32Array(M);
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += w[m * K + k]!;
      bias[m] = (b ? b[m]! : 0) - zp * s;
    }
    const gemm = useQGemm(ctx, !w.some((v) => v === -128));
    const Mgp = Math.ceil(Mg / 4) * 4;
    const packed = new Int8Array(group * Mgp * K);
    for (let g = 0; g < group; g++) packed.set(packRowsInt8(w.subarray(g * Mg * K, (g + 1) * Mg * K), Mg, K), g * Mgp * K);
    const p = requantOf(attrs, M, ctx);
    const row = useRequantRow(ctx, p, yt.dtype);
    const ch = p.multiplier.length > 1 ? channelRequant(ctx, "qconv", p) : undefined;
    const rq = ch
      ? `${row.one}(acc + (size_t)m * oHW, y + ((size_t)b * ${M} + m) * oHW, oHW, ${ch.m("m")}, ${ch.shift("m")}, ${rqTail(p)});`
      : `${row.one}(acc + (size_t)m * oHW, y + ((size_t)b * ${M} + m) * oHW, oHW, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`;
    const xs = ctx.shape(xN), ys = ctx.shape(yN);
    const outHW = two ? mulDim(yt.shape[2]!, yt.shape[3]!) : yt.shape[2]!;
    // Pads: explicit ([h0, w0, h1, w1], or [w0, w1] in 1-D), VALID, or SAME from the sizes at run time.
    const padOf = (axis: "H" | "W", i: number) => {
      if (autoPad === "VALID" || (axis === "H" && !two)) return "0";
      if (autoPad === "NOTSET") return String(pads ? pads[two ? i : 0]! : 0);
      const [s, d, k] = axis === "H" ? [sh, dh, kh] : [sw, dw, kw];
      const total = `((o${axis} - 1) * ${s} + ${d * (k - 1) + 1} - ${axis})`;
      return autoPad === "SAME_UPPER" ? `(${total} > 0 ? ${total} : 0) / 2` : `(${total} > 0 ? ${total} : 0) - (${total} > 0 ? ${total} : 0) / 2`;
    };
    const ct = ctype(xt.dtype), xT = gemm.xType;
    const declarations = [
      `const ${ct} *x = ${ctx.ptr(xN)};`,
      `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
      `const int H = ${two ? xs[2]! : "1"}, W = ${xs[two ? 3 : 2]!}, oH = ${two ? ys[2]! : "1"}, oW = ${ys[two ? 3 : 2]!}, oHW = oH * oW;`,
      `const int pH = ${padOf("H", 0)}, pW = ${padOf("W", 1)};`,
      `const int32_t *bias = ${ctx.addWeights("qconv_bias", bias)};`,
      `const int8_t *wp = ${ctx.addWeights("qconv2d_wpacked", packed)};`,
      `int32_t *acc = ${ctx.scratch(mulDim(outHW, M), "int32_t")};`,
      `${xT} *col = ${ctx.scratch(mulDim(outHW, K), xT)};`,
    ];
    return [
      ...declarations,
      `int b, g, m, c, oh, ow, i, j;`,
      `for (b = 0; b < ${xs[0]!}; b++) {`,
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
      `  for (m = 0; m < ${M}; m++) ${rq}`,
      `}`,
    ].join("\n");
  },
});
