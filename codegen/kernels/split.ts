// Split of any dtype along any axis (the inverse of ./concat.ts): for each index of the axes
// before `axis`, each output takes one contiguous run of the input (its own dims from `axis` on),
// copied with memcpy. Outputs nobody reads (empty names) are skipped over.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct } from "../c-util.js";
import { defineKernel } from "../kernel.js";

export const splitKernel = defineKernel({
  op: "Split",
  emit(node, attrs, ctx) {
    const xN = node.inputs[0]!;
    const x = ctx.type(xN);
    const axis = normAxis(attrs.axis as number, x.shape.length);
    const xp = ctx.ptr(xN);
    const lines = [`const size_t outer = (size_t)${cProduct(x.shape.slice(0, axis))}, es = sizeof(*${xp});`, `const char *xs = (const char *)${xp};`, `size_t o;`];
    lines.push(`for (o = 0; o < outer; o++) {`);
    node.outputs.forEach((v, k) => {
      // An output with no name has no type to size its piece from.
      const shape = v ? ctx.type(v).shape : ctx.fail(`output ${k} has no name; the C generator needs every Split output named`);
      const run = `(size_t)${cProduct(shape.slice(axis))} * es`;
      lines.push(`  memcpy((char *)${ctx.ptr(v)} + o * ${run}, xs, ${run});`, `  xs += ${run};`);
    });
    lines.push(`}`);
    return lines.join("\n");
  },
});
