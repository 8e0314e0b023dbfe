// QConv in C, 1-D: int8 activations (uint8 ones are moved to int8 by x - 128, the zero point
// with them), int8 per-channel weights packed at compile time, int32 bias with the zero-point
// correction folded in at compile time (b - zp * sum(w): padding then reads the zero point
// itself, which the correction cancels exactly, as the interpreter's centred zeros do),
// int32 accumulation, per-channel requantization with the fused clamp and output zero point.
// Depthwise convs (one input channel per group) run a direct loop over a zero-point-padded row; every other conv is
// im2col patches (k-contiguous, so pointwise convs are a plain transpose) and the int8 GEMM.
// int16 inputs (the 16x8 mode) go to qint-16x8.ts.
import { addDim, mulDim } from "../../ir/dim.js";
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { channelRequant, productUnsupported, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";
import { emitQConv16x8 } from "./qint-16x8.js";

const one = (v: readonly number[] | undefined, d: number) => (v && v.length > 0 ? v : [d, d]);

export const qConvKernel = defineKernel({
  op: "QConv",
  supports(node, attrs, g) {
    const bad = productUnsupported(node, g);
    if (bad) return bad;
    if (g.types[node.inputs[0]!]!.shape.length !== 3) return "only 1-D integer convolutions are generated";
    if ((attrs.auto_pad as string) !== "NOTSET") return "auto_pad is not generated (export explicit pads)";
    return undefined;
  },
  emit(node, attrs, ctx) {
    const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
    const yN = node.outputs[0]!;
    const xt = ctx.type(xN), yt = ctx.type(yN);
    if (xt.dtype === "i16") return emitQConv16x8(node, attrs, ctx);
    const wc = ctx.constant(wN)!;
    const [M, Cg, Kw] = wc.shape as [number, number, number];
    const group = attrs.group as number;
    const C = Cg * group, Mg = M / group, K = Cg * Kw;
    const stride = one(attrs.strides as number[], 1)[0]!, dil = one(attrs.dilations as number[], 1)[0]!;
    const padL = one(attrs.pads as number[], 0)[0]!;
    const p = requantOf(attrs, M, ctx);
    const u8 = xt.dtype === "u8";
    const zp = (attrs.x_zero_point as number) - (u8 ? 128 : 0);
    const w = wc.data as Int8Array;
    const b = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
    // Zero-point correction folded into the bias (int32 wrap-around, like the interpreter's).
    const bias = new Int32Array(M);
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += w[m * K + k]!;
      bias[m] = (b ? b[m]! : 0) - zp * s;
    }
    const row = useRequantRow(ctx, p, yt.dtype);
    const perChannel = p.multiplier.length > 1;
    const ch = perChannel ? channelRequant(ctx, "qconv", p) : undefined;
    const rq = (accRow: string, yRow: string, len: string, m: string) => ch
      ? `${row.one}(${accRow}, ${yRow}, ${len}, ${ch.m(m)}, ${ch.shift(m)}, ${rqTail(p)});`
      : `${row.one}(${accRow}, ${yRow}, ${len}, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`;
    const [N, , Tin] = ctx.shape(xN);
    const qTo = ctx.shape(yN)[2]!;
    const xv = (e: string) => (u8 ? `(int32_t)${e} - 128` : `${e}`);
    const lines = [
      `const ${ctype(xt.dtype)} *x = ${ctx.ptr(xN)};`,
      `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
      `const int qT = ${Tin}, qTo = ${qTo};`,
      `const int32_t *bias = ${ctx.addWeights("qconv_bias", bias)};`,
      `int32_t *acc = ${ctx.scratch(mulDim(yt.shape[2]!, M), "int32_t")};`,
      `int b, m, t, j;`,
    ];
    if (Cg === 1) {
      // Depthwise: output channel m reads input channel m / Mg. The channel is first copied into
      // an int16 row padded with the zero point, so the taps run as contiguous loops over t
      // (vectorizable) with no bounds tests.
      const span = (Kw - 1) * dil + 1;
      const padLen = addDim(mulDim(yt.shape[2]!, stride), span);
      lines.push(
        `const int8_t *w = ${ctx.addWeights("qconv_w", w)};`,
        `int16_t *xp = ${ctx.scratch(padLen, "int16_t")};`,
        `const int qL = (qTo - 1) * ${stride} + ${span};`,
        `for (b = 0; b < ${N}; b++) {`,
        `  for (m = 0; m < ${M}; m++) {`,
        `    const ${ctype(xt.dtype)} *xc = x + ((size_t)b * ${C} + m / ${Mg}) * qT;`,
        `    const int8_t *wm = w + m * ${Kw};`,
        `    int32_t *am = acc + (size_t)m * qTo;`,
        `    for (t = 0; t < qL; t++) {`,
        `      int q = t - ${padL};`,
        `      xp[t] = (int16_t)(q >= 0 && q < qT ? ${xv("xc[q]")} : ${zp});`,
        `    }`,
        `    for (t = 0; t < qTo; t++) am[t] = bias[m];`,
        `    for (j = 0; j < ${Kw}; j++) {`,
        `      const int32_t wj = wm[j];`,
        `      const int16_t *xs = xp + j * ${dil};`,
        `      for (t = 0; t < qTo; t++) am[t] += wj * xs[t * ${stride}];`,
        `    }`,
        `    ${rq("am", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`,
        `  }`,
        `}`,
      );
      return lines.join("\n");
    }
    const safe = !w.some((v) => v === -128);
    const gemm = useQGemm(ctx, safe);
    const Mgp = Math.ceil(Mg / 4) * 4;
    const packed = new Int8Array(group * Mgp * K);
    for (let g = 0; g < group; g++) packed.set(packRowsInt8(w.subarray(g * Mg * K, (g + 1) * Mg * K), Mg, K), g * Mgp * K);
    lines.push(
      `const int8_t *wp = ${ctx.addWeights("qconv_wpacked", packed)};`,
      `${gemm.xType} *col = ${ctx.scratch(mulDim(yt.shape[2]!, K), gemm.xType)};`,
      `int g, c;`,
      `for (b = 0; b < ${N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    const ${ctype(xt.dtype)} *xg = x + ((size_t)b * ${C} + (size_t)g * ${Cg}) * qT;`,
      `    for (t = 0; t < qTo; t++) {`,
      `      ${gemm.xType} *pt = col + (size_t)t * ${K};`,
      `      for (c = 0; c < ${Cg}; c++) {`,
      `        for (j = 0; j < ${Kw}; j++) {`,
      `          int q = t * ${stride} + j * ${dil} - ${padL};`,
      `          pt[c * ${Kw} + j] = (${gemm.xType})(q >= 0 && q < qT ? ${xv("xg[(size_t)c * qT + q]")} : ${zp});`,
      `        }`,
      `      }`,
      `    }`,
      `    ${gemm.call(Mg, "qTo", K, `wp + (size_t)g * ${Mgp * K}`, "col", K, `bias + g * ${Mg}`, `acc + (size_t)g * ${Mg} * qTo`, "qTo", 1)}`,
      `  }`,
      `  for (m = 0; m < ${M}; m++) ${rq("acc + (size_t)m * qTo", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`,
      `}`,
    );
    return lines.join("\n");
  },
});
