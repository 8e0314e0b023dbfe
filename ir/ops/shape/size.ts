// Size: the number of elements of a tensor as an i64 scalar.
import { defineOp } from "../../op.js";
import { makeTensor, numel, tensorType } from "../../types.js";
import { input, productDims } from "./util.js";

export const Size = defineOp({
  name: "Size",
  doc: "The element count of a tensor as an i64 scalar.",
  attrs: {},
  inputs: ["x"],
  outputs: ["size"],
  infer: () => [tensorType("i64", [])],
  evaluate: (xs) => [makeTensor("i64", [], BigInt64Array.of(BigInt(numel(input(xs, 0, "x").shape))))],
  foldDims: (_vals, _a, types) => {
    const t = types[0];
    if (!t) return undefined;
    try {
      return [[productDims(t.shape)]];
    } catch {
      return undefined; // a product of two symbols has no Dim form
    }
  },
});
