// The ten ONNX reductions (ReduceSum, ReduceMean, ReduceMax, ... ReduceSumSquare) in one IR form.
//
// IR form: `axes` is an attribute (empty = all axes, or no-op with noop_with_empty_axes = 1),
// plus keepdims. ReduceSum took axes as an input from opset 13 and the others from opset 18;
// import reads that input as a constant. Integer inputs reduce in double precision and are
// rounded back (toward zero) into their own type.
import { DimError, mulDim, addDim, type Dim } from "../../dim.js";
import type { DType } from "../../dtype.js";
import { defineOp, int, ints, type OpDef } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { fromNumbers, makeTensor, toNumbers, tensorType, type Tensor } from "../../types.js";
import { reduce, type ReduceKind } from "../../kernels/reduce.js";
import { need, needTensor } from "./common.js";
import { hasAttr, int64Input, passAttrs } from "../onnx-export.js";
import { needAtImport } from "../shape/util.js";

const REDUCE_TYPES: readonly DType[] = ["f32", "f64", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"];

const attrs = { axes: ints([]), keepdims: int(1), noop_with_empty_axes: int(0) };

/** Which axes are reduced, or undefined for the no-op case. */
function reducedAxes(rank: number, axes: readonly number[], noop: number): boolean[] | undefined {
  if (axes.length === 0) return noop ? undefined : new Array<boolean>(rank).fill(true);
  const flags = new Array<boolean>(rank).fill(false);
  for (const a of axes) {
    const n = normAxis(a, rank);
    if (flags[n]) throw new Error(`axis ${a} is listed twice in axes [${axes.join(",")}]`);
    flags[n] = true;
  }
  return flags;
}

function outShape<D>(shape: readonly D[], flags: readonly boolean[], keepdims: number, one: D): D[] {
  const out: D[] = [];
  shape.forEach((d, i) => {
    if (!flags[i]) out.push(d);
    else if (keepdims) out.push(one);
  });
  return out;
}

function defineReduce(name: string, kind: ReduceKind, axesInputSince: number): OpDef<typeof attrs> {
  return defineOp({
    name,
    doc: `${name}: ${kind} over the listed axes (all axes when empty) (ONNX ${name}).`,
    attrs,
    inputs: ["x"],
    outputs: ["y"],
    dtypes: REDUCE_TYPES,
    infer([xt], a) {
      const x = need(xt, "x");
      if (!REDUCE_TYPES.includes(x.dtype)) throw new Error(`dtype ${x.dtype} is not supported`);
      const flags = reducedAxes(x.shape.length, a.axes, a.noop_with_empty_axes);
      if (!flags) return [tensorType(x.dtype, x.shape)];
      return [tensorType(x.dtype, outShape<Dim>(x.shape, flags, a.keepdims, 1))];
    },
    evaluate([xt], a) {
      const x = needTensor(xt, "x");
      const flags = reducedAxes(x.shape.length, a.axes, a.noop_with_empty_axes);
      if (!flags) return [x];
      const shape = outShape(x.shape, flags, a.keepdims, 1);
      const acc = new Float64Array(shape.reduce((p, d) => p * d, 1));
      const big = x.data instanceof BigInt64Array || x.data instanceof BigUint64Array;
      reduce(big ? toNumbers(x) : (x.data as ArrayLike<number>), x.shape, flags, kind, acc);
      if (x.dtype === "f32" || x.dtype === "f64") {
        const y = makeTensor(x.dtype, shape);
        (y.data as Float64Array).set(acc);
        return [y];
      }
      for (let i = 0; i < acc.length; i++) acc[i] = Math.trunc(acc[i]!);
      return [fromNumbers(x.dtype, shape, acc)];
    },
    fromOnnx(node, ctx) {
      const out = { ...node.attrs };
      const axesName = node.inputs[1];
      if (ctx.opset >= axesInputSince && axesName) {
        const t = ctx.constant(axesName);
        if (!t) needAtImport(ctx, axesName, "axes", `the axes input of ${name} must be a constant; neonc needs the reduced axes at import`);
        out.axes = toNumbers(t as Tensor);
      }
      return { inputs: node.inputs.slice(0, 1), outputs: node.outputs, attrs: out };
    },
    // Opset 18+ (13+ for ReduceSum): axes is an input, empty or absent meaning all axes (or none
    // with noop_with_empty_axes), as in the IR.
    toOnnx: (node, a, ctx) => [{
      opType: name, name: node.name, outputs: node.outputs, ...passAttrs(name, node, ["axes"]),
      inputs: hasAttr(node, "axes") ? [node.inputs[0]!, int64Input(ctx, a.axes, `${node.name}.axes`)] : [node.inputs[0]!],
    }],
    foldDims: kind === "sum" || kind === "prod" ? ([v], a, [t]) => foldVector(v, a, t?.shape.length, kind) : undefined,
  });
}

/** Sum or product of a small 1-D shape vector whose entries may be symbolic. */
function foldVector(v: readonly Dim[] | undefined, a: { axes: readonly number[]; noop_with_empty_axes: number }, rank: number | undefined, kind: "sum" | "prod"): (readonly Dim[])[] | undefined {
  if (!v || rank !== 1 || a.axes.some((x) => x !== 0 && x !== -1)) return undefined;
  if (a.axes.length === 0 && a.noop_with_empty_axes) return [v];
  try {
    let acc: Dim = kind === "sum" ? 0 : 1;
    for (const d of v) acc = kind === "sum" ? addDim(acc, d) : mulDim(acc, d);
    return [[acc]];
  } catch (e) {
    if (e instanceof DimError) return undefined;
    throw e;
  }
}

export const ReduceSum = defineReduce("ReduceSum", "sum", 13);
export const ReduceMean = defineReduce("ReduceMean", "mean", 18);
export const ReduceMax = defineReduce("ReduceMax", "max", 18);
export const ReduceMin = defineReduce("ReduceMin", "min", 18);
export const ReduceProd = defineReduce("ReduceProd", "prod", 18);
export const ReduceL1 = defineReduce("ReduceL1", "l1", 18);
export const ReduceL2 = defineReduce("ReduceL2", "l2", 18);
export const ReduceLogSum = defineReduce("ReduceLogSum", "logsum", 18);
export const ReduceLogSumExp = defineReduce("ReduceLogSumExp", "logsumexp", 18);
export const ReduceSumSquare = defineReduce("ReduceSumSquare", "sumsquare", 18);

export const reduceOps = [
  ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare,
];
