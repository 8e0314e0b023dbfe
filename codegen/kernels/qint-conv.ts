// QConv in C, 1-D: int8 activations (uint8 ones are moved to int8 by x - 128, the zero point
// with them), int8 per-channel weights packed at compile time, int32 bias with the zero-point
// correction folded in at compile time (b - zp * sum(w): padding then reads the zero point
// itself, which the correction cancels exactly, as the interpreter's centred zeros do),
// int32 accumulation, per-channel requantization with the fused clamp and output zero point.
// Depthwise convs (one input channel per group) run a direct loop over a zero-point-padded row
// (qint-depthwise.ts); every other conv is the int8 GEMM reading zero-point-padded input rows in
// place, its weights ordered tap-major (qint-conv-rows.ts).
// int16 inputs (the 16x8 mode) go to qint-16x8.ts.
import { addDim, mulDim } from "../../ir/dim.js";
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { channelRequant, productUnsupported, qconvGeometry, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";
import { tapMajor, useQConvRows } from "./qint-conv-rows.js";
import { depthwiseLines } from "./qint-depthwise.js";
import { emitQConv16x8 } from "./qint-16x8.js";


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
    const { M, Cg, Kw, group, C, Mg, K, stride, dil, padL, w } = qconvGeometry(wN, attrs, ctx);
    const p = requantOf(attrs, M, ctx);
    const u8 = xt.dtype === "u8";
    const zp = (attrs.x_zero_point as number) - (u8 ? 128 : 0);
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
    const lines = [
      `const ${ctype(xt.dtype)} *x = ${ctx.ptr(xN)};`,
      `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
      `const int qT = ${Tin}, qTo = ${qTo};`,
      `const int32_t *bias = ${ctx.addWeights("qconv_bias", bias)};`,
      `int32_t *acc = ${ctx.scratch(mulDim(yt.shape[2]!, M), "int32_t")};`,
      `int b, m;`,
    ];
    if (Cg === 1) {
      // Depthwise (qint-depthwise.ts): output channel m reads input channel m / Mg.
      return [...lines, ...depthwiseLines(ctx, { xType: u8 ? "uint8_t" : "int8_t", zp, M, Mg, C, N: N!, Kw, stride, dil, padL, w, rq })].join("\n");
    }
    const safe = !w.some((v) => v === -128);
    const gemm = useQGemm(ctx, safe);
    const Mgp = Math.ceil(Mg / 4) * 4;
    // Tap-major rows (qint-conv-rows.ts): the GEMM reads output t's patch from row t * stride.
    const tm = tapMajor(w, M, Cg, Kw);
    const packed = new Int8Array(group * Mgp * K);
    for (let g = 0; g < group; g++) packed.set(packRowsInt8(tm.subarray(g * Mg * K, (g + 1) * Mg * K), Mg, K), g * Mgp * K);
    const span = (Kw - 1) * dil + 1;
    const toRows = useQConvRows(ctx, u8 ? "uint8_t" : "int8_t", gemm.xType);
    // Dilated taps are not adjacent rows: copy each output's Kw rows into a patch.
    const patches = dil > 1 ? ctx.scratch(mulDim(yt.shape[2]!, K), gemm.xType) : undefined;
    lines.push(
      `const int8_t *wp = ${ctx.addWeights("qconv_wpacked", packed)};`,
      `${gemm.xType} *rows = ${ctx.scratch(mulDim(addDim(mulDim(yt.shape[2]!, stride), span), Cg), gemm.xType)};`,
      ...(patches ? [`${gemm.xType} *col = ${patches};`] : []),
      `const int qL = (qTo - 1) * ${stride} + ${span};`,
      `int g${patches ? ", t, j" : ""};`,
      `for (b = 0; b < ${N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    ${toRows}(x + ((size_t)b * ${C} + (size_t)g * ${Cg}) * qT, ${Cg}, qT, ${padL}, qL, ${zp}, rows);`,
      ...(patches ? [
        `    for (t = 0; t < qTo; t++)`,
        `      for (j = 0; j < ${Kw}; j++) memcpy(col + (size_t)t * ${K} + j * ${Cg}, rows + ((size_t)t * ${stride} + j * ${dil}) * ${Cg}, ${Cg} * sizeof(${gemm.xType}));`,
      ] : []),
      `    ${gemm.call(Mg, "qTo", K, `wp + (size_t)g * ${Mgp * K}`, patches ? "col" : "rows", patches ? K : stride * Cg, `bias + g * ${Mg}`, `acc + (size_t)g * ${Mg} * qTo`, "qTo", 1)}`,
      `  }`,
      `  for (m = 0; m < ${M}; m++) ${rq("acc + (size_t)m * qTo", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`,
      `}`,
    );
    return lines.join("\n");
  },
});
