// ArgMax / ArgMin and CumSum along one axis, for every dtype the ops take (ir/kernels/scan.ts):
// x viewed as [outer][n][inner]. ArgMax/ArgMin keep the first extreme (the last with
// select_last_index) and a NaN wins as the interpreter's does (the first NaN, or the last with
// select_last_index); CumSum sums in the element type (float for f32, so partial sums round as
// the interpreter's Math.fround does; integers wrap), exclusive and reverse as ONNX says. The
// greedy CTC decoder of a speech model ends in ArgMax over the classes: one pass over each row
// (inner = 1) that gcc keeps scalar; it is small beside the network before it.
import { normAxis } from "../../ir/shape-util.js";
import { cProduct, ctype } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { isFloatKind, kindOf, wrapType } from "./c-types.js";
import type { Node } from "../../ir/graph.js";

function outerNInner(ctx: KernelContext, x: string, axis: number): [string, string, string] {
  const s = ctx.type(x).shape;
  return [cProduct(s.slice(0, axis)), ctx.dim(s[axis]!), cProduct(s.slice(axis + 1))];
}

function argKernel(op: "ArgMax" | "ArgMin"): KernelDef {
  const cmp = op === "ArgMax" ? ">" : "<";
  return defineKernel({
    op,
    emit(node: Node, attrs, ctx) {
      const x = node.inputs[0]!, y = node.outputs[0]!;
      const dt = ctx.type(x).dtype;
      const axis = normAxis(attrs.axis as number, ctx.type(x).shape.length);
      const [outer, n, inner] = outerNInner(ctx, x, axis);
      const last = (attrs.select_last_index as number) !== 0;
      const float = isFloatKind(kindOf(dt));
      // take: NaN rules first (floats only), then the strict comparison, or equality too for the last index.
      const better = `v ${cmp} bv${last ? " || v == bv" : ""}`;
      const take = float ? `bnan ? (nan && ${last ? 1 : 0}) : nan ? 1 : (${better})` : better;
      return [
        `const ${ctype(dt)} *px = ${ctx.ptr(x)};`,
        `int64_t *py = ${ctx.ptr(y)};`,
        `const size_t outer = (size_t)${outer}, n = (size_t)${n}, inner = (size_t)${inner};`,
        `size_t o, i, k;`,
        `for (o = 0; o < outer; o++)`,
        `  for (i = 0; i < inner; i++) {`,
        `    const ${ctype(dt)} *row = px + o * n * inner + i;`,
        `    ${ctype(dt)} bv = row[0];`,
        `    size_t best = 0;`,
        ...(float ? [`    int bnan = bv != bv;`] : []),
        `    for (k = 1; k < n; k++) {`,
        `      const ${ctype(dt)} v = row[k * inner];`,
        ...(float ? [`      const int nan = v != v;`] : []),
        `      if (${take}) { best = k; bv = v;${float ? " bnan = nan;" : ""} }`,
        `    }`,
        `    py[o * inner + i] = (int64_t)best;`,
        `  }`,
      ].join("\n");
    },
  });
}

const cumSumKernel = defineKernel({
  op: "CumSum",
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const dt = ctx.type(x).dtype;
    const t = ctype(dt);
    const axis = normAxis(attrs.axis as number, ctx.type(x).shape.length);
    const [outer, n, inner] = outerNInner(ctx, x, axis);
    const float = isFloatKind(kindOf(dt));
    const acc = float ? t : wrapType(dt);
    const at = attrs.reverse ? "(n - 1 - s)" : "s";
    const add = `acc = (${acc})(acc + (${acc})px[base + ${at} * inner]);`;
    const put = `py[base + ${at} * inner] = (${t})acc;`;
    return [
      `const ${t} *px = ${ctx.ptr(x)};`,
      `${t} *py = ${ctx.ptr(y)};`,
      `const size_t outer = (size_t)${outer}, n = (size_t)${n}, inner = (size_t)${inner};`,
      `size_t o, i, s;`,
      `for (o = 0; o < outer; o++)`,
      `  for (i = 0; i < inner; i++) {`,
      `    const size_t base = o * n * inner + i;`,
      `    ${acc} acc = 0;`,
      `    for (s = 0; s < n; s++) { ${attrs.exclusive ? `const ${t} v = px[base + ${at} * inner]; ${put} acc = (${acc})(acc + (${acc})v);` : `${add} ${put}`} }`,
      `  }`,
    ].join("\n");
  },
});

export const scanKernels: KernelDef[] = [argKernel("ArgMax"), argKernel("ArgMin"), cumSumKernel];
