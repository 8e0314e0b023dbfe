// The ONNX LSTM op (opsets 7 and 14): one layer, any direction, optional peepholes and states.
import { defineOp, int } from "../../op.js";
import { lstm } from "../../kernels/rnn-lstm.js";
import { rnnAttrs, rnnOpParts, rnnRunOptions, type RnnFamily } from "./common.js";

const family: RnnFamily = { op: "LSTM", gates: 4, defaultActivations: ["Sigmoid", "Tanh", "Tanh"] };
const attrs = { ...rnnAttrs, input_forget: int(0) };

export const LSTM = defineOp({
  name: "LSTM",
  doc: "One LSTM layer (gates i, o, f, c) over a whole sequence, with optional peepholes, sequence lengths and states.",
  attrs,
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?", "initial_c?", "P?"],
  outputs: ["Y?", "Y_h?", "Y_c?"],
  ...rnnOpParts(family, Object.keys(attrs)),
  evaluate: (inputs, a, ctx) =>
    lstm(inputs, { ...rnnRunOptions(family, inputs, a, ctx.numOutputs), inputForget: a.input_forget !== 0 }),
});
