// Calibration of QLSTM's cell state: the float LSTM recurrence (default activations, no
// peepholes, clip or input_forget: the layers that become QLSTM) run once more on a layer's
// calibration inputs, recording the range of the cell state over every step. The cell state is
// internal to the ONNX op (only its final value, Y_c, is a graph value), so graph-level
// calibration cannot see it; passes/quantize/lower-rnn.ts turns this range into the int16 cell's
// power-of-two scale.
import { Act } from "../../../ir/kernels/rnn-activation-kinds.js";
import { rnnRunOptions, type RnnAttrs, type RnnFamily } from "../../../ir/ops/recurrent/common.js";
import type { Tensor } from "../../../ir/types.js";
import { addMatVec } from "../../../ir/kernels/rnn-matmul.js";
import { combinedBias, initialState, inputProjection, isReverse, startRnn, stepOrder, toF64, xRow } from "../../../ir/kernels/rnn-common.js";

const FAMILY: RnnFamily = { op: "LSTM", gates: 4, defaultActivations: ["Sigmoid", "Tanh", "Tanh"] };

export interface LstmStateAttrs extends RnnAttrs {
  readonly input_forget: number;
}

/**
 * [min, max] of the cell state of an LSTM (inputs X, W, R, B?, sequence_lens?, initial_h?,
 * initial_c?, P?) over all steps, directions and batch entries, initial value included; undefined
 * for the variants QLSTM does not compute.
 */
export function cellRange(inputs: readonly (Tensor | undefined)[], a: LstmStateAttrs): { min: number; max: number } | undefined {
  if (a.layout !== 0 || a.clip !== undefined || a.input_forget !== 0 || inputs[7]) return undefined;
  const o = rnnRunOptions(FAMILY, inputs, a, 3);
  if (!o.acts.every((d) => d[0]!.kind === Act.Sigmoid && d[1]!.kind === Act.Tanh && d[2]!.kind === Act.Tanh)) return undefined;
  const { run, W, r, bias, initH } = startRnn(inputs, o, 2);
  const initC = inputs[6] ? toF64(inputs[6]) : undefined;
  const H = o.hidden, G = 4 * H;
  const g = new Float64Array(G);
  let min = 0, max = 0;
  for (let d = 0; d < run.D; d++) {
    const xw = inputProjection(run, W, d, G);
    const bsum = combinedBias(bias, d, G);
    const h = initialState(run, initH, d), c = initialState(run, initC, d);
    for (const v of c) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const steps = stepOrder(run, isReverse(o.direction, d));
    for (let s = 0; s < steps.length; s += 2) {
      const t = steps[s]!, b = steps[s + 1]!;
      const xo = xRow(run, t, b) * G, hb = b * H;
      for (let j = 0; j < G; j++) g[j] = xw[xo + j]! + bsum[j]!;
      addMatVec(r, d * G * H, G, H, h, hb, g, 0);
      for (let k = 0; k < H; k++) {
        const i = 1 / (1 + Math.exp(-g[k]!)), og = 1 / (1 + Math.exp(-g[H + k]!)), f = 1 / (1 + Math.exp(-g[2 * H + k]!));
        const cn = f * c[hb + k]! + i * Math.tanh(g[3 * H + k]!);
        if (cn < min) min = cn;
        if (cn > max) max = cn;
        c[hb + k] = cn;
        h[hb + k] = og * Math.tanh(cn);
      }
    }
  }
  return { min, max };
}
