// Constant: a tensor held in the node. Import turns every ONNX form (value, value_float(s),
// value_int(s), value_string(s)) into the `value` tensor; the frontend usually folds these
// nodes into graph constants, and other imports (a constant Range) produce them.
import { defineOp, required, tensorAttr, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import { fromNumbers, makeTensor, typeOfTensor, type Tensor } from "../../types.js";

function valueOf(node: OnnxNodeIn, ctx: OnnxImportContext): Tensor {
  const a = node.attrs;
  const given = Object.keys(a);
  if (given.length !== 1) ctx.fail(`it must have exactly one value attribute, it has ${given.length ? given.join(", ") : "none"}`);
  const key = given[0]!;
  const v = a[key];
  switch (key) {
    case "value": return v as Tensor;
    case "value_float": return fromNumbers("f32", [], [v as number]);
    case "value_floats": return fromNumbers("f32", [(v as number[]).length], v as number[]);
    case "value_int": return fromNumbers("i64", [], [v as number]);
    case "value_ints": return fromNumbers("i64", [(v as number[]).length], v as number[]);
    case "value_string": return makeTensor("string", [], [v as string]);
    case "value_strings": return makeTensor("string", [(v as string[]).length], [...(v as string[])]);
    default: return ctx.fail(`its ${key} attribute is not supported`);
  }
}

export const Constant = defineOp({
  name: "Constant",
  doc: "A constant tensor `value`.",
  attrs: { value: required(tensorAttr()) },
  inputs: [],
  outputs: ["y"],
  fromOnnx: (node, ctx) => ({ inputs: [], outputs: node.outputs, attrs: { value: valueOf(node, ctx) } }),
  infer: (_xs, a) => [typeOfTensor(a.value)],
  evaluate: (_xs, a) => [a.value],
  foldDims: (_vals, a) => {
    const v = a.value;
    if (!/^[iu]\d+$/.test(v.dtype) || v.data.length > 64) return undefined;
    return [Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x))];
  },
});
