// `unaryOp`: the op definition of a unary element-wise function from its description (ir/unary.ts).
//
// The description is the op's `traits.unary`; the definition adds the slots X -> Y, the type
// rule (same type and shape, one of the accepted dtypes, the attributes checked) and the
// interpreter's kernel (the element function over the tensor). Everything else — the C kernel,
// the int8 table, the gradient, the random graphs, the fused form — reads the description.
import type { DType } from "../../dtype.js";
import { defineOp, type AttrSchema, type AttrsOf, type OnnxExportContext, type OnnxExportNode, type OnnxNodeOut, type OpDef } from "../../op.js";
import type { UnaryFn } from "../../unary.js";
import { inferUnary, unary } from "./common.js";

export interface UnaryOpSpec<S extends AttrSchema> {
  readonly name: string;
  readonly doc: string;
  readonly attrs: S;
  readonly dtypes: readonly DType[];
  readonly fn: UnaryFn<S>;
  /** A readable error when the attributes make no sense (checked by the type rule). */
  check?(a: AttrsOf<S>): string | undefined;
  /** Writes the node as ONNX where the IR op is not an ONNX op of the exporter's opset. */
  toOnnx?(node: OnnxExportNode, attrs: AttrsOf<S>, ctx: OnnxExportContext): OnnxNodeOut[];
}

export function unaryOp<S extends AttrSchema>(spec: UnaryOpSpec<S>): OpDef<S> {
  const { name, fn, dtypes } = spec;
  return defineOp<S>({
    name,
    doc: spec.doc,
    attrs: spec.attrs,
    inputs: ["X"],
    outputs: ["Y"],
    dtypes,
    infer: (inputs, a) => {
      const why = spec.check?.(a);
      if (why) throw new Error(`${name}: ${why}`);
      return inferUnary(name, inputs, dtypes);
    },
    evaluate: (inputs, a) => {
      const x = inputs[0];
      if (!x) throw new Error(`${name}: input X is missing`);
      return [unary(name, fn, a, x)];
    },
    ...(spec.toOnnx ? { toOnnx: spec.toOnnx } : {}),
    traits: { unary: fn as UnaryFn<any> },
  });
}
