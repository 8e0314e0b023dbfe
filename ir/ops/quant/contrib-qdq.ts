// com.microsoft QuantizeLinear and DequantizeLinear: the forms older onnxruntime quantization
// tools wrote before the ONNX ops took per-axis parameters (opset 13). Their semantics are the
// default-domain ops' (axis, round half to even, saturate), so the import writes them as those
// IR ops and everything downstream (lower-qdq included) sees one QuantizeLinear/DequantizeLinear.
import { defineOp, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import { DequantizeLinear } from "./dequantize-linear.js";
import { msOp } from "./contrib-params.js";
import { QuantizeLinear } from "./quantize-linear.js";

function asDefault(op: string) {
  return (node: OnnxNodeIn, ctx: OnnxImportContext) => {
    for (const k of Object.keys(node.attrs)) if (k !== "axis") return ctx.fail(`attribute "${k}" is not supported`);
    return { op, inputs: node.inputs, outputs: node.outputs, attrs: { ...node.attrs } };
  };
}

export const MsQuantizeLinear = defineOp({
  ...QuantizeLinear,
  name: "MsQuantizeLinear",
  doc: "com.microsoft QuantizeLinear: imported as QuantizeLinear.",
  onnxOps: [msOp("QuantizeLinear")],
  fromOnnx: asDefault(QuantizeLinear.name),
  toOnnx: undefined,
});

export const MsDequantizeLinear = defineOp({
  ...DequantizeLinear,
  name: "MsDequantizeLinear",
  doc: "com.microsoft DequantizeLinear: imported as DequantizeLinear.",
  onnxOps: [msOp("DequantizeLinear")],
  fromOnnx: asDefault(DequantizeLinear.name),
});
