// Gather of any dtype along any axis. Constant indices (the usual form in exported speech models:
// a fixed position or channel set) are checked and made non-negative at compile time, as the
// interpreter would reject them at run time. Indices computed at run time (token ids, positions)
// and indices into a symbolic axis are made non-negative in C (negative counts from the end, per
// ONNX) and checked against the axis: an index out of range makes the run return 4. Each index copies an
// inner block per outer index with memcpy.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { ctype } from "../c-util.js";

/** Gather with indices read at run time (i32 or i64), negative ones from the end; out of range returns 4. */
function emitRuntime(ctx: KernelContext, xN: string, iN: string, yN: string, axis: number): string {
  const x = ctx.type(xN);
  const d = ctx.dim(x.shape[axis]!);
  const xp = ctx.ptr(xN);
  return [
    `const size_t outer = (size_t)${cProduct(x.shape.slice(0, axis))}, inner = (size_t)${cProduct(x.shape.slice(axis + 1))} * sizeof(*${xp});`,
    `const size_t m = (size_t)${ctx.numel(iN)};`,
    `const int64_t d = (int64_t)${d};`,
    `const ${ctype(ctx.type(iN).dtype)} *idx = ${ctx.ptr(iN)};`,
    `const char *xs = (const char *)${xp};`,
    `char *ys = (char *)${ctx.ptr(yN)};`,
    `size_t o, j;`,
    `for (o = 0; o < outer; o++)`,
    `  for (j = 0; j < m; j++, ys += inner) {`,
    `    int64_t k = (int64_t)idx[j];`,
    `    if (k < 0) k += d;`,
    `    if (k < 0 || k >= d) return 4;`,
    `    memcpy(ys, xs + (o * (size_t)d + (size_t)k) * inner, inner);`,
    `  }`,
  ].join("\n");
}

export const gatherKernel = defineKernel({
  op: "Gather",
  supports(node, attrs, g) {
    const data = g.types[node.inputs[0]!]!;
    const idx = g.constants[node.inputs[1]!];
    if (!idx) return undefined;
    const d = data.shape[normAxis(attrs.axis as number, data.shape.length)]!;
    if (typeof d !== "number") return undefined; // checked at run time, as computed indices are
    const bad = Array.from(idx.data as ArrayLike<number | bigint>, Number).find((i) => i < -d || i >= d);
    return bad === undefined ? undefined : `index ${bad} is out of range for an axis of ${d}`;
  },
  emit(node, attrs, ctx) {
    const [xN, iN] = node.inputs as [string, string];
    const yN = node.outputs[0]!;
    const x = ctx.type(xN);
    const axis = normAxis(attrs.axis as number, x.shape.length);
    if (!ctx.constant(iN) || typeof x.shape[axis] !== "number") return emitRuntime(ctx, xN, iN, yN, axis);
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
