// Softmax and LogSoftmax over one axis (or, with flatten=1, over all axes from `axis`). When
// axes follow the reduced one (log-probs are [1, classes, T]) the kernel keeps a running max and
// sum per inner position in scratch and streams over the axis, so every pass reads contiguous
// memory; when none follows (attention weights over their last axis) each row is contiguous and
// is done on its own. Safe in place: each element is read before it is written.
//
// Written so that gcc vectorizes every pass with standard flags: e^(x - max) is vmath.ts's
// branch-free loop exp (expf is a library call that only -ffast-math lets gcc replace by a
// vector version); the strided form stores the running max on every step (a conditional store
// is not if-converted); the row form takes the max of order-preserving integer keys (a float
// max reduction needs -ffinite-math-only, an unsigned one vectorizes as it is) and sums in
// lanes (lane-sum.ts).
import { normAxis } from "../../ir/shape-util.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { mulDim } from "../../ir/dim.js";
import { laneSumC } from "./lane-sum.js";
import { useLoopMath } from "./vmath.js";

/**
 * Adds `neonc_exp_le0_f32(d)` = e^d for d <= 0 (d = x - max): the loop exp, within 2 ulp of expf
 * (docs/codegen.md); NaN stays NaN, so a NaN in a row makes the row NaN as with expf.
 */
function useExpLe0(ctx: KernelContext): void {
  useLoopMath(ctx);
  ctx.helper("exp_le0_f32", `
static inline float neonc_exp_le0_f32(float d) {
  /* Computed before the test, not under it, so that gcc may evaluate it for every lane; gcc 12
     if-converts isnan(d) ? d : e but leaves d == d ? e : d a branch. */
  const float e = neonc_expneg_lf(d);
  return isnan(d) ? d : e;
}`);
}

/**
 * Adds `neonc_order_key_f32(v)`, an unsigned key in the order of the floats (-NaN < -inf < ...
 * < -0 < +0 < ... < +inf < +NaN), and its inverse `neonc_order_key_inv_f32`. A row's max is the
 * max of the keys: a +NaN or +inf in the row makes the max NaN or inf, hence the row NaN, and
 * a -NaN becomes NaN through its e^ (NaN rows stay NaN, as with a float max).
 */
function useOrderKey(ctx: KernelContext): void {
  ctx.helper("order_key_f32", `
static inline uint32_t neonc_order_key_f32(float v) {
  union { float f; uint32_t u; } b;
  b.f = v;
  /* Negative: every bit flipped; positive: the sign bit set. */
  return b.u ^ ((0u - (b.u >> 31)) | 0x80000000u);
}

static inline float neonc_order_key_inv_f32(uint32_t k) {
  union { float f; uint32_t u; } b;
  b.u = (k >> 31) ? k ^ 0x80000000u : ~k;
  return b.f;
}`);
}

function softmaxKernel(op: "Softmax" | "LogSoftmax"): KernelDef {
  const log = op === "LogSoftmax";
  return defineKernel({
    op,
    inPlace: 0,
    supports: (node, _a, g) => (g.types[node.inputs[0]!]?.dtype === "f32" ? undefined : "only float32 is generated"),
    emit(node, attrs, ctx) {
      const x = ctx.type(node.inputs[0]!);
      const axis = normAxis((attrs.axis as number | undefined) ?? -1, x.shape.length);
      const flat = ((attrs.flatten as number | undefined) ?? 0) !== 0;
      const outer = cProduct(x.shape.slice(0, axis));
      const n = flat ? cProduct(x.shape.slice(axis)) : cProduct([x.shape[axis]!]);
      const innerDims = flat ? [] : x.shape.slice(axis + 1);
      const head = [`const float *x = ${ctx.ptr(node.inputs[0]!)};`, `float *y = ${ctx.ptr(node.outputs[0]!)};`];
      if (innerDims.every((d) => d === 1)) {
        useExpLe0(ctx);
        useOrderKey(ctx);
        return [
          ...head,
          `const size_t outer = (size_t)${outer}, n = (size_t)${n};`,
          `size_t o, k;`,
          `for (o = 0; o < outer; o++) {`,
          `  const float *xo = x + o * n;`,
          `  float *yo = y + o * n;`,
          `  uint32_t mk = 0;`,
          `  float m, s;`,
          `  for (k = 0; k < n; k++) { const uint32_t q = neonc_order_key_f32(xo[k]); mk = q > mk ? q : mk; }`,
          `  m = neonc_order_key_inv_f32(mk);`,
          `  ${laneSumC("s", "k", "n", (k) => `neonc_exp_le0_f32(xo[${k}] - m)`, "  ")}`,
          log
            ? `  s = m + logf(s);\n  for (k = 0; k < n; k++) yo[k] = xo[k] - s;`
            : `  s = 1.0f / s;\n  for (k = 0; k < n; k++) yo[k] = neonc_exp_le0_f32(xo[k] - m) * s;`,
          `}`,
        ].join("\n");
      }
      const inner = cProduct(innerDims);
      const tmp = ctx.scratch(mulDim(2, innerDims.reduce((a, b) => mulDim(a, b), 1)));
      return [
        ...head,
        `const size_t outer = (size_t)${outer}, n = (size_t)${n}, inner = (size_t)${inner};`,
        `float *mx = ${tmp}, *sum = mx + inner;`,
        `size_t o, k, i;`,
        `for (o = 0; o < outer; o++) {`,
        `  const float *xo = x + o * n * inner;`,
        `  float *yo = y + o * n * inner;`,
        `  for (i = 0; i < inner; i++) { mx[i] = xo[i]; sum[i] = 0.0f; }`,
        `  for (k = 1; k < n; k++) for (i = 0; i < inner; i++) { const float v = xo[k * inner + i], m = mx[i]; mx[i] = v > m ? v : m; }`,
        // math.h's expf here, not the loop exp: across a strided axis gcc's vectorized loop exp
        // (AVX-512) ran slower than expf (asr-digits' LogSoftmax over 29 classes: int8 c99
        // 0.97 -> 1.17 ms a run; docs/measurements/2026-12-07-float-c-standard-flags.md).
        `  for (k = 0; k < n; k++) for (i = 0; i < inner; i++) sum[i] += expf(xo[k * inner + i] - mx[i]);`,
        log
          ? `  for (i = 0; i < inner; i++) sum[i] = mx[i] + logf(sum[i]);\n  for (k = 0; k < n; k++) for (i = 0; i < inner; i++) yo[k * inner + i] = xo[k * inner + i] - sum[i];`
          : `  for (i = 0; i < inner; i++) sum[i] = 1.0f / sum[i];\n  for (k = 0; k < n; k++) for (i = 0; i < inner; i++) yo[k * inner + i] = expf(xo[k * inner + i] - mx[i]) * sum[i];`,
        `}`,
      ].join("\n");
    },
  });
}

export const softmaxKernels = [softmaxKernel("Softmax"), softmaxKernel("LogSoftmax")];
