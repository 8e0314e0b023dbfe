// Reference kernel of the ONNX RNN op: Ht = f(Xt·Wi + Ht-1·Ri + Wbi + Rbi).
import type { Tensor } from "../types.js";
import { applyActivation } from "./rnn-activations.js";
import { addMatVec } from "./rnn-matmul.js";
import {
  combinedBias, initialState, inputProjection, isReverse, startRnn, stepOrder, storeFinalState, storeStep, xRow,
  type RnnOptions,
} from "./rnn-common.js";

/** acts per direction: [f]. */
export type SimpleRnnOptions = RnnOptions;

/** inputs: X, W, R, B?, sequence_lens?, initial_h?; returns [Y, Y_h]. */
export function simpleRnn(inputs: readonly (Tensor | undefined)[], o: SimpleRnnOptions): Tensor[] {
  const { run, out, Y, W, r, bias, initH } = startRnn(inputs, o, 1);
  const yh = out.states[0]!;
  const H = o.hidden;
  const gates = new Float64Array(H);

  for (let d = 0; d < run.D; d++) {
    const fAct = o.acts[d]![0]!;
    const xw = inputProjection(run, W, d, H);
    const bsum = combinedBias(bias, d, H);
    const h = initialState(run, initH, d);
    const rOff = d * H * H;
    const steps = stepOrder(run, isReverse(o.direction, d));
    for (let i = 0; i < steps.length; i += 2) {
      const t = steps[i]!, b = steps[i + 1]!;
      const xo = xRow(run, t, b) * H;
      const hb = b * H;
      for (let j = 0; j < H; j++) gates[j] = xw[xo + j]! + bsum[j]!;
      addMatVec(r, rOff, H, H, h, hb, gates, 0);
      applyActivation(fAct, gates, 0, H, o.clip);
      h.set(gates, hb);
      storeStep(run, h, Y, t, d, b);
    }
    storeFinalState(run, h, d, yh);
  }
  return [out.y, yh].slice(0, o.numOutputs);
}
