// ReduceSum, ReduceMax, ReduceMin and ReduceSumSquare of float32 over a contiguous run of axes
// (the run check of ./reduce-mean.ts; every other form goes to ./reduce-any.ts):
// y[o][i] = fold over k of x[o][k][i]. Sums accumulate in float;
// Max and Min propagate NaN as the interpreter does (a NaN, once met, stays).
//
// Written for gcc's vectorizer with standard flags. With inner > 1 the k loop is outside and
// y[o][i] is stored on every step of the contiguous i loop (the fold a select for Max / Min,
// which gcc if-converts; it does not if-convert a conditional store), each output folding over
// k in order. With inner = 1 a sum is over a contiguous row: in lanes (lane-sum.ts), since a
// serial float sum vectorizes only with -ffast-math; Max and Min keep the serial loop.
// GlobalMaxPool is the ReduceMax over every spatial dim of [N, C, ...spatial].
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { reduceRunKernel } from "./reduce-mean.js";
import type { ReduceOp } from "./reduce-any.js";
import { laneSumC, useNoinline } from "./lane-sum.js";

interface Fold {
  readonly init: string;
  /** The new accumulator (a C expression) from the old one and a value. */
  readonly step: (acc: string, v: string) => string;
  /** The term of a row sum for value v (sums only: those are summed in lanes when inner = 1). */
  readonly term?: (v: string) => string;
}

const FOLDS: Readonly<Record<string, Fold>> = {
  ReduceSum: { init: "0.0f", step: (a, v) => `${a} + ${v}`, term: (v) => v },
  ReduceSumSquare: { init: "0.0f", step: (a, v) => `${a} + ${v} * ${v}`, term: (v) => `${v} * ${v}` },
  ReduceMax: { init: "-INFINITY", step: (a, v) => `(${v} > ${a} || ${v} != ${v}) ? ${v} : ${a}` },
  ReduceMin: { init: "INFINITY", step: (a, v) => `(${v} < ${a} || ${v} != ${v}) ? ${v} : ${a}` },
};

function useReduce(ctx: KernelContext, op: string): string {
  const name = `neonc_${op.toLowerCase()}_f32`;
  const f = FOLDS[op]!;
  const row = f.term
    ? laneSumC("s", "k", "n", (k) => f.term!(`xo[${k}]`), "      ")
    : `s = ${f.init};
      for (k = 0; k < n; k++) { const float v = xo[k]; s = ${f.step("s", "v")}; }`;
  useNoinline(ctx);
  ctx.helper(name, `
/* y[o][i] = ${op} over k of x[o][k][i] for x [outer][n][inner]. */
static NEONC_NOINLINE void ${name}(size_t outer, size_t n, size_t inner, const float *x, float *y) {
  size_t o, k, i;
  for (o = 0; o < outer; o++) {
    const float *xo = x + o * n * inner;
    float *yo = y + o * inner;
    if (inner == 1) {
      float s;
      ${row}
      yo[0] = s;
      continue;
    }
    for (i = 0; i < inner; i++) yo[i] = ${f.init};
    for (k = 0; k < n; k++)
      for (i = 0; i < inner; i++) { const float v = xo[k * inner + i], a = yo[i]; yo[i] = ${f.step("a", "v")}; }
  }
}`);
  return name;
}

function reduceKernel(op: ReduceOp): KernelDef {
  return reduceRunKernel(op, (ctx, xN, yN, shape, first, last) =>
    `${useReduce(ctx, op)}((size_t)${cProduct(shape.slice(0, first))}, (size_t)${cProduct(shape.slice(first, last + 1))}, (size_t)${cProduct(shape.slice(last + 1))}, ${ctx.ptr(xN)}, ${ctx.ptr(yN)});`);
}

export const globalMaxPoolKernel = defineKernel({
  op: "GlobalMaxPool",
  supports: (node, _a, g) => (g.types[node.inputs[0]!]?.dtype === "f32" ? undefined : "only float32 is generated"),
  emit(node, _attrs, ctx) {
    const xN = node.inputs[0]!;
    return `${useReduce(ctx, "ReduceMax")}((size_t)${cProduct(ctx.type(xN).shape.slice(0, 2))}, (size_t)${cProduct(ctx.type(xN).shape.slice(2))}, 1, ${ctx.ptr(xN)}, ${ctx.ptr(node.outputs[0]!)});`;
  },
});

export const reduceKernels: KernelDef[] = [...(Object.keys(FOLDS) as ReduceOp[]).map(reduceKernel), globalMaxPoolKernel];
