// GroupNormalization and InstanceNormalization (one channel per group) in C: per image and group,
// the mean and variance of its channels' planes (one contiguous run) in two passes as the
// interpreter does (ir/kernels/norm.ts; row sums in lanes, rowSumC), then per channel
// y = (x - mean) * (inv * scale) + bias. Scale and bias are read where they are (constants or
// run-time values), per channel or, for GroupNormalization's opset-18 form, per group. Safe in
// place: a group's statistics are taken before any of it is written.
import { cFloat, cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { useNoinline } from "./lane-sum.js";
import { rowSumC } from "./layernorm.js";

function useGroupNorm(ctx: KernelContext): void {
  const sum = (expr: (i: string) => string, vexpr: string) => rowSumC(ctx.target.neon, expr, vexpr);
  useNoinline(ctx);
  ctx.helper("groupnorm_f32", `
static NEONC_NOINLINE void neonc_groupnorm_f32(size_t N, size_t C, size_t G, size_t plane, const float *x, float *y,
                                const float *scale, const float *bias, int per_group, float eps) {
  size_t n, gi, c, i;
  const size_t cg = C / G, len = cg * plane;
  const float rlen = 1.0f / (float)len;
  for (n = 0; n < N; n++)
    for (gi = 0; gi < G; gi++) {
      const float *xr = x + (n * G + gi) * len;
      float *yr = y + (n * G + gi) * len;
      float s = 0.0f, mean, inv;
      i = 0;
      ${sum((i) => `xr[${i}]`, "vld1q_f32(xr + i)")}
      mean = s * rlen;
      s = 0.0f;
      i = 0;
      ${sum((i) => `(xr[${i}] - mean) * (xr[${i}] - mean)`, "vmulq_f32(vsubq_f32(vld1q_f32(xr + i), vdupq_n_f32(mean)), vsubq_f32(vld1q_f32(xr + i), vdupq_n_f32(mean)))")}
      inv = 1.0f / sqrtf(s * rlen + eps);
      for (c = 0; c < cg; c++) {
        const size_t p = per_group ? gi : gi * cg + c;
        const float a = inv * scale[p], b = bias[p];
        const float *xc = xr + c * plane;
        float *yc = yr + c * plane;
        for (i = 0; i < plane; i++) yc[i] = (xc[i] - mean) * a + b;
      }
    }
}`);
}

function floatOnly(node: { inputs: readonly string[] }, g: { types: Record<string, { dtype: string } | undefined> }): string | undefined {
  return node.inputs.every((v) => !v || g.types[v]?.dtype === "f32") ? undefined : "only float32 is generated";
}

export const groupNormKernel = defineKernel({
  op: "GroupNormalization",
  inPlace: 0,
  supports(node, attrs, g) {
    if (((attrs.stash_type as number | undefined) ?? 1) !== 1) return "only stash_type=1 (float statistics) is generated";
    if (typeof g.types[node.inputs[0]!]?.shape[1] !== "number") return "the channel count must be static";
    return floatOnly(node, g);
  },
  emit(node, attrs, ctx) {
    useGroupNorm(ctx);
    const x = ctx.type(node.inputs[0]!);
    const G = attrs.num_groups as number;
    const perGroup = ((attrs.per_channel as number | undefined) ?? 1) === 0 ? 1 : 0;
    return `neonc_groupnorm_f32((size_t)${ctx.dim(x.shape[0]!)}, ${x.shape[1]}, ${G}, (size_t)${cProduct(x.shape.slice(2))}, ${ctx.ptr(node.inputs[0]!)}, ` +
      `${ctx.ptr(node.outputs[0]!)}, ${ctx.ptr(node.inputs[1]!)}, ${ctx.ptr(node.inputs[2]!)}, ${perGroup}, ${cFloat((attrs.epsilon as number | undefined) ?? 1e-5)});`;
  },
});

export const instanceNormKernel = defineKernel({
  op: "InstanceNormalization",
  inPlace: 0,
  supports(node, _attrs, g) {
    if (typeof g.types[node.inputs[0]!]?.shape[1] !== "number") return "the channel count must be static";
    return floatOnly(node, g);
  },
  emit(node, attrs, ctx) {
    useGroupNorm(ctx);
    const x = ctx.type(node.inputs[0]!);
    const C = x.shape[1] as number;
    return `neonc_groupnorm_f32((size_t)${ctx.dim(x.shape[0]!)}, ${C}, ${C}, (size_t)${cProduct(x.shape.slice(2))}, ${ctx.ptr(node.inputs[0]!)}, ` +
      `${ctx.ptr(node.outputs[0]!)}, ${ctx.ptr(node.inputs[1]!)}, ${ctx.ptr(node.inputs[2]!)}, 0, ${cFloat((attrs.epsilon as number | undefined) ?? 1e-5)});`;
  },
});
