// The C kernel of every unary element-wise op (the ops whose definition has `traits.unary`,
// ir/unary.ts), made from the op's own C form: one flat loop, 4 lanes at a time with NEON where
// the form has a vector version (c-math.ts), the tail and c99 in scalar C. All may write over
// their input. An op gets its kernel by being defined; nothing here names an op.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import type { OpDef } from "../../ir/op.js";
import { findOp } from "../../ir/registry.js";
import type { Tensor } from "../../ir/types.js";
import type { UnaryFn } from "../../ir/unary.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { unaryLoop } from "./c-math.js";

/** The attributes the C form sees: the node's, with its constant extra operands folded in (Clip's bounds). */
export function unaryAttrs(fn: UnaryFn<any>, node: Node, attrs: Attrs, constant: (v: string) => Tensor | undefined): Attrs {
  if (!fn.operands || node.inputs.length < 2) return attrs;
  return fn.operands(node.inputs.map((v, i) => (i === 0 || !v ? undefined : constant(v))), attrs) as Attrs;
}

function unaryKernel(def: OpDef<any>): KernelDef {
  const fn = def.traits!.unary!;
  return defineKernel({
    op: def.name,
    inPlace: 0,
    supports(node: Node, _a: Attrs, g: Graph) {
      if (g.types[node.inputs[0]!]?.dtype !== "f32" || g.types[node.outputs[0]!]?.dtype !== "f32") return "only float32 is generated";
      const live = node.inputs.findIndex((v, i) => i > 0 && v !== "" && !g.constants[v]);
      if (live > 0) return `its ${def.inputs[live]!.replace(/\?$/, "")} is computed at run time; the C kernel needs it constant`;
      return undefined;
    },
    emit(node, attrs, ctx) {
      const a = unaryAttrs(fn, node, attrs, (v) => ctx.constant(v));
      return unaryLoop(ctx, fn, a, ctx.ptr(node.inputs[0]!), ctx.ptr(node.outputs[0]!), ctx.numel(node.outputs[0]!));
    },
  });
}

/** The kernel of `op` when it is a unary element-wise op (a kernel provider, codegen/kernel.ts). */
export function unaryKernelFor(op: string): KernelDef | undefined {
  const def = findOp(op);
  return def?.traits?.unary ? unaryKernel(def) : undefined;
}
