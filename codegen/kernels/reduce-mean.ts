// ReduceMean over a contiguous run of axes (the last axis, trailing axes, one middle axis, or
// all of them) and GlobalAveragePool (the mean over every spatial position). Both are
// y[o][i] = mean_k x[o][k][i]; with inner = 1 each mean is over a contiguous row, summed in
// lanes (4 with NEON, 16 in c99: lane-sum.ts), otherwise running sums over rows keep the reads
// contiguous.
import type { Dim } from "../../ir/dim.js";
import { cProduct, ctype } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { laneSumC, useNoinline } from "./lane-sum.js";

function useMean(ctx: KernelContext): void {
  const rowSum = ctx.target.neon
    ? `{
        float32x4_t acc = vdupq_n_f32(0.0f);
        float t[4];
        for (; k + 4 <= n; k += 4) acc = vaddq_f32(acc, vld1q_f32(xo + k));
        vst1q_f32(t, acc);
        s = (t[0] + t[1]) + (t[2] + t[3]);
      }
      for (; k < n; k++) s += xo[k];`
    : laneSumC("s", "k", "n", (k) => `xo[${k}]`, "      ");
  useNoinline(ctx);
  ctx.helper("mean_f32", `
/* y[o][i] = mean over k of x[o][k][i] for x [outer][n][inner]. */
static NEONC_NOINLINE void neonc_mean_f32(size_t outer, size_t n, size_t inner, const float *x, float *y) {
  size_t o, k, i;
  const float scale = 1.0f / (float)n;
  for (o = 0; o < outer; o++) {
    const float *xo = x + o * n * inner;
    float *yo = y + o * inner;
    if (inner == 1) {
      float s = 0.0f;
      k = 0;
      ${rowSum}
      yo[0] = s / (float)n;
      continue;
    }
    for (i = 0; i < inner; i++) yo[i] = 0.0f;
    for (k = 0; k < n; k++) for (i = 0; i < inner; i++) yo[i] += xo[k * inner + i];
    for (i = 0; i < inner; i++) yo[i] *= scale;
  }
}`);
}

function emitMean(ctx: KernelContext, x: string, y: string, shape: readonly Dim[], first: number, last: number): string {
  useMean(ctx);
  return `neonc_mean_f32((size_t)${cProduct(shape.slice(0, first))}, (size_t)${cProduct(shape.slice(first, last + 1))}, (size_t)${cProduct(shape.slice(last + 1))}, ${ctx.ptr(x)}, ${ctx.ptr(y)});`;
}

/** Reduced axes, normalised and sorted, or a reason they are not a contiguous run. */
export function reducedRun(axes: readonly number[], rank: number): [number, number] | string {
  if (axes.length === 0) return [0, rank - 1];
  const a = [...new Set(axes.map((v) => (v < 0 ? v + rank : v)))].sort((p, q) => p - q);
  if (a.some((v) => v < 0 || v >= rank)) return `axes [${axes.join(",")}] are out of range for rank ${rank}`;
  if (a[a.length - 1]! - a[0]! !== a.length - 1) return `the reduced axes [${axes.join(",")}] are not contiguous`;
  return [a[0]!, a[a.length - 1]!];
}

/**
 * The kernel of a Reduce* op over one contiguous run of axes: `emitRun` emits the reduction of
 * x (shape) over axes first..last into y. No axes with noop_with_empty_axes copy x through, as
 * the interpreter (ir/ops/nn/reduce.ts) does, ReduceSumSquare too.
 */
export function reduceRunKernel(
  op: string, emitRun: (ctx: KernelContext, xN: string, yN: string, shape: readonly Dim[], first: number, last: number) => string,
  dtypes: readonly string[] = ["f32"],
): KernelDef {
  return defineKernel({
    op,
    supports(node, attrs, g) {
      const x = g.types[node.inputs[0]!];
      if (!x || !dtypes.includes(x.dtype)) return dtypes.length === 1 ? "only float32 is generated" : `only ${dtypes.join(", ")} are generated`;
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
        return `memcpy(${ctx.ptr(yN)}, ${ctx.ptr(xN)}, (size_t)${ctx.numel(yN)} * sizeof(${ctype(x.dtype)}));`;
      }
      const [first, last] = reducedRun(axes, x.shape.length) as [number, number];
      return emitRun(ctx, xN, yN, x.shape, first, last);
    },
  });
}

export const reduceMeanKernel = reduceRunKernel("ReduceMean", emitMean);

export const globalAveragePoolKernel = defineKernel({
  op: "GlobalAveragePool",
  supports: (node, _a, g) => (g.types[node.inputs[0]!]?.dtype === "f32" ? undefined : "only float32 is generated"),
  emit(node, _attrs, ctx) {
    const x = ctx.type(node.inputs[0]!);
    return emitMean(ctx, node.inputs[0]!, node.outputs[0]!, x.shape, 2, x.shape.length - 1);
  },
});

export const reduceMeanKernels: KernelDef[] = [reduceMeanKernel, globalAveragePoolKernel];
