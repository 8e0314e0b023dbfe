// LayerNormalization over the trailing axes from `axis` (they are contiguous, so any axis is
// rows x len). Two passes per row in float (mean, then squared deviations, as the interpreter
// does, so a large mean does not eat the variance), each a sum in lanes (4 with NEON, 16 in
// c99: lane-sum.ts), then y = (x - mean) * inv * scale + bias.
// Scale and bias that broadcast to the normalized shape are expanded at compile time. The
// optional Mean and InvStdDev outputs are written when present. Safe in place.
import { numel } from "../../ir/types.js";
import { normAxis } from "../../ir/shape-util.js";
import { expandTo } from "../../ir/ops/nn/layernorm.js";
import { cFloat, cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { dimEquals } from "../../ir/dim.js";
import { laneSumC, useNoinline } from "./lane-sum.js";

/**
 * C statements adding `expr(i)` for i from the current i up to len into float s: 4 lanes in a
 * register with NEON (`vexpr` the vector form at i), laneSumC's 16 lanes in c99, which gcc
 * vectorizes without -ffast-math. Also used by the group and instance norms (groupnorm.ts).
 */
export function rowSumC(neon: boolean, expr: (i: string) => string, vexpr: string): string {
  return neon
    ? `{
      float32x4_t acc = vdupq_n_f32(0.0f);
      float t[4];
      for (i = 0; i + 4 <= len; i += 4) { const float32x4_t v = ${vexpr}; acc = vaddq_f32(acc, v); }
      vst1q_f32(t, acc);
      s = (t[0] + t[1]) + (t[2] + t[3]);
    }
    for (; i < len; i++) { const float v = ${expr("i")}; s += v; }`
    : laneSumC("s", "i", "len", expr);
}

function useLayerNorm(ctx: KernelContext): void {
  const sum = (expr: (i: string) => string, vexpr: string) => rowSumC(ctx.target.neon, expr, vexpr);
  useNoinline(ctx);
  ctx.helper("layernorm_f32", `
static NEONC_NOINLINE void neonc_layernorm_f32(size_t rows, size_t len, const float *x, float *y, const float *scale,
                                const float *bias, float eps, float *mean_out, float *inv_out) {
  size_t r, i;
  /* Two divisions per row cost more than the sums of a short row (d_model 32-256). */
  const float rlen = 1.0f / (float)len;
  for (r = 0; r < rows; r++) {
    const float *xr = x + r * len;
    float *yr = y + r * len;
    float s = 0.0f, mean, inv;
    i = 0;
    ${sum((i) => `xr[${i}]`, "vld1q_f32(xr + i)")}
    mean = s * rlen;
    s = 0.0f;
    i = 0;
    ${sum((i) => `(xr[${i}] - mean) * (xr[${i}] - mean)`, "vmulq_f32(vsubq_f32(vld1q_f32(xr + i), vdupq_n_f32(mean)), vsubq_f32(vld1q_f32(xr + i), vdupq_n_f32(mean)))")}
    inv = 1.0f / sqrtf(s * rlen + eps);
    if (mean_out) mean_out[r] = mean;
    if (inv_out) inv_out[r] = inv;
    for (i = 0; i < len; i++) {
      const float v = (xr[i] - mean) * inv * scale[i];
      yr[i] = bias ? v + bias[i] : v;
    }
  }
}`);
}

export const layerNormKernel = defineKernel({
  op: "LayerNormalization",
  inPlace: 0,
  supports(node, attrs, g) {
    const x = g.types[node.inputs[0]!];
    if (x?.dtype !== "f32") return "only float32 is generated";
    if (((attrs.stash_type as number | undefined) ?? 1) !== 1) return "only stash_type=1 (float statistics) is generated";
    const axis = normAxis((attrs.axis as number | undefined) ?? -1, x.shape.length);
    const norm = x.shape.slice(axis);
    for (const k of [1, 2]) {
      const p = node.inputs[k];
      if (!p) continue;
      const t = g.types[p]!;
      const full = t.shape.length === norm.length && t.shape.every((d, i) => dimEquals(d, norm[i]!));
      if (!full && !(p in g.constants)) return `${k === 1 ? "scale" : "bias"} must have the normalized shape or be a constant`;
      if (!full && norm.some((d) => typeof d !== "number")) return `a broadcast ${k === 1 ? "scale" : "bias"} needs a static normalized shape`;
    }
    return undefined;
  },
  emit(node, attrs, ctx) {
    useLayerNorm(ctx);
    const [xN, sN, bN] = node.inputs;
    const x = ctx.type(xN!);
    const axis = normAxis((attrs.axis as number | undefined) ?? -1, x.shape.length);
    const norm = x.shape.slice(axis);
    const param = (p: string | undefined): string => {
      if (!p) return "0";
      const t = ctx.type(p);
      if (numel(t.shape as number[]) === numel(norm as number[]) && t.shape.every((d) => typeof d === "number") && norm.every((d) => typeof d === "number")) {
        return ctx.ptr(p);
      }
      if (t.shape.length === norm.length && t.shape.every((d, i) => dimEquals(d, norm[i]!))) return ctx.ptr(p);
      const c = ctx.constant(p)!;
      return ctx.addWeights(`${p}_expanded`, Float32Array.from(expandTo(c, norm as number[])));
    };
    const [, meanN, invN] = node.outputs;
    return `neonc_layernorm_f32((size_t)${cProduct(x.shape.slice(0, axis))}, (size_t)${cProduct(norm)}, ${ctx.ptr(xN!)}, ${ctx.ptr(node.outputs[0]!)}, ${param(sN)}, ${param(bN)}, ${cFloat((attrs.epsilon as number | undefined) ?? 1e-5)}, ${meanN ? ctx.ptr(meanN) : "0"}, ${invN ? ctx.ptr(invN) : "0"});`;
  },
});
