// Squeeze: removes size-1 axes (`axes`, or every size-1 axis when absent). Opset 13 moved axes
// from an attribute to an input; both become the `axes` attribute.
import { dimToString, type Dim } from "../../dim.js";
import { defineOp, ints } from "../../op.js";
import { makeTensor } from "../../types.js";
import { constantInts, input, quantThrough, typeWith, withoutAttrs } from "./util.js";
import { int64Input, passAttrs } from "../onnx-export.js";

/** The kept axes of a squeeze, checked. */
export function squeezeKeep(shape: readonly Dim[], axes: readonly number[] | undefined): number[] {
  const r = shape.length;
  if (!axes) return shape.flatMap((d, k) => (d === 1 ? [] : [k]));
  const drop = new Set<number>();
  for (const ax of axes) {
    const a = ax < 0 ? ax + r : ax;
    if (!Number.isInteger(a) || a < 0 || a >= r) throw new Error(`squeeze axis ${ax} is out of range for rank ${r}`);
    if (shape[a] !== 1) throw new Error(`squeeze axis ${ax} has size ${dimToString(shape[a]!)}, not 1`);
    drop.add(a);
  }
  return shape.flatMap((_, k) => (drop.has(k) ? [] : [k]));
}

export const Squeeze = defineOp({
  name: "Squeeze",
  traits: { view: true, int8PassThrough: true, movesData: true },
  doc: "Removes size-1 axes (all of them when `axes` is absent).",
  attrs: { axes: ints() },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: (node, ctx) => ({
    inputs: [node.inputs[0]!],
    outputs: node.outputs,
    attrs: node.inputs.length > 1 ? { ...withoutAttrs(node.attrs, "axes"), ...optional(constantInts(node, 1, ctx, "axes")) } : node.attrs,
  }),
  toOnnx: (node, a, ctx) => {
    // onnxruntime reads an empty axes input as "every size-1 axis"; the IR's empty list keeps all.
    if (a.axes?.length === 0) return [{ opType: "Identity", name: node.name, inputs: [node.inputs[0]!], outputs: node.outputs, attrs: {} }];
    return [{
      opType: "Squeeze", name: node.name, outputs: node.outputs, ...passAttrs("Squeeze", node, ["axes"]),
      inputs: a.axes ? [node.inputs[0]!, int64Input(ctx, a.axes, `${node.name}.axes`)] : [node.inputs[0]!],
    }];
  },
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const keep = squeezeKeep(x.shape, a.axes);
    return [typeWith(x.dtype, keep.map((k) => x.shape[k]!), quantThrough(x.quant, (ax) => keep.indexOf(ax)))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [makeTensor(x.dtype, squeezeKeep(x.shape, a.axes).map((k) => x.shape[k]!), x.data)];
  },
  foldDims: ([v]) => [v],
});

function optional(axes: number[] | undefined): { axes?: number[] } {
  return axes ? { axes } : {};
}
