// fuse-activation: an activation node after an op that can carry one (the `fusedActivation`
// trait: Conv, ConvTranspose, Gemm, MatMul, Add) becomes that op with the `activation` /
// `activation_params` attributes (ir/activation.ts, the table of kinds).
//
// By default only the kinds the float conv / GEMM kernels apply in their epilogue are fused —
// Relu, Clip (Relu6, HardTanh) and LeakyRelu — which is what saves a pass over the output; and
// Relu and Clip then become a clamp on the accumulator in int8. `kinds=all` fuses every
// activation with a fused form (Sigmoid, Tanh, Swish, Mish, Softplus, HardSwish, Elu...): the C
// applies those by a sweep over the output right after the kernel, and int8 writes them as a
// table after the integer op.
import { activationOfNode, fusedKind } from "../ir/activation.js";
import type { Node } from "../ir/graph.js";
import { opNamesWith } from "../ir/traits.js";
import { getOp } from "../ir/registry.js";
import { definePass } from "./pass.js";
import { enumOption } from "./options.js";
import { isComputeFloat } from "./float-constants.js";
import { decline, ensure, rule, type GraphView } from "./patterns.js";

/** Whether `op` is an activation fuse-activation fuses with option `kinds`. */
function fusable(op: string, kinds: "epilogue" | "all"): boolean {
  const row = fusedKind(op);
  return row !== undefined && (kinds === "all" || row.fn.fusion!.epilogue !== undefined);
}

/** The node's attributes with its constant extra operands folded in (Clip's bounds), or a decline. */
function attrsWithOperands(act: Node, g: GraphView): Readonly<Record<string, any>> {
  const def = getOp(act.op);
  const attrs = g.attrs<Record<string, any>>(act);
  const fn = def.traits!.unary!;
  const operands = act.inputs.map((name, i) => {
    if (i === 0 || !name) return undefined;
    const t = g.constant(name);
    ensure(t, `its ${def.inputs[i]!.replace(/\?$/, "")} is computed at run time`);
    return t;
  });
  return fn.operands && operands.some((t) => t) ? fn.operands(operands, attrs as never) : attrs;
}

export const fuseActivation = definePass({
  name: "fuse-activation",
  doc: "Fuses an activation (Relu, Clip, LeakyRelu; with kinds=all any that has a fused form) into the Conv, ConvTranspose, Gemm, MatMul or Add that produces its input.",
  options: {
    kinds: enumOption(["epilogue", "all"], "epilogue", "epilogue: the activations the float kernels apply on the way out (Relu, Clip, LeakyRelu); all: every activation with a fused form"),
  },
  rules: (o) => [
    rule((op) => fusable(op, o.kinds), (act, g) => {
      const x = act.inputs[0]!;
      const prev = g.matchProducer(x, {
        op: opNamesWith("fusedActivation"),
        singleUse: true,
        where: (p) => (p.attrs.activation ? `${p.op} ${p.name} already has a fused ${String(p.attrs.activation)}` : true),
      });
      if (!isComputeFloat(g.type(x).dtype)) return decline(`%${x} is ${g.type(x).dtype}; fused activations are for float ops`);
      const fused = activationOfNode(act.op, attrsWithOperands(act, g));
      if (typeof fused === "string") return decline(fused);
      const b = g.rewrite(act).absorb(prev);
      const attrs = fused.params.length > 0
        ? { ...prev.attrs, activation: fused.kind, activation_params: [...fused.params] }
        : { ...prev.attrs, activation: fused.kind };
      const y = b.op1(prev.op, prev.inputs, attrs);
      return b.explain(`fused into ${prev.op} ${prev.name}`).replaceWith(y);
    }, "fuse-into-producer"),
  ],
});
