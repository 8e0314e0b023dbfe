// Cast and CastLike between every pair of dtypes but string, one flat loop of c-types.ts's
// castExpr: the rules of ir/kernels/elementwise-cast.ts bit for bit (float8 per `saturate`, bf16
// by truncation as the ONNX reference, float to integer truncating and wrapping, 64-bit integers
// through double as the interpreter's Number()). A cast to the same dtype is a copy.
import type { Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { castExpr } from "./c-types.js";
import { typedSupports } from "./typed-elementwise.js";

function emitCast(node: Node, saturate: boolean, ctx: KernelContext): string {
  const x = node.inputs[0]!, y = node.outputs[0]!;
  const from = ctx.type(x).dtype, to = ctx.type(y).dtype;
  return [
    `const ${ctype(from)} *px = ${ctx.ptr(x)};`,
    `${ctype(to)} *py = ${ctx.ptr(y)};`,
    `size_t i, n = (size_t)${ctx.numel(y)};`,
    `for (i = 0; i < n; i++) py[i] = ${castExpr(ctx, from, to, "px[i]", saturate)};`,
  ].join("\n");
}

export const castKernels: KernelDef[] = ["Cast", "CastLike"].map((op) =>
  defineKernel({
    op,
    supports: typedSupports,
    emit: (node, attrs, ctx) => emitCast(node, (attrs.saturate as number) !== 0, ctx),
  }));
