// Split: cuts a tensor along `axis` into the outputs. The IR keeps explicit `split` sizes when
// the model gives them (attribute before opset 13, input after); without them the axis is cut
// into equal chunks of ceil(d/n), the last one smaller (opset 18's num_outputs rule, which
// agrees with the older even split whenever that one is defined).
import { ceilDivDim, isSymbolic, mulDim, subDim, type Dim } from "../../dim.js";
import { defineOp, int, ints } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { split } from "../../kernels/copy-concat.js";
import { constantInts, input, quantThrough, typeWith, withoutAttrs } from "./util.js";
import { int64Input, passAttrs } from "../onnx-export.js";

/** Sizes of the n pieces of a dim of size d. */
export function splitSizes(d: Dim, n: number, sizes: readonly number[] | undefined): Dim[] {
  if (sizes) {
    if (sizes.length !== n) throw new Error(`split has ${sizes.length} sizes for ${n} outputs`);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`split sizes [${sizes.join(",")}] must be non-negative integers`);
    const sum = sizes.reduce((s, x) => s + x, 0);
    if (!isSymbolic(d) && sum !== d) throw new Error(`split sizes [${sizes.join(",")}] add up to ${sum}, the axis has ${d}`);
    return [...sizes];
  }
  if (n < 1) throw new Error("Split needs at least one output");
  const chunk = ceilDivDim(d, n);
  const last = subDim(d, mulDim(chunk, n - 1));
  if (typeof last === "number" && last < 0) throw new Error(`an axis of ${d} cannot be split into ${n} chunks of ${String(chunk)}`);
  return [...new Array<Dim>(n - 1).fill(chunk), last];
}

export const Split = defineOp({
  name: "Split",
  traits: { int8PassThrough: true, movesData: true },
  doc: "Splits a tensor along `axis` into pieces of sizes `split` (default: equal chunks, the last smaller).",
  attrs: { axis: int(0), split: ints() },
  inputs: ["x"],
  outputs: ["ys*"],
  fromOnnx: (node, ctx) => {
    const attrs = withoutAttrs(node.attrs, "num_outputs", "split");
    const numOutputs = node.attrs.num_outputs;
    if (numOutputs !== undefined && numOutputs !== node.outputs.length) {
      ctx.fail(`num_outputs is ${String(numOutputs)} but the node has ${node.outputs.length} outputs`);
    }
    const sizes = node.inputs.length > 1 ? constantInts(node, 1, ctx, "split") : (node.attrs.split as number[] | undefined);
    if (sizes && numOutputs !== undefined) ctx.fail("it gives both split sizes and num_outputs");
    return { inputs: [node.inputs[0]!], outputs: node.outputs, attrs: sizes ? { ...attrs, split: sizes } : attrs };
  },
  toOnnx: (node, a, ctx) => {
    const { attrs, floatAttrs } = passAttrs("Split", node, ["split"]);
    const x = node.inputs[0]!;
    // Opset 18 needs either the sizes or num_outputs; its num_outputs rule is the IR's default.
    return a.split
      ? [{ opType: "Split", name: node.name, inputs: [x, int64Input(ctx, a.split, `${node.name}.split`)], outputs: node.outputs, attrs, floatAttrs }]
      : [{ opType: "Split", name: node.name, inputs: [x], outputs: node.outputs, attrs: { ...attrs, num_outputs: node.outputs.length }, floatAttrs }];
  },
  infer: (xs, a, ctx) => {
    const x = input(xs, 0, "x");
    const axis = normAxis(a.axis, x.shape.length);
    const sizes = splitSizes(x.shape[axis]!, ctx.numOutputs, a.split);
    const q = quantThrough(x.quant, (ax) => (ax === axis ? undefined : ax));
    return sizes.map((s) => typeWith(x.dtype, x.shape.map((d, k) => (k === axis ? s : d)), q));
  },
  evaluate: (xs, a, ctx) => {
    const x = input(xs, 0, "x");
    const axis = normAxis(a.axis, x.shape.length);
    return split(x, axis, splitSizes(x.shape[axis]!, ctx.numOutputs, a.split) as number[]);
  },
  foldDims: ([v], a, types) => {
    // Without explicit sizes the piece count is the node's output count, which is not known here.
    if (!v || !a.split || types[0]?.shape.length !== 1) return undefined;
    const sizes = splitSizes(v.length, a.split.length, a.split);
    let at = 0;
    return sizes.map((s) => v.slice(at, (at += s as number)));
  },
});
