// fuse-activation: Conv / ConvTranspose / Gemm / MatMul / Add followed by Relu, Clip (Relu6,
// HardTanh-style clamps) or LeakyRelu becomes the producer with a fused activation (the
// `activation` / `activation_params` attributes of ir/activation.ts), so a quantized kernel can
// later apply it as a clamp on its accumulator.
import type { Node } from "../ir/graph.js";
import { readNumber } from "../ir/types.js";
import type { Activation } from "../ir/activation.js";
import { definePass } from "./pass.js";
import { isComputeFloat } from "./float-constants.js";
import { decline, ensure, rule, type GraphView } from "./patterns.js";

export const FUSABLE_OPS = ["Conv", "ConvTranspose", "Gemm", "MatMul", "Add"];

/** The activation a node computes, in fused form, or a decline saying why it cannot be fused. */
function activationOfNode(act: Node, g: GraphView): Activation {
  if (act.op === "Relu") return { kind: "Relu", params: [] };
  if (act.op === "LeakyRelu") return { kind: "LeakyRelu", params: [g.attrs<{ alpha: number }>(act).alpha] };
  const a = g.attrs<{ min?: number; max?: number }>(act);
  const bound = (k: number, attr: number | undefined, open: number): number => {
    const name = act.inputs[k];
    if (!name) return attr ?? open;
    const t = g.constant(name);
    ensure(t, `its ${k === 1 ? "min" : "max"} is computed at run time`);
    return readNumber(t, 0);
  };
  const lo = bound(1, a.min, -Infinity);
  const hi = bound(2, a.max, Infinity);
  ensure(!Number.isNaN(lo) && !Number.isNaN(hi), "a bound is NaN");
  ensure(lo <= hi, `min ${lo} is above max ${hi}`);
  return { kind: "Clip", params: [lo, hi] };
}

export const fuseActivation = definePass({
  name: "fuse-activation",
  doc: "Fuses Relu, Clip or LeakyRelu into the Conv, ConvTranspose, Gemm, MatMul or Add that produces its input.",
  rules: [
    rule(["Relu", "Clip", "LeakyRelu"], (act, g) => {
      const x = act.inputs[0]!;
      const prev = g.matchProducer(x, {
        op: FUSABLE_OPS,
        singleUse: true,
        where: (p) => (p.attrs.activation ? `${p.op} ${p.name} already has a fused ${String(p.attrs.activation)}` : true),
      });
      if (!isComputeFloat(g.type(x).dtype)) return decline(`%${x} is ${g.type(x).dtype}; fused activations are for float ops`);
      const fused = activationOfNode(act, g);
      const b = g.rewrite(act).absorb(prev);
      const attrs = fused.params.length > 0
        ? { ...prev.attrs, activation: fused.kind, activation_params: [...fused.params] }
        : { ...prev.attrs, activation: fused.kind };
      const y = b.op1(prev.op, prev.inputs, attrs);
      return b.explain(`fused into ${prev.op} ${prev.name}`).replaceWith(y);
    }, "fuse-into-producer"),
  ],
});
