// Flatten: reshapes to 2-D [prod(dims before axis), prod(dims from axis)].
import { defineOp, int } from "../../op.js";
import { makeTensor } from "../../types.js";
import { reshapeAxis } from "./reshape.js";
import { input, productDims, quantThrough, typeWith } from "./util.js";
import type { Dim } from "../../dim.js";

export function flattenDims(shape: readonly Dim[], axis: number): [Dim, Dim] {
  const r = shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (!Number.isInteger(a) || a < 0 || a > r) throw new Error(`flatten axis ${axis} is out of range for rank ${r}`);
  return [productDims(shape.slice(0, a)), productDims(shape.slice(a))];
}

export const Flatten = defineOp({
  name: "Flatten",
  traits: { view: true, int8PassThrough: true, movesData: true },
  doc: "Reshapes a tensor to 2-D, splitting its dims before `axis`.",
  attrs: { axis: int(1) },
  inputs: ["x"],
  outputs: ["y"],
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const shape = flattenDims(x.shape, a.axis);
    return [typeWith(x.dtype, shape, quantThrough(x.quant, (ax) => reshapeAxis(x.shape, shape, ax)))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [makeTensor(x.dtype, flattenDims(x.shape, a.axis) as number[], x.data)];
  },
  foldDims: ([v]) => [v],
});
