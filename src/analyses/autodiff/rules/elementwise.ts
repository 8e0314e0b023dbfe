// Gradients of the elementwise ops: every unary element-wise op from its description's
// derivative (unaryVjp), and the broadcasting arithmetic (dy scaled by the other operand and
// summed back to each operand's shape; Add through its fused activation).
import { makeTensor, type Tensor } from "../../../../ir/types.js";
import { broadcast2, divRow, mulRow, planBroadcast } from "../../../../ir/kernels/elementwise.js";
import { fdata, sumToShape, throughFusedActivation, zerosLike } from "../grad-util.js";
import type { UnaryFn } from "../../../../ir/unary.js";
import type { VjpArgs, VjpRule } from "../types.js";

/**
 * The gradient rule of a unary element-wise op, from its description (ir/unary.ts): dy times
 * df(x, y) per element. Extra operands (Clip's bounds) are constants of the forward run; their
 * gradients are not computed.
 */
export function unaryVjp(op: string, fn: UnaryFn<any>): VjpRule {
  return ({ inputs, outputs, attrs, dy, wants }) => {
    if (!dy[0]) return [];
    if (wants.slice(1).some(Boolean)) throw new Error(`${op}: gradients of operands other than the input (computed at run time here) are not supported`);
    const a = fn.operands ? fn.operands(inputs, attrs) : attrs;
    const out = zerosLike(dy[0]);
    const x = fdata(inputs[0]!), y = fdata(outputs[0]!), g = fdata(dy[0]), o = fdata(out);
    const df = fn.df;
    for (let i = 0, n = o.length; i < n; i++) o[i] = g[i]! * df(x[i]!, y[i]!, a);
    return [out];
  };
}

/** g * other, broadcast to g's shape, then summed back to `shape`. */
function scaledBack(g: Tensor, other: Tensor, shape: readonly number[], div = false): Tensor {
  const t = makeTensor(g.dtype, g.shape);
  const plan = planBroadcast(g.shape, [g.shape, other.shape]);
  broadcast2(plan, fdata(t), fdata(g), fdata(other), div ? divRow : mulRow);
  return sumToShape(t, shape);
}

function negated(t: Tensor): Tensor {
  const out = zerosLike(t);
  const o = fdata(out), s = fdata(t);
  for (let i = 0; i < o.length; i++) o[i] = -s[i]!;
  return out;
}

export const addVjp: VjpRule = ({ inputs, outputs, attrs, dy, wants }: VjpArgs) => {
  if (!dy[0]) return [];
  const g = throughFusedActivation("Add", { inputs, outputs, attrs }, dy[0]);
  return [wants[0] ? sumToShape(g, inputs[0]!.shape) : undefined, wants[1] ? sumToShape(g, inputs[1]!.shape) : undefined];
};

export const subVjp: VjpRule = ({ inputs, dy, wants }) => {
  if (!dy[0]) return [];
  return [wants[0] ? sumToShape(dy[0], inputs[0]!.shape) : undefined, wants[1] ? negated(sumToShape(dy[0], inputs[1]!.shape)) : undefined];
};

export const mulVjp: VjpRule = ({ inputs, dy, wants }) => {
  if (!dy[0]) return [];
  const [a, b] = inputs as [Tensor, Tensor];
  return [wants[0] ? scaledBack(dy[0], b, a.shape) : undefined, wants[1] ? scaledBack(dy[0], a, b.shape) : undefined];
};

/** d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b = -y/b. */
export const divVjp: VjpRule = ({ inputs, outputs, dy, wants }) => {
  if (!dy[0]) return [];
  const [a, b] = inputs as [Tensor, Tensor];
  const da = wants[0] ? scaledBack(dy[0], b, a.shape, true) : undefined;
  let db: Tensor | undefined;
  if (wants[1]) {
    const gy = makeTensor(dy[0].dtype, dy[0].shape);
    const t = fdata(gy), g = fdata(dy[0]), y = fdata(outputs[0]!);
    for (let i = 0; i < t.length; i++) t[i] = -g[i]! * y[i]!;
    db = scaledBack(gy, b, b.shape, true);
  }
  return [da, db];
};
