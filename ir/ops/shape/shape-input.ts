// Import and export of the ops whose ONNX target shape is input 1 (Expand, Reshape): the IR keeps
// it as the `shape` dims attribute, so symbolic dims from Shape math survive into the types.
import type { Dim } from "../../dim.js";
import type { IrNodeSpec, OnnxExportContext, OnnxExportNode, OnnxImportContext, OnnxNodeIn, OnnxNodeOut } from "../../op.js";
import { dimsInput, passAttrs } from "../onnx-export.js";
import { constantDims, withoutAttrs } from "./util.js";

/** Moves the constant (or Shape-computed) input 1 into the `shape` attribute. */
export function shapeInputFromOnnx(node: OnnxNodeIn, ctx: OnnxImportContext): IrNodeSpec {
  return {
    inputs: [node.inputs[0]!],
    outputs: node.outputs,
    attrs: { ...withoutAttrs(node.attrs, "shape"), shape: constantDims(node, 1, ctx, "shape") ?? ctx.fail("it has no shape input") },
  };
}

/** Writes the `shape` attribute back as input 1 of an ONNX `opType` node. */
export function shapeInputToOnnx(opType: string) {
  return (node: OnnxExportNode, a: { readonly shape: readonly Dim[] }, ctx: OnnxExportContext): OnnxNodeOut[] => {
    const out: OnnxNodeOut[] = [];
    const shape = dimsInput(ctx, a.shape, `${node.name}.shape`, out, [node.inputs[0]!]);
    return [...out, { opType, name: node.name, inputs: [node.inputs[0]!, shape], outputs: node.outputs, ...passAttrs(opType, node, ["shape"]) }];
  };
}
