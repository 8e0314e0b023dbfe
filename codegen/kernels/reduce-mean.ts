// ReduceMean over a contiguous run of axes (the last axis, trailing axes, one middle axis, or
// all of them) and GlobalAveragePool (the mean over every spatial position). Both are
// y[o][i] = mean_k x[o][k][i]; with inner = 1 each mean is over a contiguous row, summed in
// lanes (4 with NEON, 16 in c99: lane-sum.ts), otherwise running sums over rows keep the reads
// contiguous. Other forms of ReduceMean (other dtypes, axes with gaps) go to ./reduce-any.ts.
import type { Dim } from "../../ir/dim.js";
import { cProduct } from "../c-util.js";
import type { Attrs } from "../../ir/graph.js";
import type { TensorType } from "../../ir/types.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { emitReduceAny, reduceAnySupports, type ReduceOp } from "./reduce-any.js";
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

/** The contiguous run of reduced axes [first, last] when x is f32, else undefined (no axes with noop too). */
function fastRun(attrs: Attrs, x: TensorType | undefined): [number, number] | undefined {
  if (x?.dtype !== "f32") return undefined;
  const axes = (attrs.axes as readonly number[] | undefined) ?? [];
  if (axes.length === 0 && ((attrs.noop_with_empty_axes as number | undefined) ?? 0) !== 0) return undefined;
  const r = reducedRun(axes, x.shape.length);
  return typeof r === "string" ? undefined : r;
}

/**
 * The kernel of a Reduce* op: `emitRun` emits the float32 reduction of x (shape) over one
 * contiguous run of axes first..last into y; every other form (other dtypes, axes with gaps, no
 * axes with noop_with_empty_axes) goes to the general loops of ./reduce-any.ts.
 */
export function reduceRunKernel(
  op: ReduceOp, emitRun: (ctx: KernelContext, xN: string, yN: string, shape: readonly Dim[], first: number, last: number) => string,
): KernelDef {
  return defineKernel({
    op,
    supports: (node, _attrs, g) => reduceAnySupports(node, g.types[node.inputs[0]!]?.dtype),
    emit(node, attrs, ctx) {
      const xN = node.inputs[0]!;
      const run = fastRun(attrs, ctx.type(xN));
      if (!run) return emitReduceAny(op, node, attrs, ctx);
      return emitRun(ctx, xN, node.outputs[0]!, ctx.type(xN).shape, run[0], run[1]);
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
