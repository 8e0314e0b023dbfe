// DynamicQuantizeLinear in C: one pass for x's range (min and max with 0, NaN skipped), the
// scale and zero point in float32 steps, then the quantization of every element; each step the
// interpreter's (ir/ops/onnx-quant/dynamic-quantize-linear.ts) as one float operation, so the
// outputs are bit-exact with it. Scalar C: it runs once per activation tensor before the integer
// product (MatMulInteger / ConvInteger) of a dynamically quantized model.
import { defineKernel } from "../kernel.js";
import { useQuantizeHelper } from "./qint-boundary.js";

export const dynamicQuantizeLinearKernel = defineKernel({
  op: "DynamicQuantizeLinear",
  supports: (node, _a, g) => (g.types[node.inputs[0]!]!.dtype === "f32" ? undefined : `x is ${g.types[node.inputs[0]!]!.dtype}; the C kernel quantizes float32`),
  emit(node, _attrs, ctx) {
    useQuantizeHelper(ctx);
    const x = node.inputs[0]!;
    const [y, ys, yz] = node.outputs as [string, string | undefined, string | undefined];
    return [
      `const float *x = ${ctx.ptr(x)};`,
      `uint8_t *y = ${ctx.ptr(y)};`,
      `size_t i, n = (size_t)${ctx.numel(x)};`,
      `float lo = 0.0f, hi = 0.0f, range, scale, z;`,
      `int32_t zp;`,
      `for (i = 0; i < n; i++) {`,
      `  if (x[i] < lo) lo = x[i];`,
      `  if (x[i] > hi) hi = x[i];`,
      `}`,
      `range = hi == lo ? 1.0f : hi - lo;`,
      `scale = range / 255.0f;`,
      `z = lo / scale;`,
      `z = 0.0f - z;`,
      `zp = z != z ? 0 : (int32_t)nearbyint(z < 0.0f ? 0.0 : z > 255.0f ? 255.0 : (double)z);`,
      `for (i = 0; i < n; i++) {`,
      `  const float q = x[i] / scale;`,
      `  y[i] = (uint8_t)neonc_quantize_f64((double)q, zp, 0, 255);`,
      `}`,
      ys ? `*${ctx.ptr(ys)} = scale;` : "",
      yz ? `*${ctx.ptr(yz)} = (uint8_t)zp;` : "",
    ].filter((l) => l !== "").join("\n");
  },
});
