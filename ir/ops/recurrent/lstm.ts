// The ONNX LSTM op (opsets 7 and 14): one layer, any direction, optional peepholes and states.
import { defineOp, int } from "../../op.js";
import { lstm } from "../../../src/runtime/kernels/rnn-lstm.js";
import { resolveActivations } from "./activations.js";
import { inferRnn, numDirections, rnnAttrs, rnnFromOnnx, rnnMacs, RNN_DTYPES, type RnnFamily } from "./common.js";

const family: RnnFamily = { op: "LSTM", gates: 4, defaultActivations: ["Sigmoid", "Tanh", "Tanh"] };
const attrs = { ...rnnAttrs, input_forget: int(0) };

export const LSTM = defineOp({
  name: "LSTM",
  doc: "One LSTM layer (gates i, o, f, c) over a whole sequence, with optional peepholes, sequence lengths and states.",
  attrs,
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?", "initial_c?", "P?"],
  outputs: ["Y?", "Y_h?", "Y_c?"],
  dtypes: RNN_DTYPES,
  infer: (inputs, a, ctx) => inferRnn(family, inputs, a, ctx.numOutputs),
  evaluate: (inputs, a, ctx) => {
    const nd = numDirections(a.direction);
    return lstm(inputs, {
      hidden: a.hidden_size ?? inputs[2]!.shape[2]!,
      direction: a.direction,
      acts: resolveActivations(a.activations, a.activation_alpha, a.activation_beta, family.defaultActivations, nd),
      clip: a.clip,
      inputForget: a.input_forget !== 0,
      layout: a.layout,
      numOutputs: ctx.numOutputs,
    });
  },
  fromOnnx: (node, ctx) => rnnFromOnnx(family, Object.keys(attrs), node, ctx),
  macs: (inputs, _outputs, a) => rnnMacs(family, inputs, a),
});
