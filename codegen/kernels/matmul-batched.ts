// MatMulBatched in C: a MatMul whose B has batch dims (attention's scores and context, a
// per-batch projection) as one blocked GEMM (neonc_matmul_f32, matmul.ts) per output batch.
// Batch dims broadcast numpy-style: an operand whose dim is 1, or which lacks the dim, is
// reused across it (stride 0). A 1-D A is one row.
import type { Dim } from "../../ir/dim.js";
import { cProduct } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { actArgs } from "./common.js";
import { matmulScratch, useMatmul } from "./matmul.js";

/** Element strides of each output batch dim in an operand with batch dims `own` (right-aligned; broadcast dims get 0). */
function batchStrides(own: readonly Dim[], out: readonly Dim[], matrix: string): string[] {
  const lead = out.length - own.length;
  return out.map((od, i) => {
    const d = i - lead;
    if (d < 0 || (own[d] === 1 && od !== 1)) return "0";
    return [cProduct(own.slice(d + 1)), matrix].join(" * ");
  });
}

export const matmulBatchedKernel = defineKernel({
  op: "MatMulBatched",
  supports(node, _a, g) {
    for (const v of [...node.inputs, ...node.outputs]) if (v && g.types[v]?.dtype !== "f32") return "only float32 is generated";
    const a = g.types[node.inputs[0]!]!, b = g.types[node.inputs[1]!]!;
    if (b.shape.length < 3) return "B has no batch dims (MatMulGemm runs it)";
    if (a.shape.length < 1) return "A must have rank >= 1";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    const a = ctx.type(node.inputs[0]!), b = ctx.type(node.inputs[1]!), y = ctx.type(node.outputs[0]!);
    const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
    const [M, K, N] = [ctx.dim(as.at(-2)!), ctx.dim(as.at(-1)!), ctx.dim(b.shape.at(-1)!)];
    const outBatch = y.shape.slice(0, a.shape.length === 1 ? -1 : -2);
    const aStr = batchStrides(as.slice(0, -2), outBatch, `${M} * ${K}`);
    const bStr = batchStrides(b.shape.slice(0, -2), outBatch, `${K} * ${N}`);
    const ap = matmulScratch(ctx, as.at(-1)!);
    const [bi, r, ao, bo, idx] = ["bi", "r", "ao", "bo", "idx"].map((h) => ctx.local(h)) as [string, string, string, string, string];
    const decompose: string[] = [];
    for (let i = outBatch.length - 1; i >= 0; i--) {
      const D = ctx.dim(outBatch[i]!);
      decompose.push(`  ${idx} = ${r} % ${D}; ${r} /= ${D};`);
      if (aStr[i] !== "0") decompose.push(`    ${ao} += ${idx} * (size_t)(${aStr[i]});`);
      if (bStr[i] !== "0") decompose.push(`    ${bo} += ${idx} * (size_t)(${bStr[i]});`);
    }
    return [
      `int ${bi};`,
      `for (${bi} = 0; ${bi} < ${cProduct(outBatch)}; ${bi}++) {`,
      `  int ${r} = ${bi}, ${idx};`,
      `  size_t ${ao} = 0, ${bo} = 0;`,
      ...decompose,
      `  (void)${idx};`,
      `  neonc_matmul_f32(${M}, ${K}, ${N}, ${ctx.ptr(node.inputs[0]!)} + ${ao}, ${ctx.ptr(node.inputs[1]!)} + ${bo}, ${N}, 0,`,
      `                   ${ctx.ptr(node.outputs[0]!)} + (size_t)${bi} * ${M} * ${N}, ${actArgs(attrs)}, ${ap});`,
      `}`,
    ].join("\n");
  },
});
