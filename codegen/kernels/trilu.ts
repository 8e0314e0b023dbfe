// Trilu of any dtype: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last
// two axes and zeroes the rest (zero of the dtype's storage: all bits clear for every format).
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { typedSupports } from "./typed-elementwise.js";

export const triluKernel = defineKernel({
  op: "Trilu",
  inPlace: 0,
  supports: typedSupports,
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const t = ctype(ctx.type(y).dtype);
    const s = ctx.shape(x);
    const rows = s[s.length - 2]!, cols = s[s.length - 1]!;
    const k = attrs.k as number;
    const keep = attrs.upper ? `(int64_t)j - (int64_t)i >= ${k}` : `(int64_t)j - (int64_t)i <= ${k}`;
    return [
      `const ${t} *px = ${ctx.ptr(x)};`,
      `${t} *py = ${ctx.ptr(y)};`,
      `const size_t rows = (size_t)${rows}, cols = (size_t)${cols}, mats = (size_t)${ctx.numel(x)} / (rows * cols != 0 ? rows * cols : 1);`,
      `size_t b, i, j;`,
      `for (b = 0; b < mats; b++)`,
      `  for (i = 0; i < rows; i++)`,
      `    for (j = 0; j < cols; j++) {`,
      `      const size_t at = (b * rows + i) * cols + j;`,
      `      py[at] = ${keep} ? px[at] : (${t})0;`,
      `    }`,
    ].join("\n");
  },
});
