// LpNormalization: divides x by its L1 or L2 norm along one axis.
import { defineOp, int } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, numel, tensorType } from "../../types.js";
import { lpNormalize } from "../../kernels/norm.js";
import { expectFloat, floatData, FLOAT_TYPES, need, needTensor } from "./common.js";

export const LpNormalization = defineOp({
  name: "LpNormalization",
  doc: "Normalizes x to unit L1 or L2 norm along `axis` (ONNX LpNormalization).",
  attrs: { axis: int(-1), p: int(2) },
  inputs: ["x"],
  outputs: ["y"],
  dtypes: FLOAT_TYPES,
  infer([xt], a) {
    const x = need(xt, "x");
    expectFloat(x, "x");
    normAxis(a.axis, x.shape.length);
    if (a.p !== 1 && a.p !== 2) throw new Error(`p must be 1 or 2, got ${a.p}`);
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate([xt], a) {
    const x = needTensor(xt, "x");
    const axis = normAxis(a.axis, x.shape.length);
    const y = makeTensor(x.dtype, x.shape);
    lpNormalize(floatData(x), floatData(y), numel(x.shape.slice(0, axis)), x.shape[axis]!, numel(x.shape.slice(axis + 1)), a.p as 1 | 2);
    return [y];
  },
});
