// Requantize in C: centre the integer input on its zero point (int32, wrapping as the
// interpreter's Int32Array does), then one requantization row over the whole tensor.
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { dtypesIn, requantOf, rqTail, useRequantRow } from "./qint-common.js";

export const qRequantizeKernel = defineKernel({
  op: "Requantize",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["i8", "u8", "i16", "i32"] }, ["i8", "u8", "i16"]),
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const p = requantOf(attrs, 1, ctx);
    const row = useRequantRow(ctx, p, ctx.type(y).dtype);
    const acc = ctx.scratch(ctx.type(x).shape.reduce<number>((n, d) => n * ctx.maxDim(d), 1), "int32_t");
    const zp = attrs.x_zero_point as number;
    return [
      `const ${ctype(ctx.type(x).dtype)} *x = ${ctx.ptr(x)};`,
      `int32_t *acc = ${acc};`,
      `int i, n = ${ctx.numel(x)};`,
      `for (i = 0; i < n; i++) acc[i] = (int32_t)((uint32_t)x[i] - (uint32_t)${zp});`,
      `${row.one}(acc, ${ctx.ptr(y)}, n, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`,
    ].join("\n");
  },
});
