// ArgMax and ArgMin: the int64 index of the largest or smallest element along one axis (ONNX
// opset 1+; select_last_index since 12). A CTC model exported with its greedy decoding ends in
// ArgMax over the classes.
import type { DType } from "../../dtype.js";
import type { Dim } from "../../dim.js";
import { defineOp, int, type OpDef } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, tensorType } from "../../types.js";
import { argReduce } from "../../kernels/scan.js";
import { need, needTensor } from "./common.js";

const ARG_TYPES: readonly DType[] = ["f32", "f64", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"];

function outShape<D>(shape: readonly D[], axis: number, keepdims: number, one: D): D[] {
  return shape.flatMap((d, i) => (i !== axis ? [d] : keepdims ? [one] : []));
}

function defineArg(name: "ArgMax" | "ArgMin", sign: 1 | -1): OpDef<{ axis: ReturnType<typeof int>; keepdims: ReturnType<typeof int>; select_last_index: ReturnType<typeof int> }> {
  return defineOp({
    name,
    doc: `${name}: the int64 index of the ${sign > 0 ? "largest" : "smallest"} element along axis (first on ties, or last with select_last_index).`,
    attrs: { axis: int(0), keepdims: int(1), select_last_index: int(0) },
    inputs: ["data"],
    outputs: ["reduced"],
    dtypes: ARG_TYPES,
    infer([xt], a) {
      const x = need(xt, "data");
      if (!ARG_TYPES.includes(x.dtype)) throw new Error(`dtype ${x.dtype} is not supported`);
      const axis = normAxis(a.axis, x.shape.length);
      return [tensorType("i64", outShape<Dim>(x.shape, axis, a.keepdims, 1))];
    },
    evaluate([xt], a) {
      const x = needTensor(xt, "data");
      const axis = normAxis(a.axis, x.shape.length);
      const n = x.shape[axis]!;
      if (n === 0) throw new Error(`${name} over an empty axis ${a.axis} has no answer`);
      const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      const y = makeTensor("i64", outShape(x.shape, axis, a.keepdims, 1));
      argReduce(x.data as ArrayLike<number | bigint>, outer, n, inner, sign, a.select_last_index !== 0, y.data as BigInt64Array);
      return [y];
    },
  });
}

export const ArgMax = defineArg("ArgMax", 1);
export const ArgMin = defineArg("ArgMin", -1);
