// conv2d-to-1d: one form for 1-D convolution. Some exporters write Conv1d as a 2-D Conv on
// [N, C, 1, T] with a 1xK kernel, often wrapped as Unsqueeze -> Conv2d -> Squeeze. This pass
// rewrites such a Conv as Squeeze -> Conv (1-D, kernel [M, C/g, K]) -> Unsqueeze, moves the
// Unsqueeze down through elementwise ops and BatchNormalization, and cancels Unsqueeze/Squeeze
// pairs, so a chain of 2-D-written convolutions becomes plain 1-D Convs.
import type { Node } from "../ir/graph.js";
import { isBinaryElementwise, isChannelwise } from "../ir/traits.js";
import { definePass } from "./pass.js";
import { reshapeTensor } from "./float-constants.js";
import { ensure, rule, type GraphView, type Rule } from "./patterns.js";
import { viewRules } from "./canonicalize/views.js";

/** True when `n` is an Unsqueeze turning [N, C, T] into [N, C, 1, T]. */
function isAxis2Unsqueeze(n: Node | undefined, g: GraphView): n is Node {
  if (n?.op !== "Unsqueeze") return false;
  const axes = g.attrs<{ axes: readonly number[] }>(n).axes;
  return axes.length === 1 && (axes[0] === 2 || axes[0] === -2) && g.type(n.inputs[0]!).shape.length === 3;
}

const conv2dAs1d: Rule = rule("Conv", (conv, g) => {
  const x = g.type(conv.inputs[0]!);
  const w = g.type(conv.inputs[1]!);
  if (x.shape.length !== 4) return undefined;
  ensure(x.shape[2] === 1, () => `the input's height is ${String(x.shape[2])}, not 1`);
  ensure(w.shape[2] === 1, () => `the kernel's height is ${String(w.shape[2])}, not 1`);
  const a = g.attrs<{ kernel_shape?: readonly number[]; strides: readonly number[]; pads: readonly number[]; dilations: readonly number[] }>(conv);
  const pads = a.pads.length === 4 ? a.pads : [0, 0, 0, 0];
  ensure(pads[0] === 0 && pads[2] === 0, `it pads the height axis (pads [${pads.join(",")}])`);
  const attrs: Record<string, unknown> = { ...conv.attrs };
  if (a.kernel_shape) attrs.kernel_shape = [a.kernel_shape[1]!];
  if (a.strides.length === 2) attrs.strides = [a.strides[1]!];
  if (a.dilations.length === 2) attrs.dilations = [a.dilations[1]!];
  if (a.pads.length === 4) attrs.pads = [pads[1]!, pads[3]!];
  const b = g.rewrite(conv);
  const wc = g.constant(conv.inputs[1]!);
  const w1 = wc
    ? b.constant(`${conv.inputs[1]}.1d`, reshapeTensor(wc, [wc.shape[0]!, wc.shape[1]!, wc.shape[3]!]))
    : b.op1("Squeeze", [conv.inputs[1]!], { axes: [2] }, { output: `${conv.inputs[1]}.1d` });
  const x1 = b.op1("Squeeze", [conv.inputs[0]!], { axes: [2] }, { output: `${conv.inputs[0]}.1d` });
  const y1 = b.op1("Conv", [x1, w1, ...conv.inputs.slice(2)], attrs as Node["attrs"], { output: `${conv.outputs[0]}.1d` });
  const y = b.op1("Unsqueeze", [y1], { axes: [2] });
  return b.explain("rewritten as a 1-D Conv between Squeeze and Unsqueeze").replaceWith(y);
}, "conv2d-1xk");

/**
 * op(Unsqueeze(x)) -> Unsqueeze(op(x)) for ops that act per element or per channel (unary
 * element-wise ops and the `channelwise` trait: they commute with inserting the size-1 axis 2),
 * so the Unsqueeze meets the next Squeeze.
 */
const sinkUnsqueeze: Rule = rule(isChannelwise, (node, g) => {
  const u = g.producer(node.inputs[0]!);
  if (!isAxis2Unsqueeze(u, g)) return undefined;
  ensure(node.outputs.filter((o) => o).length === 1 && node.outputs.slice(1).every((o) => !o || g.useCount(o) === 0), "it has more than one output in use");
  ensure(node.inputs.slice(1).every((i) => !i || g.type(i).shape.length <= 1), "an extra input is not per channel or scalar");
  const b = g.rewrite(node).absorb(u);
  const inner = b.op1(node.op, [u.inputs[0]!, ...node.inputs.slice(1)], node.attrs, { output: `${node.outputs[0]}.1d` });
  return b.explain("moved the Unsqueeze below it").replaceWith(b.op1("Unsqueeze", [inner], { axes: [2] }), ...node.outputs.slice(1).map(() => ""));
}, "sink-unsqueeze");

/** A binary element-wise op (Add, Mul, ... the `binary` trait) of two axis-2 unsqueezes of same-rank values. */
const sinkUnsqueezeBinary: Rule = rule(isBinaryElementwise, (node, g) => {
  const ua = g.producer(node.inputs[0]!);
  const ub = g.producer(node.inputs[1]!);
  if (!isAxis2Unsqueeze(ua, g) && !isAxis2Unsqueeze(ub, g)) return undefined;
  ensure(isAxis2Unsqueeze(ua, g) && isAxis2Unsqueeze(ub, g), "only one operand comes from an Unsqueeze");
  const b = g.rewrite(node).absorb(ua, ub);
  const inner = b.op1(node.op, [ua.inputs[0]!, ub.inputs[0]!], node.attrs, { output: `${node.outputs[0]}.1d` });
  return b.explain("moved the Unsqueezes below it").replaceWith(b.op1("Unsqueeze", [inner], { axes: [2] }));
}, "sink-unsqueeze-binary");

export const conv2dTo1d = definePass({
  name: "conv2d-to-1d",
  doc: "Rewrites Conv2d on [N,C,1,T] with 1xK kernels (and Unsqueeze/Squeeze around them) as 1-D Conv.",
  rules: [conv2dAs1d, sinkUnsqueeze, sinkUnsqueezeBinary, ...viewRules],
});
