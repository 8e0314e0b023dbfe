// Softmax and LogSoftmax, with both ONNX semantics in one IR form.
//
// Opset >= 13 normalizes along one axis (default -1). Opsets < 13 coerce the input to 2-D at
// `axis` (default 1) and normalize over the flattened trailing part. The IR attribute
// `flatten` = 1 selects the latter: normalize jointly over all axes from `axis` to the last.
// Import sets it only when it matters (axis is not already the last axis).
import { defineOp, int, type IrNodeSpec, type OnnxExportContext, type OnnxExportNode, type OnnxImportContext, type OnnxNodeIn, type OnnxNodeOut, type OpDef } from "../../op.js";
import { passAttrs } from "../onnx-export.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, numel, tensorType } from "../../types.js";
import { softmax } from "../../kernels/softmax.js";
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
    toOnnx: (node, a, ctx) => exportSoftmax(name, node, a, ctx),
  });
}

/**
 * Opset 13+ normalizes along one axis, so the flatten=1 form is written as the opset < 13
 * definition reads: Flatten at `axis`, the op along the flattened trailing part, and a Reshape
 * back to the input's shape.
 */
function exportSoftmax(op: string, node: OnnxExportNode, a: { axis: number; flatten: number }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const { attrs, floatAttrs } = passAttrs(op, node, ["flatten"]);
  const x = node.inputs[0]!;
  const rank = ctx.type(x).shape.length;
  if (!a.flatten || normAxis(a.axis, rank) === rank - 1) {
    return [{ opType: op, name: node.name, inputs: node.inputs, outputs: node.outputs, attrs, floatAttrs }];
  }
  const flat = ctx.fresh(`${node.name}.flat`), y2 = ctx.fresh(`${node.name}.flat_out`), shape = ctx.fresh(`${node.name}.in_shape`);
  return [
    { opType: "Flatten", name: flat, inputs: [x], outputs: [flat], attrs: { axis: a.axis } },
    { opType: op, name: node.name, inputs: [flat], outputs: [y2], attrs: { axis: 1 } },
    { opType: "Shape", name: shape, inputs: [x], outputs: [shape], attrs: {} },
    { opType: "Reshape", name: ctx.fresh(`${node.name}.unflatten`), inputs: [y2, shape], outputs: node.outputs, attrs: {} },
  ];
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
