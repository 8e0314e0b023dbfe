// Small helpers shared by the gradient rules: float views of tensors, fresh gradient buffers,
// the adjoint of numpy broadcasting, and the backward of a fused activation.
import { activationAttrsOf, activationOf, fusedKind, withoutActivation } from "../../../ir/activation.js";
import { getOp } from "../../../ir/registry.js";
import { makeTensor, numel, type Tensor } from "../../../ir/types.js";
import { reduce } from "../../../ir/kernels/reduce.js";
import type { FloatArray, VjpArgs } from "./types.js";

/** The float storage of a tensor; gradients only flow through f32 and f64 values. */
export function fdata(t: Tensor): FloatArray {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array) return d;
  throw new Error(`gradients flow only through f32/f64 values, not ${t.dtype}`);
}

/** A zero gradient of the dtype and shape of `like` (or of `shape`). */
export function zerosLike(like: Tensor, shape: readonly number[] = like.shape): Tensor {
  return makeTensor(like.dtype, shape);
}

/** The same data under another shape (no copy: tensors are never mutated once handed on). */
export function reshaped(t: Tensor, shape: readonly number[]): Tensor {
  return { dtype: t.dtype, shape: [...shape], data: t.data };
}

/**
 * The adjoint of broadcasting `inShape` up to g's shape: g summed over the axes that were
 * stretched (and the leading axes that were added), laid out as inShape.
 */
export function sumToShape(g: Tensor, inShape: readonly number[]): Tensor {
  if (inShape.length === g.shape.length && inShape.every((d, i) => d === g.shape[i])) return g;
  const lead = g.shape.length - inShape.length;
  const reduced = g.shape.map((d, i) => i < lead || (inShape[i - lead] === 1 && d !== 1));
  const acc = new Float64Array(numel(inShape));
  reduce(fdata(g), g.shape, reduced, "sum", acc);
  const out = makeTensor(g.dtype, inShape);
  fdata(out).set(acc);
  return out;
}

/**
 * The gradient before op's fused activation (ir/activation.ts), from the gradient after it: dy
 * times the activation's derivative. Where the activated output y determines the derivative
 * (Relu, Clip, Sigmoid... UnaryFn.dfy) it is read off y; otherwise the op runs again without its
 * activation to get the input of the activation.
 */
export function throughFusedActivation(op: string, args: Pick<VjpArgs, "inputs" | "outputs" | "attrs">, dy: Tensor): Tensor {
  const act = activationOf(args.attrs);
  if (!act) return dy;
  const fn = fusedKind(act.kind)!.fn;
  const a = activationAttrsOf(act);
  const g = fdata(dy), y = fdata(args.outputs[0]!);
  const out = zerosLike(dy);
  const o = fdata(out);
  const n = o.length;
  // dfy answers undefined when these attributes leave the derivative undetermined by y.
  if (fn.dfy && fn.dfy(n > 0 ? y[0]! : 0, a) !== undefined) {
    for (let i = 0; i < n; i++) o[i] = g[i]! * fn.dfy(y[i]!, a)!;
    return out;
  }
  const pre = getOp(op).evaluate(args.inputs, withoutActivation(args.attrs), { numOutputs: 1 })[0]!;
  const x = fdata(pre);
  for (let i = 0; i < n; i++) o[i] = g[i]! * fn.df(x[i]!, y[i]!, a);
  return out;
}

/** acc += g elementwise (same shape). */
export function addInPlace(acc: FloatArray, g: FloatArray): void {
  for (let i = 0, n = acc.length; i < n; i++) acc[i] += g[i]!;
}
