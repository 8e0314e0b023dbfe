// ReduceSum, ReduceMax, ReduceMin and ReduceSumSquare over a contiguous run of axes (the run
// check of ./reduce-mean.ts): y[o][i] = fold over k of x[o][k][i]. Sums accumulate in float;
// Max and Min propagate NaN as the interpreter does (a NaN, once met, stays).
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { reducedRun } from "./reduce-mean.js";

const FOLDS: Readonly<Record<string, { init: string; step: (acc: string, v: string) => string }>> = {
  ReduceSum: { init: "0.0f", step: (a, v) => `${a} += ${v};` },
  ReduceSumSquare: { init: "0.0f", step: (a, v) => `${a} += ${v} * ${v};` },
  ReduceMax: { init: "-INFINITY", step: (a, v) => `if (${v} > ${a} || ${v} != ${v}) ${a} = ${v};` },
  ReduceMin: { init: "INFINITY", step: (a, v) => `if (${v} < ${a} || ${v} != ${v}) ${a} = ${v};` },
};

function useReduce(ctx: KernelContext, op: string): string {
  const name = `neonc_${op.toLowerCase()}_f32`;
  const f = FOLDS[op]!;
  ctx.helper(name, `
/* y[o][i] = ${op} over k of x[o][k][i] for x [outer][n][inner]. */
static void ${name}(size_t outer, size_t n, size_t inner, const float *x, float *y) {
  size_t o, k, i;
  for (o = 0; o < outer; o++) {
    for (i = 0; i < inner; i++) {
      float acc = ${f.init};
      for (k = 0; k < n; k++) {
        const float v = x[(o * n + k) * inner + i];
        ${f.step("acc", "v")}
      }
      y[o * inner + i] = acc;
    }
  }
}`);
  return name;
}

function reduceKernel(op: string): KernelDef {
  return defineKernel({
    op,
    supports(node, attrs, g) {
      const x = g.types[node.inputs[0]!];
      if (x?.dtype !== "f32") return "only float32 is generated";
      const axes = (attrs.axes as readonly number[] | undefined) ?? [];
      if (axes.length === 0 && ((attrs.noop_with_empty_axes as number | undefined) ?? 0) !== 0) return undefined;
      const r = reducedRun(axes, x.shape.length);
      return typeof r === "string" ? r : undefined;
    },
    emit(node, attrs, ctx) {
      const xN = node.inputs[0]!, yN = node.outputs[0]!;
      const x = ctx.type(xN);
      const axes = (attrs.axes as readonly number[] | undefined) ?? [];
      if (axes.length === 0 && ((attrs.noop_with_empty_axes as number | undefined) ?? 0) !== 0) {
        // No reduction: the interpreter (ir/ops/nn/reduce.ts) passes x through, ReduceSumSquare too.
        return `memcpy(${ctx.ptr(yN)}, ${ctx.ptr(xN)}, (size_t)${ctx.numel(yN)} * sizeof(float));`;
      }
      const [first, last] = reducedRun(axes, x.shape.length) as [number, number];
      const fn = useReduce(ctx, op);
      return `${fn}((size_t)${cProduct(x.shape.slice(0, first))}, (size_t)${cProduct(x.shape.slice(first, last + 1))}, (size_t)${cProduct(x.shape.slice(last + 1))}, ${ctx.ptr(xN)}, ${ctx.ptr(yN)});`;
    },
  });
}

export const reduceKernels: KernelDef[] = Object.keys(FOLDS).map(reduceKernel);
