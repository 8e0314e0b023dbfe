// QMatMulCentred in C: the QMatMul whose w is not packed at compile time (attention's Q.K^T and
// scores.V, or a w with a zero point or batch dims): x int8/uint8 and w int8/uint8, each with its
// zero point, w possibly batched ([..., K, N] against x[..., M, K], batch dims broadcast) and with
// symbolic dims. Nothing is known at compile time, so per batch both operands are centred into
// int16 scratch (x - x_zp as rows, w - w_zp transposed so both are k-contiguous; every centred
// value is within [-255, 255]) and multiplied by the "wrap" GEMM of qint-gemm16.ts: int32 sums
// modulo 2^32, which is exactly the interpreter's Int32Array accumulator. Requantization per
// tensor (or per column when N is static) with the int8 row helpers.
import type { Dim } from "../../ir/dim.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { channelRequant, dtypesIn, requantOf, rqTail, useRequantRow } from "./qint-common.js";
import { useQGemm16 } from "./qint-gemm16.js";

/** True when w is not a constant symmetric int8 matrix (the weights QMatMulGemm packs at compile time). */
export function isActivationProduct(node: Node, attrs: Attrs, g: Graph): boolean {
  const w = node.inputs[1]!;
  const wt = g.types[w]!;
  const packable = wt.dtype === "i8" || (wt.dtype === "i16" && g.types[node.inputs[0]!]!.dtype === "i16");
  return !g.constants[w] || !packable || (attrs.w_zero_point as number) !== 0 || wt.shape.length !== 2;
}

/** Why the centred product cannot be generated. */
function centredUnsupported(node: Node, attrs: Attrs, g: Graph): string | undefined {
  if (g.types[node.inputs[0]!]!.dtype === "i16") return "int16 x (the 16x8 mode) needs constant symmetric int8 weights w[K, N]";
  const bad = dtypesIn(node, g, { 0: ["i8", "u8"], 1: ["i8", "u8"], 2: ["i32"] }, ["i8", "u8", "i16"]);
  if (bad) return bad;
  const N = g.types[node.inputs[1]!]!.shape.at(-1)!;
  if ((attrs.multiplier as number[]).length > 1 && typeof N !== "number") return "a per-column requantization needs a static number of columns";
  return undefined;
}

/** C `size_t` product of dims. */
function cSize(ctx: KernelContext, dims: readonly Dim[]): string {
  return dims.length === 0 ? "(size_t)1" : dims.map((d) => `(size_t)(${ctx.dim(d)})`).join(" * ");
}

export const qMatMulCentredKernel = defineKernel({
  op: "QMatMulCentred",
  supports: centredUnsupported,
  emit: emitCentred,
});

function emitCentred(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
  const yN = node.outputs[0]!;
  const xt = ctx.type(xN), wt = ctx.type(wN), yt = ctx.type(yN);
  const K = wt.shape.at(-2)!, N = wt.shape.at(-1)!;
  const batched = wt.shape.length > 2;
  const p = requantOf(attrs, typeof N === "number" ? N : undefined, ctx);
  const xzp = attrs.x_zero_point as number, wzp = attrs.w_zero_point as number;
  // Rows per batch: every row of x against a plain w[K, N]; x[..., M, K] against a batched w.
  const rowDims = batched ? [xt.shape.at(-2)!] : xt.shape.slice(0, -1);
  // Scratch is sized for the largest dims (products of two symbolic dims, as T x T, are not Dims).
  const most = (...ds: Dim[]) => ds.reduce<number>((a, d) => a * ctx.maxDim(d), 1);
  const gemm = useQGemm16(ctx, "wrap");
  const row = useRequantRow(ctx, p, yt.dtype);
  const lines = [
    `const ${ctype(xt.dtype)} *xs = ${ctx.ptr(xN)};`,
    `const ${ctype(wt.dtype)} *ws = ${ctx.ptr(wN)};`,
    `${ctype(yt.dtype)} *y = ${ctx.ptr(yN)};`,
    `const int qK = ${ctx.dim(K)}, qN = ${ctx.dim(N)}, qM = (int)(${cSize(ctx, rowDims)});`,
    `int16_t *xc = ${ctx.scratch(most(...rowDims, K), "int16_t")};`,
    `int16_t *wc = ${ctx.scratch(most(K, N), "int16_t")};`,
    `int32_t *acc = ${ctx.scratch(most(...rowDims, N), "int32_t")};`,
    `int i, k, n;`,
    ...(batched ? [`size_t bi;`] : []),
  ];
  const bias = "bias";
  if (bN) lines.push(`const int32_t *bias = ${ctx.ptr(bN)};`);
  else lines.push(`int32_t *bias = ${ctx.scratch(most(N), "int32_t")};`, `for (n = 0; n < qN; n++) bias[n] = 0;`);
  // Batch offsets: the output's batch index decomposed over its dims, each operand's stride 0
  // where it is broadcast (a static 1 or a missing dim).
  const outBatch = batched ? yt.shape.slice(0, -2) : [];
  const operandStrides = (shape: readonly Dim[], mat: readonly Dim[]) => outBatch.map((_, i) => {
    const j = shape.length - 2 - outBatch.length + i;
    if (j < 0 || shape[j] === 1) return undefined;
    return cSize(ctx, [...shape.slice(j + 1, -2), ...mat]);
  });
  const xStr = operandStrides(xt.shape, xt.shape.slice(-2)), wStr = operandStrides(wt.shape, [K, N]);
  const body = [
    `for (i = 0; i < qM * qK; i++) xc[i] = (int16_t)((int32_t)x[i] - ${xzp});`,
    `for (k = 0; k < qK; k++) for (n = 0; n < qN; n++) wc[(size_t)n * qK + k] = (int16_t)((int32_t)w[(size_t)k * qN + n] - ${wzp});`,
    gemm.call("qN", "qM", "qK", "wc", "xc", "qK", bias, "acc", 1, "qN"),
  ];
  if (p.multiplier.length > 1) {
    const ch = channelRequant(ctx, "qmatmul_act", p);
    body.push(`for (i = 0; i < qM; i++) ${ch.packed ? row.perPacked : row.perSplit}(acc + (size_t)i * qN, yb + (size_t)i * qN, qN, ${ch.rowArgs}, ${rqTail(p)});`);
  } else {
    body.push(`${row.one}(acc, yb, qM * qN, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`);
  }
  if (outBatch.length === 0) {
    lines.push(`{`, `  const ${ctype(xt.dtype)} *x = xs;`, `  const ${ctype(wt.dtype)} *w = ws;`, `  ${ctype(yt.dtype)} *yb = y;`, ...body.map((l) => `  ${l}`), `}`);
    return lines.join("\n");
  }
  const decompose = outBatch.map((_, i) => i).reverse().flatMap((i) => [
    `id = (size_t)(rem % (size_t)(${ctx.dim(outBatch[i]!)})); rem /= (size_t)(${ctx.dim(outBatch[i]!)});`,
    ...(xStr[i] ? [`xo += id * ${xStr[i]};`] : []),
    ...(wStr[i] ? [`wo += id * ${wStr[i]};`] : []),
  ]);
  lines.push(
    `for (bi = 0; bi < ${cSize(ctx, outBatch)}; bi++) {`,
    `  size_t rem = bi, id, xo = 0, wo = 0;`,
    ...decompose.map((l) => `  ${l}`),
    `  {`,
    `    const ${ctype(xt.dtype)} *x = xs + xo;`,
    `    const ${ctype(wt.dtype)} *w = ws + wo;`,
    `    ${ctype(yt.dtype)} *yb = y + bi * (size_t)qM * qN;`,
    `    (void)id;`,
    ...body.map((l) => `    ${l}`),
    `  }`,
    `}`,
  );
  return lines.join("\n");
}
