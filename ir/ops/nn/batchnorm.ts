// BatchNormalization, inference and training form, for every opset 7..21.
//
// IR form: attributes epsilon, momentum, training_mode; outputs y, then (training only) the
// updated running mean and variance, then the batch mean and variance that opsets 7..13 call
// saved_mean / saved_var. Opsets < 14 have no training_mode: asking for more than one output
// meant training. Their other attributes (spatial, is_test, consumed_inputs) are dropped; the
// spatial=0 form is still computed right because parameters of shape [C, ...spatial] are taken
// per element.
import { defineOp, float, int } from "../../op.js";
import { makeTensor, numel, tensorType, type TensorType } from "../../types.js";
import { batchNormInference, channelStats } from "../../kernels/norm.js";
import { checkDim, expectFloat, expectSameDtype, floatData, FLOAT_TYPES, need, needTensor, shapeStr } from "./common.js";
import { passAttrs } from "../onnx-export.js";

export const BatchNormalization = defineOp({
  name: "BatchNormalization",
  traits: { channelwise: true },
  doc: "Batch normalization with running statistics; training_mode=1 normalizes with batch statistics (ONNX BatchNormalization).",
  attrs: { epsilon: float(1e-5), momentum: float(0.9), training_mode: int(0) },
  inputs: ["x", "scale", "bias", "mean", "var"],
  outputs: ["y", "running_mean?", "running_var?", "saved_mean?", "saved_var?"],
  dtypes: FLOAT_TYPES,
  infer([xt, st, bt, mt, vt], a, ctx) {
    const x = need(xt, "x");
    expectFloat(x, "x");
    if (x.shape.length < 2) throw new Error(`input x must be [N, C, ...], got ${shapeStr(x.shape)}`);
    const params = [need(st, "scale"), need(bt, "bias"), need(mt, "mean"), need(vt, "var")];
    ["scale", "bias", "mean", "var"].forEach((n, i) => checkParam(x, params[i]!, n));
    if (ctx.numOutputs > 1 && !a.training_mode) throw new Error("running_mean/running_var outputs are only produced with training_mode=1");
    const stat: TensorType = tensorType(params[2]!.dtype, params[2]!.shape);
    return [tensorType(x.dtype, x.shape), ...new Array<TensorType>(Math.max(0, ctx.numOutputs - 1)).fill(stat)];
  },
  evaluate([xt, st, bt, mt, vt], a, ctx) {
    const x = needTensor(xt, "x");
    const [scale, bias, mean, variance] = [st, bt, mt, vt].map((t, i) => floatData(needTensor(t, ["scale", "bias", "mean", "var"][i]!)));
    const N = x.shape[0]!, C = x.shape[1]!;
    const plane = numel(x.shape.slice(2));
    const perElement = scale!.length !== C && scale!.length === C * plane;
    const y = makeTensor(x.dtype, x.shape);
    if (!a.training_mode) {
      batchNormInference(floatData(x), floatData(y), N, C, plane, scale!, bias!, mean!, variance!, a.epsilon, perElement);
      return [y];
    }
    if (perElement) throw new Error("training_mode needs per-channel parameters");
    const batch = channelStats(floatData(x), N, C, plane);
    batchNormInference(floatData(x), floatData(y), N, C, plane, scale!, bias!, batch.mean, batch.variance, a.epsilon, false);
    const m = a.momentum;
    const stat = (f: (c: number) => number) => {
      const t = makeTensor(mt!.dtype, mt!.shape);
      const d = floatData(t);
      for (let c = 0; c < C; c++) d[c] = f(c);
      return t;
    };
    const outs = [
      y,
      stat((c) => mean![c]! * m + batch.mean[c]! * (1 - m)),
      stat((c) => variance![c]! * m + batch.variance[c]! * (1 - m)),
      stat((c) => batch.mean[c]!),
      stat((c) => batch.variance[c]!),
    ];
    return outs.slice(0, Math.max(1, ctx.numOutputs));
  },
  fromOnnx(node, ctx) {
    const { epsilon, momentum, training_mode } = node.attrs;
    const attrs: Record<string, number> = {};
    if (epsilon !== undefined) attrs.epsilon = epsilon as number;
    if (momentum !== undefined) attrs.momentum = momentum as number;
    if (ctx.opset >= 14) {
      if (training_mode !== undefined) attrs.training_mode = training_mode as number;
    } else if (node.outputs.slice(1).some((o) => o !== "")) {
      attrs.training_mode = 1;
    }
    return { inputs: node.inputs, outputs: node.outputs, attrs };
  },
  toOnnx(node) {
    // Opset 15 has outputs y, running_mean, running_var; the batch statistics are gone.
    if (node.outputs.slice(3).some((o) => o !== "")) {
      throw new Error("the saved_mean/saved_var outputs of opsets before 14 have no equivalent in ONNX opset 14 or later");
    }
    const outputs = node.outputs.slice(0, 3);
    while (outputs.length > 1 && outputs[outputs.length - 1] === "") outputs.pop();
    return [{ opType: "BatchNormalization", name: node.name, inputs: node.inputs, outputs, ...passAttrs("BatchNormalization", node) }];
  },
});

/** A parameter is [C], or [C, ...spatial] (the old per-activation form). */
function checkParam(x: TensorType, p: TensorType, name: string): void {
  expectSameDtype(x, p, "x", name);
  if (p.shape.length === 1) {
    checkDim(p.shape[0]!, x.shape[1]!, `${name} length does not match the channels of x`);
    return;
  }
  if (p.shape.length !== x.shape.length - 1) throw new Error(`input ${name} must be [C], got ${shapeStr(p.shape)}`);
  p.shape.forEach((d, i) => checkDim(d, x.shape[i + 1]!, `${name} ${shapeStr(p.shape)} does not match x ${shapeStr(x.shape)}`));
}
