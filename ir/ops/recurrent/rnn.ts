// The ONNX RNN op (opsets 7 and 14): one simple recurrent layer, any direction.
import { defineOp } from "../../op.js";
import { simpleRnn } from "../../kernels/rnn-simple.js";
import { rnnAttrs, rnnOpParts, rnnRunOptions, type RnnFamily } from "./common.js";

const family: RnnFamily = { op: "RNN", gates: 1, defaultActivations: ["Tanh"] };

export const RNN = defineOp({
  name: "RNN",
  doc: "One simple recurrent layer, Ht = f(Xt·W^T + Ht-1·R^T + Wb + Rb), over a whole sequence.",
  attrs: rnnAttrs,
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?"],
  outputs: ["Y?", "Y_h?"],
  ...rnnOpParts(family, Object.keys(rnnAttrs)),
  evaluate: (inputs, a, ctx) => simpleRnn(inputs, rnnRunOptions(family, inputs, a, ctx.numOutputs)),
});
