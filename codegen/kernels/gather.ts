// Gather of any dtype along any axis with constant indices (the usual form in exported speech
// models: a fixed position or channel set). Indices are checked and made non-negative at compile
// time, as the interpreter would reject them at run time; each one copies an inner block per
// outer index with memcpy. Indices computed at run time, or into a symbolic axis, are not generated.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct } from "../c-util.js";
import { defineKernel } from "../kernel.js";

export const gatherKernel = defineKernel({
  op: "Gather",
  supports(node, attrs, g) {
    const data = g.types[node.inputs[0]!]!;
    const idx = g.constants[node.inputs[1]!];
    if (!idx) return "indices computed at run time are not generated (only constant indices)";
    const d = data.shape[normAxis(attrs.axis as number, data.shape.length)]!;
    if (typeof d !== "number") return "gathering along a symbolic axis is not generated";
    const bad = Array.from(idx.data as ArrayLike<number | bigint>, Number).find((i) => i < -d || i >= d);
    return bad === undefined ? undefined : `index ${bad} is out of range for an axis of ${d}`;
  },
  emit(node, attrs, ctx) {
    const [xN, iN] = node.inputs as [string, string];
    const yN = node.outputs[0]!;
    const x = ctx.type(xN);
    const axis = normAxis(attrs.axis as number, x.shape.length);
    const d = x.shape[axis] as number;
    const indices = Int32Array.from(Array.from(ctx.constant(iN)!.data as ArrayLike<number | bigint>, Number), (i) => (i < 0 ? i + d : i));
    const xp = ctx.ptr(xN);
    return [
      `const size_t outer = (size_t)${cProduct(x.shape.slice(0, axis))}, inner = (size_t)${cProduct(x.shape.slice(axis + 1))} * sizeof(*${xp});`,
      `const int32_t *idx = ${ctx.addWeights(`${node.name}_indices`, indices)};`,
      `const char *xs = (const char *)${xp};`,
      `char *ys = (char *)${ctx.ptr(yN)};`,
      `size_t o, j;`,
      `for (o = 0; o < outer; o++)`,
      `  for (j = 0; j < ${indices.length}; j++, ys += inner) memcpy(ys, xs + (o * ${d} + (size_t)idx[j]) * inner, inner);`,
    ].join("\n");
  },
});
