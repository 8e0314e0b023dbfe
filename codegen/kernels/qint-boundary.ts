// Quantize and Dequantize in C: the float <-> integer conversions at an integer graph's edges
// (the only integer-family kernels that use floating point). Both compute in double exactly as
// the interpreter does: x / scale (the same double division) rounded half to even (nearbyint in the
// default rounding mode), plus the zero point, clamped; and (x - zp) * scale rounded once to float.
import { intRange } from "../../ir/dtype.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { dtypesIn } from "./qint-common.js";

/** A double literal that reads back to exactly the same double. */
export function cDouble(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a C double`);
  const s = v.toPrecision(17);
  return /[.e]/.test(s) ? s : s + ".0";
}

export function useQuantizeHelper(ctx: KernelContext): void {
  ctx.helper("quantize_f64", `
/* round_half_even(q) + zp clamped to [lo, hi]; NaN gives zp (as the interpreter does).
   nearbyint under the default rounding mode (round to nearest, ties to even; generated code
   never changes it) is IEEE roundToIntegralTiesToEven: exact for every double. Adding zp to
   that integer is exact below 2^53 and saturates alike above. Selects only, so the element loop
   vectorizes (vrndscalepd with SSE4.1 / AVX-512, frinti on aarch64). */
static inline int32_t neonc_quantize_f64(double q, int32_t zp, int32_t lo, int32_t hi) {
  double r = nearbyint(q) + (double)zp;
  r = r < (double)lo ? (double)lo : (r > (double)hi ? (double)hi : r);
  r = q != q ? (double)zp : r;
  return (int32_t)r;
}`);
}

export const quantizeKernel = defineKernel({
  op: "Quantize",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["f32"] }, ["i8", "u8", "i16"]),
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const yt = ctx.type(y).dtype;
    const [lo, hi] = intRange(yt);
    useQuantizeHelper(ctx);
    return [
      `const float *x = ${ctx.ptr(x)};`,
      `${ctype(yt)} *y = ${ctx.ptr(y)};`,
      `int i, n = ${ctx.numel(x)};`,
      `for (i = 0; i < n; i++) y[i] = (${ctype(yt)})neonc_quantize_f64((double)x[i] / ${cDouble(attrs.scale as number)}, ${attrs.zero_point as number}, ${lo}, ${hi});`,
    ].join("\n");
  },
});

export const dequantizeKernel = defineKernel({
  op: "Dequantize",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["i8", "u8", "i16", "i32"] }, ["f32"]),
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    return [
      `const ${ctype(ctx.type(x).dtype)} *x = ${ctx.ptr(x)};`,
      `float *y = ${ctx.ptr(y)};`,
      `int i, n = ${ctx.numel(x)};`,
      `for (i = 0; i < n; i++) y[i] = (float)(((double)x[i] - ${attrs.zero_point as number}.0) * ${cDouble(attrs.scale as number)});`,
    ].join("\n");
  },
});
