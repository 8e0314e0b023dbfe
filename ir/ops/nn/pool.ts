// Pooling: AveragePool, MaxPool (with the optional Indices output), GlobalAveragePool, GlobalMaxPool.
//
// The windowed pools share Conv's attribute rules (ir/ops/nn/spatial.ts) plus ceil_mode. Global
// pools reduce every spatial dim to 1 through the reduction kernel.
import type { DType } from "../../dtype.js";
import { defineOp, int, ints, required, str } from "../../op.js";
import { makeTensor, numel, tensorType, type Tensor, type TensorType } from "../../types.js";
import { averagePool, maxPool } from "../../kernels/pool.js";
import { reduce } from "../../kernels/reduce.js";
import { expectFloat, FLOAT_TYPES, need, needTensor, numericData, shapeStr } from "./common.js";
import { normalizeWindowAttrs, windowGeometry, windowOutShape, windowParams } from "./spatial.js";

const MAXPOOL_TYPES: readonly DType[] = ["f32", "f64", "i8", "u8"];

const windowAttrs = {
  kernel_shape: required(ints()),
  strides: ints([]),
  pads: ints([]),
  dilations: ints([]),
  auto_pad: str("NOTSET"),
  ceil_mode: int(0),
};

function checkPoolInput(x: TensorType, kernel: readonly number[]): void {
  if (x.shape.length !== kernel.length + 2) {
    throw new Error(`input ${shapeStr(x.shape)} does not match a ${kernel.length}-D kernel (expected rank ${kernel.length + 2})`);
  }
}

export const AveragePool = defineOp({
  name: "AveragePool",
  doc: "Average over sliding windows, with or without the padding in the count (ONNX AveragePool).",
  attrs: { ...windowAttrs, count_include_pad: int(0) },
  inputs: ["x"],
  outputs: ["y"],
  dtypes: FLOAT_TYPES,
  infer([xt], a) {
    const x = need(xt, "x");
    expectFloat(x, "x");
    checkPoolInput(x, a.kernel_shape);
    return [tensorType(x.dtype, windowOutShape(x.shape, x.shape[1]!, windowParams(a.kernel_shape, a), a.ceil_mode !== 0))];
  },
  evaluate([xt], a) {
    const x = needTensor(xt, "x");
    const g = windowGeometry(x.shape.slice(2), windowParams(a.kernel_shape, a), a.ceil_mode !== 0);
    const [N, C] = x.shape as [number, number];
    const y = makeTensor(x.dtype, [N, C, ...g.outShape]);
    averagePool(numericData(x), numericData(y), N, C, g, a.count_include_pad !== 0);
    return [y];
  },
  fromOnnx(node, ctx) {
    return { inputs: node.inputs, outputs: node.outputs, attrs: normalizeWindowAttrs(node, ctx, node.attrs.kernel_shape as number[] | undefined, node.attrs.ceil_mode === 1) };
  },
});

export const MaxPool = defineOp({
  name: "MaxPool",
  traits: { int8PassThrough: true },
  doc: "Maximum over sliding windows, optionally with the flat index of each maximum (ONNX MaxPool).",
  attrs: { ...windowAttrs, storage_order: int(0) },
  inputs: ["x"],
  outputs: ["y", "indices?"],
  dtypes: MAXPOOL_TYPES,
  infer([xt], a, ctx) {
    const x = need(xt, "x");
    if (!MAXPOOL_TYPES.includes(x.dtype)) throw new Error(`dtype ${x.dtype} is not supported (only ${MAXPOOL_TYPES.join(", ")})`);
    checkPoolInput(x, a.kernel_shape);
    const shape = windowOutShape(x.shape, x.shape[1]!, windowParams(a.kernel_shape, a), a.ceil_mode !== 0);
    const out = [tensorType(x.dtype, shape)];
    if (ctx.numOutputs > 1) out.push(tensorType("i64", shape));
    return out;
  },
  evaluate([xt], a, ctx) {
    const x = needTensor(xt, "x");
    const g = windowGeometry(x.shape.slice(2), windowParams(a.kernel_shape, a), a.ceil_mode !== 0);
    const [N, C] = x.shape as [number, number];
    const shape = [N, C, ...g.outShape];
    const y = makeTensor(x.dtype, shape);
    const idx = ctx.numOutputs > 1 ? makeTensor("i64", shape) : undefined;
    maxPool(numericData(x), numericData(y), N, C, g, idx?.data as BigInt64Array | undefined, a.storage_order);
    return idx ? [y, idx] : [y];
  },
  fromOnnx(node, ctx) {
    return { inputs: node.inputs, outputs: node.outputs, attrs: normalizeWindowAttrs(node, ctx, node.attrs.kernel_shape as number[] | undefined, node.attrs.ceil_mode === 1) };
  },
});

function defineGlobalPool(name: "GlobalAveragePool" | "GlobalMaxPool", kind: "mean" | "max") {
  return defineOp({
    name,
    doc: `${kind === "mean" ? "Average" : "Maximum"} over all spatial positions of each channel (ONNX ${name}).`,
    attrs: {},
    inputs: ["x"],
    outputs: ["y"],
    dtypes: FLOAT_TYPES,
    infer([xt]) {
      const x = need(xt, "x");
      expectFloat(x, "x");
      if (x.shape.length < 3) throw new Error(`input x must be [N, C, ...spatial], got ${shapeStr(x.shape)}`);
      return [tensorType(x.dtype, [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)])];
    },
    evaluate([xt]) {
      const x = needTensor(xt, "x");
      const shape = [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)];
      const acc = new Float64Array(numel(shape));
      reduce(numericData(x), x.shape, x.shape.map((_, i) => i >= 2), kind, acc);
      const y: Tensor = makeTensor(x.dtype, shape);
      (y.data as Float64Array).set(acc);
      return [y];
    },
  });
}

export const GlobalAveragePool = defineGlobalPool("GlobalAveragePool", "mean");
export const GlobalMaxPool = defineGlobalPool("GlobalMaxPool", "max");
