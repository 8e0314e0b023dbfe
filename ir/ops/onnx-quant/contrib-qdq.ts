// com.microsoft QuantizeLinear and DequantizeLinear: the forms older onnxruntime quantization
// tools wrote before the ONNX ops took per-axis parameters (opset 13). Their semantics are the
// default-domain ops' (axis, round half to even, saturate), so the import writes them as those
// IR ops and everything downstream (import-qdq included) sees one QuantizeLinear/DequantizeLinear.
import { defineOp, type AttrSchema, type OnnxImportContext, type OnnxNodeIn, type OpDef } from "../../op.js";
import { DequantizeLinear } from "./dequantize-linear.js";
import { msOp } from "./contrib-params.js";
import { QuantizeLinear } from "./quantize-linear.js";

/**
 * The com.microsoft form of a default-domain op: its definition under the name "Ms<name>",
 * imported as the op itself (only the axis attribute is accepted) and never exported.
 */
function msAlias<S extends AttrSchema>(def: OpDef<S>): OpDef<S> {
  return defineOp({
    ...def,
    name: `Ms${def.name}`,
    doc: `com.microsoft ${def.name}: imported as ${def.name}.`,
    onnxOps: [msOp(def.name)],
    fromOnnx: (node: OnnxNodeIn, ctx: OnnxImportContext) => {
      for (const k of Object.keys(node.attrs)) if (k !== "axis") return ctx.fail(`attribute "${k}" is not supported`);
      return { op: def.name, inputs: node.inputs, outputs: node.outputs, attrs: { ...node.attrs } };
    },
    toOnnx: undefined,
  });
}

export const MsQuantizeLinear = msAlias(QuantizeLinear);
export const MsDequantizeLinear = msAlias(DequantizeLinear);
