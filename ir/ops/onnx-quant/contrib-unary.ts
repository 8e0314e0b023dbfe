// com.microsoft QLinearSigmoid and QLinearLeakyRelu (onnxruntime's QOperator format):
// y = quantize(f(dequantize(x))) elementwise, with per-tensor parameters on x and y.
//
// The reference dequantizes in double precision from the f32 scale, applies f, and quantizes with
// ONNX's rounding (ties to even, saturate). With 8-bit inputs the op is a 256-entry table, which
// is what the import-qdq pass makes of it (QLookup, filled by this very evaluate).
import { defineOp, float } from "../../op.js";
import { makeTensor, tensorType, type Tensor, type TensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { checkScalarParams, msOp, Q8, quantizeTo, scalarParams } from "./contrib-params.js";

const INPUTS = ["X", "X_scale", "X_zero_point?", "Y_scale", "Y_zero_point?"];

export const QLinearSigmoid = defineOp({
  name: "QLinearSigmoid",
  doc: "8-bit sigmoid (com.microsoft): y = quantize(1 / (1 + exp(-dequantize(x)))).",
  onnxOps: [msOp("QLinearSigmoid")],
  attrs: {},
  inputs: INPUTS,
  outputs: ["Y"],
  dtypes: Q8,
  infer: ([x, xs, xz, ys, yz]) => inferUnary(x, xs, xz, ys, yz),
  evaluate: (ins) => [evaluateUnary(ins, (v) => 1 / (1 + Math.exp(-v)))],
});

export const QLinearLeakyRelu = defineOp({
  name: "QLinearLeakyRelu",
  doc: "8-bit leaky ReLU (com.microsoft): y = quantize(v >= 0 ? v : alpha v) with v = dequantize(x).",
  onnxOps: [msOp("QLinearLeakyRelu")],
  attrs: { alpha: float(0.01) },
  inputs: INPUTS,
  outputs: ["Y"],
  dtypes: Q8,
  infer: ([x, xs, xz, ys, yz]) => inferUnary(x, xs, xz, ys, yz),
  evaluate: (ins, a) => [evaluateUnary(ins, (v) => (v >= 0 ? v : Math.fround(a.alpha) * v))],
});

type T = TensorType | undefined;

function inferUnary(x: T, xs: T, xz: T, ys: T, yz: T): TensorType[] {
  if (!x) throw new Error("input X is missing");
  checkScalarParams("X", x, xs, xz);
  checkScalarParams("Y", { dtype: x.dtype, shape: [] }, ys, yz);
  return [tensorType(x.dtype, x.shape)];
}

function evaluateUnary(ins: readonly (Tensor | undefined)[], f: (v: number) => number): Tensor {
  const [x, xs, xz, ys, yz] = ins;
  const px = scalarParams(xs, xz), py = scalarParams(ys, yz);
  const xd = x!.data as NumericArray;
  const y = makeTensor(x!.dtype, x!.shape);
  const yd = y.data as NumericArray;
  // One evaluation per distinct input value: 8-bit data has at most 256.
  const memo = new Map<number, number>();
  for (let i = 0; i < xd.length; i++) {
    const q = xd[i]!;
    let r = memo.get(q);
    if (r === undefined) {
      r = quantizeTo(f(px.scale * (q - px.zeroPoint)) / py.scale, py.zeroPoint, x!.dtype);
      memo.set(q, r);
    }
    yd[i] = r;
  }
  return y;
}
