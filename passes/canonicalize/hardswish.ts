// HardSwish as one op: before opset 14 ONNX has no HardSwish, and exporters write it as
//   x * HardSigmoid(x) {alpha=1/6, beta=0.5}          (PyTorch's nn.Hardswish below opset 14)
//   x * Relu6(x + 3) / 6, i.e. x * Clip(x + 3, 0, 6) / 6   (MobileNetV3-style code, TF exports)
// in any association of the product (/6 or *(1/6), before or after the multiplication by x).
// The rule writes either as HardSwish(x), which has its own C, int8 table and gradient.
// Constants must match within CONSTANT_RTOL (./match.ts); intermediates must be read by the
// pattern alone.
import type { Node } from "../../ir/graph.js";
import { typesEqual } from "../../ir/types.js";
import { isComputeFloat } from "../float-constants.js";
import { ensure, rule, type GraphView, type Rule } from "../patterns.js";
import { factorsOf, near, otherThanConstant, privateProducer } from "./match.js";

/** `v` = HardSigmoid(x) {alpha=1/6, beta=1/2}, private: its node. */
function hardSigmoidOf(g: GraphView, v: string, x: string): Node[] | undefined {
  const h = privateProducer(g, v, "HardSigmoid");
  if (!h || h.inputs[0] !== x) return undefined;
  const a = g.attrs<{ alpha: number; beta: number }>(h);
  return near(a.alpha, 1 / 6) && near(a.beta, 0.5) ? [h] : undefined;
}

/** `v` = Clip(x + 3, 0, 6) (Relu6), private: its nodes. */
function relu6Of(g: GraphView, v: string, x: string): Node[] | undefined {
  const clip = privateProducer(g, v, "Clip");
  if (!clip || clip.inputs.slice(1).some((i) => i !== "")) return undefined;
  const a = g.attrs<{ min?: number; max?: number }>(clip);
  if (a.min !== 0 || a.max === undefined || !near(a.max, 6)) return undefined;
  const add = privateProducer(g, clip.inputs[0]!, "Add");
  return add && otherThanConstant(g, add, 3) === x ? [clip, add] : undefined;
}

export const hardSwishRule: Rule = rule(["Mul", "Div"], (root, g) => {
  const f = factorsOf(g, root.outputs[0]!);
  if (f.values.length !== 2) return undefined;
  const [p, q] = f.values as [string, string];
  let found: { x: string; nodes: Node[] } | undefined;
  for (const [x, h] of [[p, q], [q, p]] as const) {
    const nodes = near(f.scale, 1) ? hardSigmoidOf(g, h, x) : near(f.scale, 1 / 6) ? relu6Of(g, h, x) : undefined;
    if (nodes) found = { x, nodes: [...f.nodes, ...nodes] };
  }
  if (!found) return undefined;
  const { x, nodes } = found;
  const out = root.outputs[0]!;
  ensure(isComputeFloat(g.type(x).dtype), `%${x} is ${g.type(x).dtype}`);
  ensure(typesEqual(g.type(out), g.type(x)), "the product broadcasts x to another shape");
  const rw = g.rewrite(root).absorb(...nodes.filter((n) => n !== root));
  const y = rw.op1("HardSwish", [x]);
  const spelled = nodes.some((n) => n.op === "HardSigmoid") ? "x * HardSigmoid(x) {alpha=1/6, beta=1/2}" : "x * Relu6(x + 3) / 6";
  return rw.explain(`${spelled} is HardSwish(x)`).replaceWith(y);
}, "hardswish-spelled-out");
