// LpNormalization (p = 1 or 2, f32 or f64) along one axis, as ir/kernels/norm.ts's lpNormalize:
// x viewed as [outer][n][inner], each of the outer * inner vectors summed (|x| or x*x) into a
// double in order, its norm (the sum, or its square root) divides every element in double and
// the quotient is rounded once, so the C equals the interpreter bit for bit. A zero vector gives
// NaN as the ONNX reference does.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct, ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";

export const lpNormKernel = defineKernel({
  op: "LpNormalization",
  supports(node, attrs, g) {
    const dt = g.types[node.inputs[0]!]?.dtype;
    if (dt !== "f32" && dt !== "f64") return `LpNormalization of ${dt ?? "an untyped value"} is not generated`;
    if (attrs.p !== 1 && attrs.p !== 2) return `p must be 1 or 2, got ${String(attrs.p)}`;
    return undefined;
  },
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const { dtype, shape } = ctx.type(x);
    const t = ctype(dtype);
    const axis = normAxis(attrs.axis as number, shape.length);
    const term = attrs.p === 1 ? "fabs(v)" : "v * v";
    return [
      `const ${t} *px = ${ctx.ptr(x)};`,
      `${t} *py = ${ctx.ptr(y)};`,
      `const size_t outer = (size_t)(${cProduct(shape.slice(0, axis))}), n = (size_t)(${ctx.dim(shape[axis]!)}), inner = (size_t)(${cProduct(shape.slice(axis + 1))});`,
      `size_t o, i, k;`,
      `for (o = 0; o < outer; o++)`,
      `  for (i = 0; i < inner; i++) {`,
      `    const size_t base = o * n * inner + i;`,
      `    double s = 0.0, norm;`,
      `    for (k = 0; k < n; k++) { const double v = (double)px[base + k * inner]; s += ${term}; }`,
      `    norm = ${attrs.p === 1 ? "s" : "sqrt(s)"};`,
      `    for (k = 0; k < n; k++) py[base + k * inner] = (${t})((double)px[base + k * inner] / norm);`,
      `  }`,
    ].join("\n");
  },
});
