// MatMulInteger and QLinearMatMul in C: (A - a_zp)(B - b_zp) with numpy batch broadcasting, zero
// points per tensor or per row of A / column of B, every operand read at run time. Sums wrap
// modulo 2^32 (uint32), which is what the interpreter's exact sum stored into an Int32Array gives;
// QLinearMatMul then requantizes each sum as the interpreter does: the f32 multiplier
// fround(fround(a_scale * b_scale) / y_scale) per (row, column), the product in double, half-even
// rounding, y's zero point, saturation. Scalar C. What neonc itself makes of a quantized matmul
// with constant weights (import-qdq's QMatMul, with the packed int8 GEMM and NEON) is the fast
// path; these kernels keep a graph that holds the ONNX ops compilable (weights computed at run
// time, per-row parameters).
import type { Dim } from "../../ir/dim.js";
import type { Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { cProd, f32Scales, paramRead, qlinearOutput } from "./onnx-quant-c.js";

interface Operands {
  /** Index of A, B and their zero points in the node's inputs. */
  readonly a: number;
  readonly b: number;
  readonly azp: number;
  readonly bzp: number;
}

/**
 * The loop nest over batches, rows and columns with `acc` (uint32) summed; `store` receives the
 * statements run per output element (`e` its index, `m`, `n` its row and column).
 */
function matmulLoops(node: Node, ops: Operands, ctx: KernelContext, pre: string[], store: string[]): string {
  const A = node.inputs[ops.a]!, B = node.inputs[ops.b]!;
  const as = ctx.shape(A), bs = ctx.shape(B);
  const at = ctx.type(A).shape, bt = ctx.type(B).shape;
  const a2 = as.length === 1 ? ["1", as[0]!] : as, b2 = bs.length === 1 ? [bs[0]!, "1"] : bs;
  const a2t: Dim[] = at.length === 1 ? [1, at[0]!] : [...at], b2t: Dim[] = bt.length === 1 ? [bt[0]!, 1] : [...bt];
  const M = a2[a2.length - 2]!, K = a2[a2.length - 1]!, N = b2[b2.length - 1]!;
  const aB = a2.length - 2, bB = b2.length - 2, rank = Math.max(aB, bB);
  // Per output batch dim: its size, and A's and B's stride in elements (0 where broadcast).
  const batch: { size: string; sa: string; sb: string }[] = [];
  for (let d = 0; d < rank; d++) {
    const ka = d - (rank - aB), kb = d - (rank - bB);
    const aDim = ka >= 0 && a2t[ka] !== 1 ? a2[ka]! : undefined;
    const bDim = kb >= 0 && b2t[kb] !== 1 ? b2[kb]! : undefined;
    const sa = aDim ? cProd([...a2.slice(ka + 1)]) : "0";
    const sb = bDim ? cProd([...b2.slice(kb + 1)]) : "0";
    batch.push({ size: aDim ?? bDim ?? "1", sa, sb });
  }
  const xa = ctype(ctx.type(A).dtype), xb = ctype(ctx.type(B).dtype);
  const za = paramRead(node, ops.azp, "azp", ctx), zb = paramRead(node, ops.bzp, "bzp", ctx);
  const odometer = batch.map((b, d) => [
    `c = rem % (${b.size}); rem /= (${b.size});`,
    `ao += c * ${b.sa}; bo += c * ${b.sb};`,
  ].map((l) => `  /* dim ${d} */ ${l}`)).reverse().flat();
  return [
    `const ${xa} *A = ${ctx.ptr(A)};`,
    `const ${xb} *B = ${ctx.ptr(B)};`,
    za.decl, zb.decl, ...pre,
    `const int M = ${M}, K = ${K}, N = ${N}, P = ${cProd(batch.map((b) => b.size))};`,
    `int p, m, n, k;`,
    `for (p = 0; p < P; p++) {`,
    `  long ao = 0, bo = 0, rem = p, c;`,
    ...odometer,
    `  (void)c; (void)rem;`,
    `  for (m = 0; m < M; m++) {`,
    `    const int32_t az = ${za.at("m")};`,
    `    for (n = 0; n < N; n++) {`,
    `      const int32_t bz = ${zb.at("n")};`,
    `      const long e = ((long)p * M + m) * N + n;`,
    `      uint32_t acc = 0;`,
    `      for (k = 0; k < K; k++) acc += (uint32_t)(((int32_t)A[ao + (long)m * K + k] - az) * ((int32_t)B[bo + (long)k * N + n] - bz));`,
    ...store.map((l) => `      ${l}`),
    `    }`,
    `  }`,
    `}`,
  ].filter((l) => l !== "").join("\n");
}

const Q8 = ["u8", "i8"];

export const matMulIntegerKernel = defineKernel({
  op: "MatMulInteger",
  emit(node, _attrs, ctx) {
    return matmulLoops(node, { a: 0, b: 1, azp: 2, bzp: 3 }, ctx, [`int32_t *Y = ${ctx.ptr(node.outputs[0]!)};`], [
      `Y[e] = (int32_t)acc;`,
    ]);
  },
});

export const qLinearMatMulKernel = defineKernel({
  op: "QLinearMatMul",
  supports: (node, _a, g) => (Q8.includes(g.types[node.outputs[0]!]!.dtype) ? f32Scales(node, g, [1, 4, 6]) : "only 8-bit outputs are generated"),
  emit(node, _attrs, ctx) {
    const { y, yt, lo, hi, s1: sa, s2: sb, sy, zy, mult } = qlinearOutput(node, ctx, ["as", "bs"]);
    return matmulLoops(node, { a: 0, b: 3, azp: 2, bzp: 5 }, ctx, [`${ctype(yt)} *Y = ${ctx.ptr(y)};`, sa.decl, sb.decl, sy.decl, zy.decl], [
      `Y[e] = (${ctype(yt)})neonc_quantize_f64((double)(int32_t)acc * (double)${mult}(${sa.at("m")}, ${sb.at("n")}, ${sy.at("m")}), ${zy.at("m")}, ${lo}, ${hi});`,
    ]);
  },
});
