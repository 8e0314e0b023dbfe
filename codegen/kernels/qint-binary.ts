// QAdd and QMul in C with numpy broadcasting: each output element's int32 value (QAdd: both
// centred inputs shifted left and rescaled to the common scale with the node's rounding, then
// added with int32 wrap-around; QMul: the product of the centred inputs) goes to scratch, then
// one requantization row. Same-shape operands run one flat loop; broadcasting walks the output
// index like an odometer with stride 0 on broadcast axes.
import { isRounding } from "../../ir/fixed-point.js";
import type { Node } from "../../ir/graph.js";
import { mulDim, type Dim } from "../../ir/dim.js";
import { ctype } from "../c-util.js";
import { useFixedPoint } from "../fixed-point-c.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { dtypesIn, requantOf, rqTail, useRequantRow } from "./qint-common.js";

/** C strides of input v broadcast to the output shape (0 on broadcast axes), as C expressions. */
function bcastStrides(ctx: KernelContext, v: string, outRank: number): string[] {
  const shape = ctx.type(v).shape;
  const cs = ctx.shape(v);
  const pad = outRank - shape.length;
  const out: string[] = [];
  let stride = "1";
  for (let i = outRank - 1; i >= 0; i--) {
    const j = i - pad;
    if (j < 0 || shape[j] === 1) out[i] = "0";
    else {
      out[i] = stride;
      stride = `${stride} * ${cs[j]}`;
    }
  }
  return out;
}

function sameShape(ctx: KernelContext, node: Node): boolean {
  const y = ctx.type(node.outputs[0]!).shape.map(String).join(",");
  return node.inputs.every((v) => ctx.type(v).shape.map(String).join(",") === y);
}

/** The loop that fills acc[i] from a[ia], b[ib] with `expr` (in terms of va, vb). */
function binaryLoop(ctx: KernelContext, node: Node, expr: string): string[] {
  const [aN, bN] = node.inputs as [string, string];
  const yN = node.outputs[0]!;
  const head = [
    `const ${ctype(ctx.type(aN).dtype)} *pa = ${ctx.ptr(aN)};`,
    `const ${ctype(ctx.type(bN).dtype)} *pb = ${ctx.ptr(bN)};`,
    `int i, n = ${ctx.numel(yN)};`,
  ];
  if (sameShape(ctx, node)) return [...head, `for (i = 0; i < n; i++) { int32_t va = pa[i], vb = pb[i]; acc[i] = ${expr}; }`];
  const R = ctx.type(yN).shape.length;
  const dims = ctx.shape(yN);
  const sa = bcastStrides(ctx, aN, R), sb = bcastStrides(ctx, bN, R);
  return [
    ...head,
    `const long dims[${R}] = {${dims.join(", ")}}, sa[${R}] = {${sa.join(", ")}}, sb[${R}] = {${sb.join(", ")}};`,
    `long idx[${R}] = {0}, ia = 0, ib = 0;`,
    `int d;`,
    `for (i = 0; i < n; i++) {`,
    `  int32_t va = pa[ia], vb = pb[ib];`,
    `  acc[i] = ${expr};`,
    `  for (d = ${R - 1}; d >= 0; d--) {`,
    `    ia += sa[d]; ib += sb[d];`,
    `    if (++idx[d] < dims[d]) break;`,
    `    ia -= sa[d] * dims[d]; ib -= sb[d] * dims[d]; idx[d] = 0;`,
    `  }`,
    `}`,
  ];
}

function numelDim(shape: readonly Dim[]): Dim {
  return shape.reduce<Dim>((a, d) => mulDim(a, d), 1);
}

const supports = (node: Node, _a: unknown, g: Parameters<NonNullable<ReturnType<typeof defineKernel>["supports"]>>[2]) =>
  dtypesIn(node, g, { 0: ["i8", "u8"], 1: ["i8", "u8"] }, ["i8", "u8", "i16"]);

export const qAddKernel = defineKernel({
  op: "QAdd",
  supports,
  emit(node, attrs, ctx) {
    const yN = node.outputs[0]!;
    const p = requantOf(attrs, 1, ctx);
    const rounding = attrs.rounding as string;
    if (!isRounding(rounding)) return ctx.fail(`unknown rounding ${rounding}`);
    const fp = useFixedPoint(ctx, rounding).scalar;
    const row = useRequantRow(ctx, p, ctx.type(yN).dtype);
    const ls = 2 ** (attrs.left_shift as number);
    const ra = `${fp}((va - ${attrs.a_zero_point as number}) * ${ls}, ${attrs.a_multiplier as number}, ${attrs.a_shift as number})`;
    const rb = `${fp}((vb - ${attrs.b_zero_point as number}) * ${ls}, ${attrs.b_multiplier as number}, ${attrs.b_shift as number})`;
    return [
      `int32_t *acc = ${ctx.scratch(numelDim(ctx.type(yN).shape), "int32_t")};`,
      ...binaryLoop(ctx, node, `(int32_t)((uint32_t)${ra} + (uint32_t)${rb})`),
      `${row.one}(acc, ${ctx.ptr(yN)}, n, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`,
    ].join("\n");
  },
});

export const qMulKernel = defineKernel({
  op: "QMul",
  supports,
  emit(node, attrs, ctx) {
    const yN = node.outputs[0]!;
    const p = requantOf(attrs, 1, ctx);
    const row = useRequantRow(ctx, p, ctx.type(yN).dtype);
    return [
      `int32_t *acc = ${ctx.scratch(numelDim(ctx.type(yN).shape), "int32_t")};`,
      ...binaryLoop(ctx, node, `(va - ${attrs.a_zero_point as number}) * (vb - ${attrs.b_zero_point as number})`),
      `${row.one}(acc, ${ctx.ptr(yN)}, n, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`,
    ].join("\n");
  },
});
