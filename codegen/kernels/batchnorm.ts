// Inference BatchNormalization, for the ones -O1 cannot fold (after a Relu, an Add or a graph
// input, or every one of them with -O0): y = x * a + b per channel (or per channel and position,
// the old spatial=0 form), with a = scale / sqrt(var + eps) and b = bias - mean * a.
//
// Constant parameters (the usual case) become two float arrays a and b at compile time, computed
// in double as the interpreter does (ir/kernels/norm.ts) and rounded once; parameters that are
// graph inputs are turned into a and b at run time in a small scratch block. The loop over each
// channel's plane is the same multiply then add in scalar C and NEON (no fused multiply-add), so
// every target computes the same floats. Safe in place.
// training_mode=1 normalizes with the batch statistics (per channel over N and the plane: the
// mean, then the mean of squared deviations, in float) and writes the running mean and variance
// (running * momentum + batch * (1 - momentum)) and the opset 7-13 saved batch mean / variance.
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import type { Tensor } from "../../ir/types.js";
import type { Attrs, Node } from "../../ir/graph.js";

function useBatchNorm(ctx: KernelContext): void {
  const neon = ctx.target.neon;
  ctx.helper("batchnorm_f32", `
/* y = x * a[c] + b[c] over each channel's plane (per_element: a and b hold C * plane values). */
static void neonc_batchnorm_f32(size_t n, size_t channels, size_t plane, const float *x, float *y,
                                const float *a, const float *b, int per_element) {
  size_t i, c, k;
  for (i = 0; i < n; i++) {
    for (c = 0; c < channels; c++) {
      const float *xc = x + (i * channels + c) * plane;
      float *yc = y + (i * channels + c) * plane;
      const float *ac = per_element ? a + c * plane : a + c;
      const float *bc = per_element ? b + c * plane : b + c;
      k = 0;
      if (per_element) {
        for (; k < plane; k++) yc[k] = xc[k] * ac[k] + bc[k];
        continue;
      }${neon ? `
      {
        const float32x4_t va = vdupq_n_f32(ac[0]), vb = vdupq_n_f32(bc[0]);
        for (; k + 4 <= plane; k += 4) vst1q_f32(yc + k, vaddq_f32(vmulq_f32(vld1q_f32(xc + k), va), vb));
      }` : ""}
      for (; k < plane; k++) yc[k] = xc[k] * ac[0] + bc[0];
    }
  }
}`);
}

/** a and b of every channel (or channel and position) from constant parameters, in double. */
function foldedParams(scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, eps: number): { a: Float32Array; b: Float32Array } {
  const s = scale.data as Float32Array, bi = bias.data as Float32Array, m = mean.data as Float32Array, v = variance.data as Float32Array;
  const a = new Float32Array(s.length), b = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const ai = s[i]! / Math.sqrt(v[i]! + eps);
    a[i] = ai;
    b[i] = bi[i]! - m[i]! * ai;
  }
  return { a, b };
}

export const batchNormKernel = defineKernel({
  op: "BatchNormalization",
  inPlace: 0,
  supports(node, attrs, g) {
    const x = g.types[node.inputs[0]!];
    if (x?.dtype !== "f32") return "only float32 is generated";
    const params = node.inputs.slice(1, 5);
    if (attrs.training_mode) {
      return params.every((p) => g.types[p!]!.shape.length === 1) ? undefined : "training_mode=1 needs per-channel parameters";
    }
    if (node.outputs.slice(1).some((o) => o !== "")) return "only the y output is generated";
    const constant = params.every((p) => p !== undefined && p in g.constants);
    const perChannel = params.every((p) => g.types[p!]!.shape.length === 1);
    if (!perChannel && !constant) return "per-position parameters ([C, ...spatial]) must be constants";
    if (!perChannel && x.shape.slice(2).some((d) => typeof d !== "number")) return "per-position parameters need a static spatial shape";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useBatchNorm(ctx);
    const [xN, sN, bN, mN, vN] = node.inputs as [string, string, string, string, string];
    const x = ctx.type(xN);
    const eps = (attrs.epsilon as number | undefined) ?? 1e-5;
    const consts = [sN, bN, mN, vN].map((p) => ctx.constant(p));
    const perElement = ctx.type(sN).shape.length > 1 ? 1 : 0;
    const channels = ctx.dim(x.shape[1]!);
    const call = (a: string, b: string) =>
      `neonc_batchnorm_f32((size_t)${ctx.dim(x.shape[0]!)}, (size_t)${channels}, (size_t)${cProduct(x.shape.slice(2))}, ${ctx.ptr(xN)}, ${ctx.ptr(node.outputs[0]!)}, ${a}, ${b}, ${perElement});`;
    if (attrs.training_mode) return emitTraining(node, attrs, ctx, call);
    if (consts.every((c) => c !== undefined)) {
      const { a, b } = foldedParams(consts[0]!, consts[1]!, consts[2]!, consts[3]!, eps);
      return call(ctx.addWeights(`${node.name}_a`, a), ctx.addWeights(`${node.name}_b`, b));
    }
    // Parameters given at run time: a and b for this call, in float (no double on the device).
    const a = ctx.scratch(x.shape[1]!), b = ctx.scratch(x.shape[1]!);
    const c = ctx.local("c");
    return [
      `int ${c};`,
      `for (${c} = 0; ${c} < ${channels}; ${c}++) {`,
      `  ${a}[${c}] = ${ctx.ptr(sN)}[${c}] / sqrtf(${ctx.ptr(vN)}[${c}] + ${Math.fround(eps).toPrecision(9)}f);`,
      `  ${b}[${c}] = ${ctx.ptr(bN)}[${c}] - ${ctx.ptr(mN)}[${c}] * ${a}[${c}];`,
      `}`,
      call(a, b),
    ].join("\n");
  },
});

/** training_mode=1: batch statistics, then the same a/b sweep; the statistics outputs on the way. */
function emitTraining(node: Node, attrs: Attrs, ctx: KernelContext, call: (a: string, b: string) => string): string {
  const [xN, sN, bN, mN, vN] = node.inputs as [string, string, string, string, string];
  const x = ctx.type(xN);
  const f = (v: number) => `${Math.fround(v).toPrecision(9)}f`;
  const eps = (attrs.epsilon as number | undefined) ?? 1e-5, mom = (attrs.momentum as number | undefined) ?? 0.9;
  const a = ctx.scratch(x.shape[1]!), b = ctx.scratch(x.shape[1]!);
  const [c, n, k] = [ctx.local("c"), ctx.local("n"), ctx.local("k")];
  const N = `(size_t)${ctx.dim(x.shape[0]!)}`, C = `(size_t)${ctx.dim(x.shape[1]!)}`, P = `(size_t)${cProduct(x.shape.slice(2))}`;
  const out = (i: number, value: string) => (node.outputs[i] ? [`  ${ctx.ptr(node.outputs[i]!)}[${c}] = ${value};`] : []);
  return [
    `{`,
    `size_t ${c}, ${n}, ${k};`,
    `const float *xs = ${ctx.ptr(xN)};`,
    `const float count = (float)(${N} * ${P});`,
    `for (${c} = 0; ${c} < ${C}; ${c}++) {`,
    `  float s = 0.0f, v = 0.0f, m;`,
    `  for (${n} = 0; ${n} < ${N}; ${n}++) { const float *xc = xs + (${n} * ${C} + ${c}) * ${P}; for (${k} = 0; ${k} < ${P}; ${k}++) s += xc[${k}]; }`,
    `  m = s / count;`,
    `  for (${n} = 0; ${n} < ${N}; ${n}++) { const float *xc = xs + (${n} * ${C} + ${c}) * ${P}; for (${k} = 0; ${k} < ${P}; ${k}++) { const float d = xc[${k}] - m; v += d * d; } }`,
    `  v = v / count;`,
    `  ${a}[${c}] = ${ctx.ptr(sN)}[${c}] / sqrtf(v + ${f(eps)});`,
    `  ${b}[${c}] = ${ctx.ptr(bN)}[${c}] - m * ${a}[${c}];`,
    ...out(1, `${ctx.ptr(mN)}[${c}] * ${f(mom)} + m * ${f(1 - mom)}`),
    ...out(2, `${ctx.ptr(vN)}[${c}] * ${f(mom)} + v * ${f(1 - mom)}`),
    ...out(3, "m"),
    ...out(4, "v"),
    `}`,
    call(a, b),
    `}`,
  ].join("\n");
}
