// Softmax and LogSoftmax, with both ONNX semantics in one IR form.
//
// Opset >= 13 normalizes along one axis (default -1). Opsets < 13 coerce the input to 2-D at
// `axis` (default 1) and normalize over the flattened trailing part. The IR attribute
// `flatten` = 1 selects the latter: normalize jointly over all axes from `axis` to the last.
// Import sets it only when it matters (axis is not already the last axis).
import { defineOp, int, type IrNodeSpec, type OnnxImportContext, type OnnxNodeIn, type OpDef } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, numel, tensorType } from "../../types.js";
import { softmax } from "../../../src/runtime/kernels/softmax.js";
import { expectFloat, floatData, FLOAT_TYPES, need, needTensor } from "./common.js";

const attrs = { axis: int(-1), flatten: int(0) };

function defineSoftmax(name: "Softmax" | "LogSoftmax", log: boolean): OpDef<typeof attrs> {
  return defineOp({
    name,
    doc: log
      ? "Log of softmax along an axis, computed stably (ONNX LogSoftmax)."
      : "Softmax along an axis, or over all axes from `axis` with flatten=1 (ONNX Softmax).",
    attrs,
    inputs: ["x"],
    outputs: ["y"],
    dtypes: FLOAT_TYPES,
    infer([xt], a) {
      const x = need(xt, "x");
      expectFloat(x, "x");
      if (x.shape.length === 0) throw new Error("input x must have rank >= 1");
      normAxis(a.axis, x.shape.length);
      return [tensorType(x.dtype, x.shape)];
    },
    evaluate([xt], a) {
      const x = needTensor(xt, "x");
      const y = makeTensor(x.dtype, x.shape);
      const axis = normAxis(a.axis, x.shape.length);
      const outer = numel(x.shape.slice(0, axis));
      if (a.flatten) softmax(floatData(x), floatData(y), outer, numel(x.shape.slice(axis)), 1, log);
      else softmax(floatData(x), floatData(y), outer, x.shape[axis]!, numel(x.shape.slice(axis + 1)), log);
      return [y];
    },
    fromOnnx: importSoftmax,
  });
}

function importSoftmax(node: OnnxNodeIn, ctx: OnnxImportContext): IrNodeSpec {
  if (ctx.opset >= 13) return { inputs: node.inputs, outputs: node.outputs, attrs: { axis: (node.attrs.axis as number | undefined) ?? -1 } };
  const axis = (node.attrs.axis as number | undefined) ?? 1;
  const rank = ctx.type(node.inputs[0]!)?.shape.length;
  // Flattening from the last axis is the same as the per-axis form.
  const last = rank !== undefined && (axis === -1 || axis === rank - 1);
  const attrs: Record<string, number> = last ? { axis } : { axis, flatten: 1 };
  return { inputs: node.inputs, outputs: node.outputs, attrs };
}

export const Softmax = defineSoftmax("Softmax", false);
export const LogSoftmax = defineSoftmax("LogSoftmax", true);
