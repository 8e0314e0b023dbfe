// The ONNX GRU op (opsets 7 and 14): one layer, any direction, both reset variants.
import { defineOp, int } from "../../op.js";
import { gru } from "../../../src/runtime/kernels/rnn-gru.js";
import { resolveActivations } from "./activations.js";
import { inferRnn, numDirections, rnnAttrs, rnnFromOnnx, rnnMacs, RNN_DTYPES, type RnnFamily } from "./common.js";

const family: RnnFamily = { op: "GRU", gates: 3, defaultActivations: ["Sigmoid", "Tanh"] };
const attrs = { ...rnnAttrs, linear_before_reset: int(0) };

export const GRU = defineOp({
  name: "GRU",
  doc: "One GRU layer (gates z, r, h) over a whole sequence, with optional sequence lengths and initial state.",
  attrs,
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?"],
  outputs: ["Y?", "Y_h?"],
  dtypes: RNN_DTYPES,
  infer: (inputs, a, ctx) => inferRnn(family, inputs, a, ctx.numOutputs),
  evaluate: (inputs, a, ctx) => {
    const nd = numDirections(a.direction);
    return gru(inputs, {
      hidden: a.hidden_size ?? inputs[2]!.shape[2]!,
      direction: a.direction,
      acts: resolveActivations(a.activations, a.activation_alpha, a.activation_beta, family.defaultActivations, nd),
      clip: a.clip,
      linearBeforeReset: a.linear_before_reset !== 0,
      layout: a.layout,
      numOutputs: ctx.numOutputs,
    });
  },
  fromOnnx: (node, ctx) => rnnFromOnnx(family, Object.keys(attrs), node, ctx),
  macs: (inputs, _outputs, a) => rnnMacs(family, inputs, a),
});
