// The ONNX RNN op (opsets 7 and 14): one simple recurrent layer, any direction.
import { defineOp } from "../../op.js";
import { simpleRnn } from "../../../src/runtime/kernels/rnn-simple.js";
import { resolveActivations } from "./activations.js";
import { inferRnn, numDirections, rnnAttrs, rnnFromOnnx, rnnMacs, RNN_DTYPES, type RnnFamily } from "./common.js";

const family: RnnFamily = { op: "RNN", gates: 1, defaultActivations: ["Tanh"] };

export const RNN = defineOp({
  name: "RNN",
  doc: "One simple recurrent layer, Ht = f(Xt·W^T + Ht-1·R^T + Wb + Rb), over a whole sequence.",
  attrs: rnnAttrs,
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?"],
  outputs: ["Y?", "Y_h?"],
  dtypes: RNN_DTYPES,
  infer: (inputs, a, ctx) => inferRnn(family, inputs, a, ctx.numOutputs),
  evaluate: (inputs, a, ctx) => {
    const nd = numDirections(a.direction);
    return simpleRnn(inputs, {
      hidden: a.hidden_size ?? inputs[2]!.shape[2]!,
      direction: a.direction,
      acts: resolveActivations(a.activations, a.activation_alpha, a.activation_beta, family.defaultActivations, nd),
      clip: a.clip,
      layout: a.layout,
      numOutputs: ctx.numOutputs,
    });
  },
  fromOnnx: (node, ctx) => rnnFromOnnx(family, Object.keys(rnnAttrs), node, ctx),
  macs: (inputs, _outputs, a) => rnnMacs(family, inputs, a),
});
