// QGRU: the integer-only GRU (int8 weights and hidden state, Q3.12 gate pre-activations through
// 513-entry Q0.15 sigmoid/tanh tables), both reset variants. The quantize pass makes it from a
// GRU with `rnn=integer` (passes/quantize/lower-rnn.ts). The kernel is
// ir/kernels/integer-rnn-gru.ts; ./qrnn-common.ts gives the inputs and attributes it
// shares with QLSTM, docs/quantization.md ("Integer LSTM/GRU") the full arithmetic.
import { defineOp, int } from "../../op.js";
import { qgru } from "../../kernels/integer-rnn-gru.js";
import { inferQRnn, noOnnxForm, qrnnAttrs, qrnnKernelParams, qrnnMacs, type QRnnFamily } from "./qrnn-common.js";

const family: QRnnFamily = { op: "QGRU", gates: 3, cell: false };

function linearBeforeReset(v: number): boolean {
  if (v !== 0 && v !== 1) throw new Error(`linear_before_reset must be 0 or 1, got ${v}`);
  return v === 1;
}

export const QGRU = defineOp({
  name: "QGRU",
  doc: "Integer-only GRU: int8 x, W, R and h, Q3.12 gates through interpolated Q0.15 tables.",
  attrs: { ...qrnnAttrs, linear_before_reset: int(0) },
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?"],
  outputs: ["Y?", "Y_h?"],
  onnxOps: [],
  infer(inputs, a, ctx) {
    linearBeforeReset(a.linear_before_reset);
    return inferQRnn(family, inputs, a, ctx.numOutputs);
  },
  evaluate(inputs, a, ctx) {
    return qgru(inputs, { ...qrnnKernelParams(family, inputs, a, ctx.numOutputs), linearBeforeReset: linearBeforeReset(a.linear_before_reset) });
  },
  macs: (inputs, _outputs, a) => qrnnMacs(family, inputs, a),
  toOnnx: () => noOnnxForm("QGRU"),
});
