// Unsqueeze: inserts size-1 axes at `axes` (positions in the output). Opset 13 moved axes from
// an attribute to an input; both become the `axes` attribute.
import type { Dim } from "../../dim.js";
import { defineOp, ints, required } from "../../op.js";
import { makeTensor } from "../../types.js";
import { constantInts, input, quantThrough, typeWith, withoutAttrs } from "./util.js";
import { int64Input, passAttrs } from "../onnx-export.js";

/** Output shape and, per input axis, its output axis. */
export function unsqueezeDims(shape: readonly Dim[], axes: readonly number[]): { shape: Dim[]; axisOf: number[] } {
  const r = shape.length + axes.length;
  const ones = new Set<number>();
  for (const ax of axes) {
    const a = ax < 0 ? ax + r : ax;
    if (!Number.isInteger(a) || a < 0 || a >= r) throw new Error(`unsqueeze axis ${ax} is out of range for output rank ${r}`);
    if (ones.has(a)) throw new Error(`unsqueeze axis ${ax} is given twice`);
    ones.add(a);
  }
  const out: Dim[] = [];
  const axisOf: number[] = [];
  let j = 0;
  for (let k = 0; k < r; k++) {
    if (ones.has(k)) out.push(1);
    else {
      axisOf.push(k);
      out.push(shape[j++]!);
    }
  }
  return { shape: out, axisOf };
}

export const Unsqueeze = defineOp({
  name: "Unsqueeze",
  traits: { view: true, int8PassThrough: true, movesData: true },
  doc: "Inserts size-1 axes at the output positions `axes`.",
  attrs: { axes: required(ints()) },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: (node, ctx) => {
    if (node.inputs.length < 2) return { inputs: node.inputs, outputs: node.outputs, attrs: node.attrs };
    return {
      inputs: [node.inputs[0]!],
      outputs: node.outputs,
      attrs: { ...withoutAttrs(node.attrs, "axes"), axes: constantInts(node, 1, ctx, "axes") ?? ctx.fail("it has no axes") },
    };
  },
  toOnnx: (node, a, ctx) => [{
    opType: "Unsqueeze", name: node.name, inputs: [node.inputs[0]!, int64Input(ctx, a.axes, `${node.name}.axes`)], outputs: node.outputs,
    ...passAttrs("Unsqueeze", node, ["axes"]),
  }],
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const u = unsqueezeDims(x.shape, a.axes);
    return [typeWith(x.dtype, u.shape, quantThrough(x.quant, (ax) => u.axisOf[ax]))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [makeTensor(x.dtype, unsqueezeDims(x.shape, a.axes).shape as number[], x.data)];
  },
  foldDims: ([v]) => [v],
});
