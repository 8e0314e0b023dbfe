// Pieces shared by the float kernels: fused-activation arguments, the scalar activation helper,
// and the NEON vector helpers that several kernels use.
//
// A fused activation reaches the conv / GEMM / MatMul / Add kernels as `act, p0, p1`: the code
// of its epilogue form (ir/activation.ts epilogueOf: 1 max(x, 0), 2 clamp to [p0, p1], 3 slope
// p0 below 0), which neonc_act_f32 / neonc_act_f32x4 here and neonc_act_range in gemm.ts
// apply on the way out. A kind without an epilogue form passes 0 (nothing) and is applied by
// an in-place sweep after the kernel (fused-activation.ts).
import { activationOf, epilogueOf } from "../../ir/activation.js";
import type { Attrs } from "../../ir/graph.js";
import type { KernelContext } from "../kernel.js";
import { cFloat } from "../c-util.js";

type FusedAttrs = { activation?: string; activation_params?: readonly number[] };

/** `act, p0, p1` arguments of the C helpers for a node's fused activation. */
export function actArgs(attrs: Attrs): string {
  const a = activationOf(attrs as FusedAttrs);
  const e = a && epilogueOf(a);
  if (!e) return "0, 0.0f, 0.0f";
  switch (e.form) {
    case "relu": return "1, 0.0f, 0.0f";
    case "clamp": return `2, ${cFloat(e.lo)}, ${cFloat(e.hi)}`;
    case "leaky": return `3, ${cFloat(e.slope)}, 0.0f`;
  }
}

/** Whether the node has a fused activation the kernel applies in its epilogue (actArgs gives it). */
export function hasEpilogue(attrs: Attrs): boolean {
  const a = activationOf(attrs as FusedAttrs);
  return a !== undefined && epilogueOf(a) !== undefined;
}

/** Adds the scalar activation helper: act 0 none, 1 Relu, 2 Clip(p0, p1), 3 LeakyRelu(p0). */
export function useScalarAct(ctx: KernelContext): void {
  ctx.helper("act_f32", `
static inline float neonc_act_f32(float v, int act, float p0, float p1) {
  switch (act) {
  case 1: return v < 0.0f ? 0.0f : v;
  case 2: return v < p0 ? p0 : (v > p1 ? p1 : v);
  case 3: return v < 0.0f ? v * p0 : v;
  default: return v;
  }
}`);
}

/**
 * `neonc_select_f32(c, a, b)` = c ? a : b (c is 0 or 1) for floats, as a mask on the bits. gcc
 * vectorizes this in straight-line code (after it has unrolled a short loop completely), where
 * a float `?:` stays a branch unless -ffinite-math-only lets it become MIN/MAX; in loops it
 * if-converts both, and the masks take fewer instructions than its compare-and-blend (a Clip
 * loop: 1.0 us with ?:, 0.48 with masks, 0.36 with ?: and -ffast-math; docs/measurements/
 * 2026-12-07-float-c-standard-flags.md). Both arguments are evaluated.
 */
export function selectSource(): string {
  return `
static inline float neonc_select_f32(int c, float a, float b) {
  union { float f; uint32_t u; } x, y;
  const uint32_t m = 0u - (uint32_t)c;
  x.f = a;
  y.f = b;
  x.u = (x.u & m) | (y.u & ~m);
  return x.f;
}`;
}

/** Adds neonc_select_f32 (selectSource) to the model once. */
export function useSelect(ctx: KernelContext): void {
  ctx.helper("select_f32", selectSource());
}

/** Adds the NEON activation helper (same codes as the scalar one). */
export function useVectorAct(ctx: KernelContext): void {
  useScalarAct(ctx);
  ctx.helper("act_f32x4", `
static inline float32x4_t neonc_act_f32x4(float32x4_t v, int act, float p0, float p1) {
  switch (act) {
  case 1: return vmaxq_f32(v, vdupq_n_f32(0.0f));
  case 2: return vminq_f32(vmaxq_f32(v, vdupq_n_f32(p0)), vdupq_n_f32(p1));
  case 3: return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), vmulq_f32(v, vdupq_n_f32(p0)), v);
  default: return v;
  }
}`);
}

/** `acc + a * b` for a vector and a scalar, fused where the target has FMA. */
export function fmaN(ctx: KernelContext, acc: string, v: string, s: string): string {
  return ctx.target.arch === "aarch64" ? `vfmaq_n_f32(${acc}, ${v}, ${s})` : `vmlaq_n_f32(${acc}, ${v}, ${s})`;
}
