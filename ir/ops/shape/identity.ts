// Identity: passes its input through (the output shares the input's storage; kernels never
// write to their inputs).
import { defineOp } from "../../op.js";
import { input } from "./util.js";

export const Identity = defineOp({
  name: "Identity",
  traits: { view: true, int8PassThrough: true, movesData: true },
  doc: "Returns its input unchanged.",
  attrs: {},
  inputs: ["x"],
  outputs: ["y"],
  infer: (xs) => [input(xs, 0, "x")],
  evaluate: (xs) => [input(xs, 0, "x")],
  foldDims: ([v]) => [v],
});
