// QConv (1-D) and QMatMul in the 16x8 mode: int16 activations (symmetric, zero point 0), int8
// weights, int32 bias, exact int64 accumulators, and the wide requantization (multiplyWide in C,
// codegen/fixed-point-wide-c.ts) per output channel / column or per tensor. The emitters of the
// algorithm ops route int16 inputs here (the data type, not another algorithm); their int8
// paths are their own.
//
// As in the interpreter, padding reads 0 (the int16 zero point). QConvDepthwise runs a direct
// loop over a zero-padded int16 row with int32 partial sums over at most 511 taps (each product
// is at most 2^22, so 511 of them fit int32) flushed into the int64 row; QConvIm2col is im2col
// patches (int16, k-contiguous) and the wide GEMM of qint-gemm16.ts; QMatMulGemm the wide GEMM
// on the int16 rows of x in place.
import { addDim, mulDim, type Dim } from "../../ir/dim.js";
import type { Attrs, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { useFixedPointWide } from "../fixed-point-wide-c.js";
import type { KernelContext } from "../kernel.js";
import { channelRequant, qconvGeometry, requantOf, rqTail, type QConvGeometry } from "./qint-common.js";
import { useQGemm16, useWideRequantRow } from "./qint-gemm16.js";

/** Taps per int32 partial sum of the depthwise loop: 511 * 2^22 < 2^31. */
const DEPTHWISE_BLOCK = 511;


/** `int64_t *` C expression for `count` int64 scratch elements (scratch is 16-byte aligned). */
function scratch64(ctx: KernelContext, count: Dim): string {
  return `((int64_t *)(void *)${ctx.scratch(mulDim(count, 2), "int32_t")})`;
}

/** The bias as an int32 weight array (zeros when the node has none). */
function biasArray(ctx: KernelContext, bN: string | undefined, n: number, hint: string): string {
  const b = bN ? (ctx.constant(bN)!.data as Int32Array) : new Int32Array(n);
  return ctx.addWeights(hint, b);
}

/** A 16x8 QConv's sizes, the declarations both algorithms start with, and the requantization of a row. */
interface QConv16x8 {
  readonly geo: QConvGeometry;
  readonly N: string;
  /** x, y, qT, qTo, bias, the int64 accumulator rows acc, and the counters b, m, t, j. */
  readonly lines: string[];
  rq(accRow: string, yRow: string, len: string, m: string): string;
}

function qconv16x8(node: Node, attrs: Attrs, ctx: KernelContext): QConv16x8 {
  const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
  const yN = node.outputs[0]!;
  const yt = ctx.type(yN);
  const geo = qconvGeometry(wN, attrs, ctx);
  const { M } = geo;
  const p = requantOf(attrs, M, ctx);
  const row = useWideRequantRow(ctx, p, yt.dtype);
  const ch = p.multiplier.length > 1 ? channelRequant(ctx, "qconv16", p) : undefined;
  const rq = (accRow: string, yRow: string, len: string, m: string) => ch
    ? `${row}(${accRow}, ${yRow}, ${len}, ${ch.m(m)}, ${ch.shift(m)}, ${rqTail(p)});`
    : `${row}(${accRow}, ${yRow}, ${len}, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`;
  const [N, , Tin] = ctx.shape(xN);
  const lines = [
    `const int16_t *x = ${ctx.ptr(xN)};`,
    `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
    `const int qT = ${Tin}, qTo = ${ctx.shape(yN)[2]!};`,
    `const int32_t *bias = ${biasArray(ctx, bN, M, "qconv16_bias")};`,
    `int64_t *acc = ${scratch64(ctx, mulDim(yt.shape[2]!, M))};`,
    `int b, m, t, j;`,
  ];
  return { geo, N: N!, lines, rq };
}

/** QConvDepthwise with int16 activations. */
export function emitQConv16x8Depthwise(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const { geo, N, lines, rq } = qconv16x8(node, attrs, ctx);
  const { M, Kw, C, Mg, stride, dil, padL, w } = geo;
  const yt = ctx.type(node.outputs[0]!);
  // Output channel m reads input channel m / Mg, copied into a zero-padded row.
  const span = (Kw - 1) * dil + 1;
  lines.push(
    `const int8_t *w = ${ctx.addWeights("qconv16_w", w)};`,
    `int16_t *xp = ${ctx.scratch(addDim(mulDim(yt.shape[2]!, stride), span), "int16_t")};`,
    `int32_t *part = ${ctx.scratch(yt.shape[2]!, "int32_t")};`,
    `const int qL = (qTo - 1) * ${stride} + ${span};`,
    `int j0;`,
    `for (b = 0; b < ${N}; b++) {`,
    `  for (m = 0; m < ${M}; m++) {`,
    `    const int16_t *xc = x + ((size_t)b * ${C} + m / ${Mg}) * qT;`,
    `    const int8_t *wm = w + m * ${Kw};`,
    `    int64_t *am = acc + (size_t)m * qTo;`,
    `    for (t = 0; t < qL; t++) {`,
    `      int q = t - ${padL};`,
    `      xp[t] = q >= 0 && q < qT ? xc[q] : 0;`,
    `    }`,
    `    for (t = 0; t < qTo; t++) am[t] = bias[m];`,
    `    for (j0 = 0; j0 < ${Kw}; j0 += ${DEPTHWISE_BLOCK}) {`,
    `      const int j1 = ${Kw} - j0 < ${DEPTHWISE_BLOCK} ? ${Kw} : j0 + ${DEPTHWISE_BLOCK};`,
    `      for (t = 0; t < qTo; t++) part[t] = 0;`,
    `      for (j = j0; j < j1; j++) {`,
    `        const int32_t wj = wm[j];`,
    `        const int16_t *xs = xp + j * ${dil};`,
    `        for (t = 0; t < qTo; t++) part[t] += wj * xs[t * ${stride}];`,
    `      }`,
    `      for (t = 0; t < qTo; t++) am[t] += part[t];`,
    `    }`,
    `    ${rq("am", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`,
    `  }`,
    `}`,
  );
  return lines.join("\n");
}

/** QConvIm2col with int16 activations, and int8 weights or int16 ones (the 16x16 mode). */
export function emitQConv16x8Im2col(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const { geo, N, lines, rq } = qconv16x8(node, attrs, ctx);
  const { M, Cg, Kw, group, C, Mg, K, stride, dil, padL } = geo;
  const yt = ctx.type(node.outputs[0]!);
  // int16 weights: the 16x16 mode (geo.w is typed for the int8 emitters).
  const w = ctx.constant(node.inputs[1]!)!.data as Int8Array | Int16Array;
  const w16 = w instanceof Int16Array;
  const gemm = useQGemm16(ctx, w16 ? "wide16" : "wide");
  lines.push(
    `const ${w16 ? "int16_t" : "int8_t"} *w = ${ctx.addWeights("qconv16_w", w)};`,
    `int16_t *col = ${ctx.scratch(mulDim(yt.shape[2]!, K), "int16_t")};`,
    `int g, c;`,
    `for (b = 0; b < ${N}; b++) {`,
    `  for (g = 0; g < ${group}; g++) {`,
    `    const int16_t *xg = x + ((size_t)b * ${C} + (size_t)g * ${Cg}) * qT;`,
    `    for (t = 0; t < qTo; t++) {`,
    `      int16_t *pt = col + (size_t)t * ${K};`,
    `      for (c = 0; c < ${Cg}; c++) {`,
    `        for (j = 0; j < ${Kw}; j++) {`,
    `          int q = t * ${stride} + j * ${dil} - ${padL};`,
    `          pt[c * ${Kw} + j] = q >= 0 && q < qT ? xg[(size_t)c * qT + q] : 0;`,
    `        }`,
    `      }`,
    `    }`,
    `    ${gemm.call(Mg, "qTo", K, `w + (size_t)g * ${Mg * K}`, "col", K, `bias + g * ${Mg}`, `acc + (size_t)g * ${Mg} * qTo`, "qTo", 1)}`,
    `  }`,
    `  for (m = 0; m < ${M}; m++) ${rq("acc + (size_t)m * qTo", `y + ((size_t)b * ${M} + m) * qTo`, "qTo", "m")}`,
    `}`,
  );
  return lines.join("\n");
}

export function emitQMatMul16x8(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
  const yN = node.outputs[0]!;
  const yt = ctx.type(yN);
  const wc = ctx.constant(wN)!;
  const [K, N] = wc.shape as [number, number];
  const w = wc.data as Int8Array | Int16Array;
  const p = requantOf(attrs, N, ctx);
  // The GEMM's weight rows are the output columns: w transposed, k-contiguous.
  const wt = w instanceof Int16Array ? new Int16Array(N * K) : new Int8Array(N * K);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wt[n * K + k] = w[k * N + n]!;
  const gemm = useQGemm16(ctx, w instanceof Int16Array ? "wide16" : "wide");
  // The largest shape: a product of two symbolic dims (batch x frames) has no Dim form.
  const numelY = yt.shape.reduce<number>((a, d) => a * ctx.maxDim(d), 1);
  const ct = ctype(yt.dtype);
  const lines = [
    `const int qR = ${ctx.numel(xN)} / ${K};`,
    `${ct} *y = ${ctx.ptr(yN)};`,
    `int64_t *acc = ${scratch64(ctx, numelY)};`,
    gemm.call(N, "qR", K, ctx.addWeights("qmatmul16_w", wt), ctx.ptr(xN), K, biasArray(ctx, bN, N, "qmatmul16_bias"), "acc", 1, N),
  ];
  if (p.multiplier.length > 1) {
    const ch = channelRequant(ctx, "qmatmul16", p);
    const fpw = useFixedPointWide(ctx, p.rounding);
    lines.push(
      `int r, j;`,
      `for (r = 0; r < qR; r++) {`,
      `  for (j = 0; j < ${N}; j++) {`,
      `    int64_t v = (int64_t)${fpw}(acc[(size_t)r * ${N} + j], ${ch.m("j")}, ${ch.shift("j")}) + ${p.zeroPoint};`,
      `    y[(size_t)r * ${N} + j] = (${ct})(v < ${p.qmin} ? ${p.qmin} : (v > ${p.qmax} ? ${p.qmax} : v));`,
      `  }`,
      `}`,
    );
  } else {
    lines.push(`${useWideRequantRow(ctx, p, yt.dtype)}(acc, y, qR * ${N}, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`);
  }
  return lines.join("\n");
}
