// CumSum: running sums along one axis (ONNX opset 11+), optionally exclusive (starting at 0) or
// from the end. ONNX takes the axis as an input; the IR needs it at import and keeps it as the
// `axis` attribute. Positions computed from a padding mask (cumsum(mask) * mask) use it.
import type { DType } from "../../dtype.js";
import { defineOp, int, required } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, tensorType } from "../../types.js";
import { cumSum } from "../../kernels/scan.js";
import { need, needTensor } from "./common.js";
import { constantInts, withoutAttrs } from "../shape/util.js";

const CUMSUM_TYPES: readonly DType[] = ["f32", "f64", "i32", "u32", "i64", "u64"];

export const CumSum = defineOp({
  name: "CumSum",
  doc: "Running sums along axis; exclusive starts at 0, reverse sums from the end.",
  attrs: { axis: required(int()), exclusive: int(0), reverse: int(0) },
  inputs: ["x"],
  outputs: ["y"],
  dtypes: CUMSUM_TYPES,
  infer([xt], a) {
    const x = need(xt, "x");
    if (!CUMSUM_TYPES.includes(x.dtype)) throw new Error(`dtype ${x.dtype} is not supported`);
    normAxis(a.axis, x.shape.length);
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate([xt], a) {
    const x = needTensor(xt, "x");
    const axis = normAxis(a.axis, x.shape.length);
    const n = x.shape[axis]!;
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const y = makeTensor(x.dtype, x.shape);
    const big = x.dtype === "i64" || x.dtype === "u64";
    const round = x.dtype === "f32" ? Math.fround : (v: number) => v;
    cumSum(x.data as ArrayLike<number | bigint>, y.data as { [i: number]: number | bigint }, outer, n, inner, a.exclusive !== 0, a.reverse !== 0, round, big ? 64 : undefined);
    return [y];
  },
  fromOnnx(node, ctx) {
    const axis = constantInts(node, 1, ctx, "axis");
    if (axis?.length !== 1) return ctx.fail(`its axis input must hold one value, got ${axis ? `[${axis.join(",")}]` : "none"}`);
    return { inputs: [node.inputs[0]!], outputs: node.outputs, attrs: { ...withoutAttrs(node.attrs, "axis"), axis: axis[0]! } };
  },
  toOnnx: (node, a, ctx) => [{
    opType: "CumSum", name: node.name, outputs: node.outputs,
    inputs: [node.inputs[0]!, ctx.constant(makeTensor("i64", [], BigInt64Array.of(BigInt(a.axis))), `${node.name}.axis`)],
    attrs: { ...(a.exclusive ? { exclusive: a.exclusive } : {}), ...(a.reverse ? { reverse: a.reverse } : {}) },
  }],
});
