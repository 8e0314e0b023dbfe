// Concat of any dtype along any axis: for each index of the axes before `axis`, each input
// contributes one contiguous run (its dims from `axis` on), copied with memcpy.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct } from "../c-util.js";
import { defineKernel } from "../kernel.js";

export const concatKernel = defineKernel({
  op: "Concat",
  emit(node, attrs, ctx) {
    const yN = node.outputs[0]!;
    const y = ctx.type(yN);
    const axis = normAxis(attrs.axis as number, y.shape.length);
    const yp = ctx.ptr(yN);
    const inputs = node.inputs.filter((v) => v && ctx.type(v).shape.every((d) => d !== 0));
    const lines = [`const size_t outer = (size_t)${cProduct(y.shape.slice(0, axis))}, es = sizeof(*${yp});`, `char *ys = (char *)${yp};`, `size_t o;`];
    lines.push(`for (o = 0; o < outer; o++) {`);
    for (const v of inputs) {
      const run = `(size_t)${cProduct(ctx.type(v).shape.slice(axis))} * es`;
      lines.push(`  memcpy(ys, (const char *)${ctx.ptr(v)} + o * ${run}, ${run});`, `  ys += ${run};`);
    }
    lines.push(`}`);
    return lines.join("\n");
  },
});
