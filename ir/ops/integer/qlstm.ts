// QLSTM: the integer-only LSTM (int8 weights and hidden state, int16 cell state with a
// power-of-two scale, Q3.12 gate pre-activations through 513-entry Q0.15 sigmoid/tanh tables).
// The quantize pass makes it from an LSTM with `rnn=integer` (passes/quantize/lower-rnn.ts).
// The kernel is ir/kernels/integer-rnn-lstm.ts; ./qrnn-common.ts gives the inputs and
// attributes it shares with QGRU, docs/quantization.md ("Integer LSTM/GRU") the full arithmetic.
//
// Own attributes: cell_shift s (the cell state is c * 2^s in int16, 0 <= s <= 15) and
// cell_tanh_table (tanh over the cell's own int16 grid, so h needs no rescaling of c).
// Extra input initial_c [D, B, H] int16 and output Y_c [D, B, H] int16 (scale 2^-s).
import { defineOp, int, ints } from "../../op.js";
import { qlstm } from "../../kernels/integer-rnn-lstm.js";
import { checkTable, inferQRnn, noOnnxForm, qrnnAttrs, qrnnKernelParams, qrnnMacs, type QRnnFamily } from "./qrnn-common.js";

const family: QRnnFamily = { op: "QLSTM", gates: 4, cell: true };

function cellShift(s: number): number {
  if (!Number.isInteger(s) || s < 0 || s > 15) throw new Error(`cell_shift must be an integer in [0, 15], got ${s}`);
  return s;
}

export const QLSTM = defineOp({
  name: "QLSTM",
  doc: "Integer-only LSTM: int8 x, W, R and h, int16 cell state, Q3.12 gates through interpolated Q0.15 tables.",
  attrs: { ...qrnnAttrs, cell_shift: int(11), cell_tanh_table: ints([]) },
  inputs: ["X", "W", "R", "B?", "sequence_lens?", "initial_h?", "initial_c?"],
  outputs: ["Y?", "Y_h?", "Y_c?"],
  onnxOps: [],
  infer(inputs, a, ctx) {
    cellShift(a.cell_shift);
    checkTable(a.cell_tanh_table, "cell_tanh_table");
    return inferQRnn(family, inputs, a, ctx.numOutputs);
  },
  evaluate(inputs, a, ctx) {
    return qlstm(inputs, {
      ...qrnnKernelParams(family, inputs, a, ctx.numOutputs),
      cellShift: cellShift(a.cell_shift), cellTanh: checkTable(a.cell_tanh_table, "cell_tanh_table"),
    });
  },
  macs: (inputs, _outputs, a) => qrnnMacs(family, inputs, a),
  toOnnx: () => noOnnxForm("QLSTM"),
});
