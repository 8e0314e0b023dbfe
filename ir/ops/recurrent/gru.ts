// The ONNX GRU op (opsets 7 and 14): one layer, any direction, both reset variants.
import { defineOp, int } from "../../op.js";
import { gru } from "../../kernels/rnn-gru.js";
import { rnnAttrs, rnnOpParts, rnnRunOptions, type RnnFamily } from "./common.js";

const family: RnnFamily = { op: "GRU", gates: 3, defaultActivations: ["Sigmoid", "Tanh"] };
const attrs = { ...rnnAttrs, linear_before_reset: int(0) };

export const GRU = defineOp({
  name: "GRU",
  doc: "One GRU layer (gates z, r, h) over a whole sequence, with optional sequence lengths and initial state.",
  attrs,
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?"],
  outputs: ["Y?", "Y_h?"],
  ...rnnOpParts(family, Object.keys(attrs)),
  evaluate: (inputs, a, ctx) =>
    gru(inputs, { ...rnnRunOptions(family, inputs, a, ctx.numOutputs), linearBeforeReset: a.linear_before_reset !== 0 }),
});
