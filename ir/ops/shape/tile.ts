// Tile: repeats a tensor `repeats[k]` times along each axis k (read from the constant input).
import { mulDim } from "../../dim.js";
import { defineOp, ints, required } from "../../op.js";
import { tile } from "../../kernels/copy-repeat.js";
import { constantInts, input, quantThrough, typeWith, withoutAttrs } from "./util.js";
import { int64Input, passAttrs } from "../onnx-export.js";

function checkRepeats(repeats: readonly number[], rank: number): void {
  if (repeats.length !== rank) throw new Error(`repeats has ${repeats.length} values for a rank-${rank} input`);
  if (repeats.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`repeats [${repeats.join(",")}] must be non-negative integers`);
}

export const Tile = defineOp({
  name: "Tile",
  doc: "Repeats a tensor `repeats[k]` times along each axis k.",
  attrs: { repeats: required(ints()) },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: (node, ctx) => ({
    inputs: [node.inputs[0]!],
    outputs: node.outputs,
    attrs: { ...withoutAttrs(node.attrs, "repeats"), repeats: constantInts(node, 1, ctx, "repeats") ?? ctx.fail("it has no repeats input") },
  }),
  toOnnx: (node, a, ctx) => [{
    opType: "Tile", name: node.name, inputs: [node.inputs[0]!, int64Input(ctx, a.repeats, `${node.name}.repeats`)], outputs: node.outputs,
    ...passAttrs("Tile", node, ["repeats"]),
  }],
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    checkRepeats(a.repeats, x.shape.length);
    return [typeWith(x.dtype, x.shape.map((d, k) => mulDim(d, a.repeats[k]!)), quantThrough(x.quant, (ax) => (a.repeats[ax] === 1 ? ax : undefined)))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    checkRepeats(a.repeats, x.shape.length);
    return [tile(x, a.repeats)];
  },
});
