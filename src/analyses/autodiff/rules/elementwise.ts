// Gradients of the elementwise ops of conv nets: activations (their derivative read from the
// saved input or output) and the broadcasting arithmetic (dy scaled by the other operand and
// summed back to each operand's shape).
import { makeTensor, type Tensor } from "../../../../ir/types.js";
import { broadcast2, divRow, mulRow, planBroadcast } from "../../../../ir/kernels/elementwise.js";
import { fdata, sumToShape, throughFusedActivation, zerosLike } from "../grad-util.js";
import type { FloatArray, VjpArgs, VjpRule } from "../types.js";

/** A unary rule from a per-element derivative of (input x, output y). */
function unary(fill: (x: FloatArray, y: FloatArray, g: FloatArray, o: FloatArray, attrs: Readonly<Record<string, any>>) => void): VjpRule {
  return ({ inputs, outputs, attrs, dy }) => {
    if (!dy[0]) return [];
    const out = zerosLike(dy[0]);
    fill(fdata(inputs[0]!), fdata(outputs[0]!), fdata(dy[0]), fdata(out), attrs);
    return [out];
  };
}

export const reluVjp = unary((x, _y, g, o) => {
  for (let i = 0, n = o.length; i < n; i++) o[i] = x[i]! > 0 ? g[i]! : 0;
});

export const leakyReluVjp = unary((x, _y, g, o, a) => {
  const alpha = a.alpha as number;
  for (let i = 0, n = o.length; i < n; i++) o[i] = x[i]! > 0 ? g[i]! : g[i]! * alpha;
});

export const sigmoidVjp = unary((_x, y, g, o) => {
  for (let i = 0, n = o.length; i < n; i++) o[i] = g[i]! * y[i]! * (1 - y[i]!);
});

export const tanhVjp = unary((_x, y, g, o) => {
  for (let i = 0, n = o.length; i < n; i++) o[i] = g[i]! * (1 - y[i]! * y[i]!);
});

/** Clip passes the gradient where the input lies within [min, max] (bounds inclusive, as torch.clamp). */
export const clipVjp: VjpRule = ({ inputs, attrs, dy, wants }) => {
  if (!dy[0]) return [];
  if (wants[1] || wants[2]) throw new Error("Clip: gradients of bounds computed at run time are not supported");
  const lo = inputs[1] ? Number(inputs[1].data[0]) : (attrs.min as number | undefined) ?? -Infinity;
  const hi = inputs[2] ? Number(inputs[2].data[0]) : (attrs.max as number | undefined) ?? Infinity;
  const x = fdata(inputs[0]!), g = fdata(dy[0]);
  const out = zerosLike(dy[0]);
  const o = fdata(out);
  for (let i = 0, n = o.length; i < n; i++) o[i] = x[i]! >= lo && x[i]! <= hi ? g[i]! : 0;
  return [out];
};

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
  const g = throughFusedActivation(dy[0], outputs[0]!, attrs);
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
