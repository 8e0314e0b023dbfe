// Softmax and LogSoftmax over one axis (or, with flatten=1, over all axes from `axis`). The
// reduction axis is usually not the innermost (log-probs are [1, classes, T]), so the kernel
// keeps a running max and sum per inner position in scratch and streams over the axis: every
// pass reads contiguous memory. Safe in place: each element is read before it is written.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { mulDim } from "../../ir/dim.js";

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
      const inner = cProduct(innerDims);
      const tmp = ctx.scratch(mulDim(2, innerDims.reduce((a, b) => mulDim(a, b), 1)));
      return [
        `const float *x = ${ctx.ptr(node.inputs[0]!)};`,
        `float *y = ${ctx.ptr(node.outputs[0]!)};`,
        `const size_t outer = (size_t)${outer}, n = (size_t)${n}, inner = (size_t)${inner};`,
        `float *mx = ${tmp}, *sum = mx + inner;`,
        `size_t o, k, i;`,
        `for (o = 0; o < outer; o++) {`,
        `  const float *xo = x + o * n * inner;`,
        `  float *yo = y + o * n * inner;`,
        `  for (i = 0; i < inner; i++) { mx[i] = xo[i]; sum[i] = 0.0f; }`,
        `  for (k = 1; k < n; k++) for (i = 0; i < inner; i++) if (xo[k * inner + i] > mx[i]) mx[i] = xo[k * inner + i];`,
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
