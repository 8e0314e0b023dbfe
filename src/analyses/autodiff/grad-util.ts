// Small helpers shared by the gradient rules: float views of tensors, fresh gradient buffers,
// the adjoint of numpy broadcasting, and the backward of a fused activation.
import { activationOf } from "../../../ir/activation.js";
import { makeTensor, numel, type Tensor } from "../../../ir/types.js";
import { reduce } from "../../../ir/kernels/reduce.js";
import type { FloatArray } from "./types.js";

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
 * The gradient before an op's fused activation, from the gradient after it and the activated
 * output y: the activation's derivative is read off y (y > 0 exactly where the input was).
 */
export function throughFusedActivation(dy: Tensor, y: Tensor, attrs: Readonly<Record<string, any>>): Tensor {
  const act = activationOf(attrs);
  if (!act) return dy;
  const g = fdata(dy), v = fdata(y);
  const out = zerosLike(dy);
  const o = fdata(out);
  const n = o.length;
  switch (act.kind) {
    case "Relu":
      for (let i = 0; i < n; i++) o[i] = v[i]! > 0 ? g[i]! : 0;
      break;
    case "Clip": {
      const lo = act.params[0]!, hi = act.params[1]!;
      for (let i = 0; i < n; i++) o[i] = v[i]! > lo && v[i]! < hi ? g[i]! : 0;
      break;
    }
    case "LeakyRelu": {
      const alpha = act.params[0]!;
      // With a negative slope the sign of y no longer tells which side the input was on.
      if (alpha < 0) throw new Error("the gradient of a fused LeakyRelu with a negative alpha is not defined from its output");
      for (let i = 0; i < n; i++) o[i] = v[i]! > 0 ? g[i]! : g[i]! * alpha;
      break;
    }
  }
  return out;
}

/** acc += g elementwise (same shape). */
export function addInPlace(acc: FloatArray, g: FloatArray): void {
  for (let i = 0, n = acc.length; i < n; i++) acc[i] += g[i]!;
}
