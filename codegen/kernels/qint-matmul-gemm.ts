// QMatMulGemm in C: rows of x[..., K] (uint8 moved to int8 by x - 128 in scratch, with the zero
// point; int16 for the scalar GEMM) times the constant int8 w[K, N], packed transposed at compile
// time so both operands are k-contiguous for the int8 GEMM; the bias carries the zero-point
// correction; requantized per column (one multiplier array across each row) or per tensor. int16
// x (the 16x8 mode) takes the wide GEMM of qint-16x8.ts. A w that is not a constant symmetric
// int8 [K, N] is QMatMulCentred's (qint-matmul-centred.ts).
import { DimError, mulDim, type Dim } from "../../ir/dim.js";
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { channelRequant, productUnsupported, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";
import { emitQMatMul16x8 } from "./qint-16x8.js";
import { isActivationProduct } from "./qint-matmul-centred.js";

export const qMatMulGemmKernel = defineKernel({
  op: "QMatMulGemm",
  supports: (node, a, g) => (isActivationProduct(node, a, g) ? "w is not a constant symmetric int8 [K, N] to pack at compile time" : productUnsupported(node, g)),
  emit(node, attrs, ctx) {
    const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
    const yN = node.outputs[0]!;
    const xt = ctx.type(xN), yt = ctx.type(yN);
    if (xt.dtype === "i16") return emitQMatMul16x8(node, attrs, ctx);
    const wc = ctx.constant(wN)!;
    const [K, N] = wc.shape as [number, number];
    const w = wc.data as Int8Array;
    const p = requantOf(attrs, N, ctx);
    const u8 = xt.dtype === "u8";
    const zp = (attrs.x_zero_point as number) - (u8 ? 128 : 0);
    const b = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
    const wt = new Int8Array(N * K);
    const bias = new Int32Array(N);
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        wt[n * K + k] = w[k * N + n]!;
        s += w[k * N + n]!;
      }
      bias[n] = (b ? b[n]! : 0) - zp * s;
    }
    const gemm = useQGemm(ctx, !w.some((v) => v === -128));
    const row = useRequantRow(ctx, p, yt.dtype);
    const numelY = scratchCount(yt.shape, ctx.maxDim.bind(ctx)), numelX = scratchCount(xt.shape, ctx.maxDim.bind(ctx));
    const lines = [
      `const int qR = ${ctx.numel(xN)} / ${K};`,
      `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
      `int32_t *acc = ${ctx.scratch(numelY, "int32_t")};`,
    ];
    // r walks the converted input or the per-column rows; unused otherwise (-Werror).
    if (u8 || gemm.xType !== "int8_t" || p.multiplier.length > 1) lines.push(`int r;`);
    if (u8 || gemm.xType !== "int8_t") {
      // uint8 moves to int8; the scalar GEMM reads int16 activations.
      lines.push(
        `const ${ctype(xt.dtype)} *xs = ${ctx.ptr(xN)};`,
        `${gemm.xType} *x = ${ctx.scratch(numelX, gemm.xType)};`,
        `for (r = 0; r < qR * ${K}; r++) x[r] = (${gemm.xType})(${u8 ? "(int32_t)xs[r] - 128" : "xs[r]"});`,
      );
    } else {
      lines.push(`const int8_t *x = ${ctx.ptr(xN)};`);
    }
    lines.push(gemm.call(N, "qR", K, ctx.addWeights("qmatmul_w", packRowsInt8(wt, N, K)), "x", K, ctx.addWeights("qmatmul_bias", bias), "acc", 1, N));
    if (p.multiplier.length > 1) {
      const ch = channelRequant(ctx, "qmatmul", p);
      lines.push(`for (r = 0; r < qR; r++) ${ch.packed ? row.perPacked : row.perSplit}(acc + (size_t)r * ${N}, y + (size_t)r * ${N}, ${N}, ${ch.rowArgs}, ${rqTail(p)});`);
    } else {
      lines.push(`${row.one}(acc, y, qR * ${N}, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`);
    }
    return lines.join("\n");
  },
});

/**
 * Elements of a scratch buffer for a value of this shape: its element count as a dim when that is
 * one (a constant, or one symbol scaled), else its count at the largest dims (a batch times a time
 * axis: [batch_size, frames, K] of a mel front end), which is what the plan reserves anyway.
 */
function scratchCount(shape: readonly Dim[], maxDim: (d: Dim) => number): Dim {
  try {
    return shape.reduce<Dim>((a, d) => mulDim(a, d), 1);
  } catch (e) {
    if (!(e instanceof DimError)) throw e;
    return shape.reduce<number>((a, d) => a * maxDim(d), 1);
  }
}
