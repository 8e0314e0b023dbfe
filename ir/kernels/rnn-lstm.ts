// Reference LSTM kernel (ONNX semantics, gate order i, o, f, c).
//
// The input projection of all steps is one matrix product; each step then adds R·h_{t-1} per
// batch entry into a preallocated gate buffer and applies the gate equations:
//   i = f(. + Pi*C_{t-1}), f = f(. + Pf*C_{t-1}) (or 1 - i with input_forget), c = g(.),
//   C_t = f*C_{t-1} + i*c, o = f(. + Po*C_t), H_t = o*h(C_t).
// Entries past their sequence length keep their state and leave zeros in Y.
import type { Activation } from "./rnn-activation-kinds.js";
import type { Tensor } from "../types.js";
import { applyActivation } from "./rnn-activations.js";
import { addMatVec } from "./rnn-matmul.js";
import {
  combinedBias, initialState, inputProjection, isReverse, startRnn, stepOrder, storeFinalState, storeStep, toF64, xRow,
  type RnnOptions,
} from "./rnn-common.js";

/** acts per direction: [f, g, h]. */
export interface LstmOptions extends RnnOptions {
  readonly inputForget: boolean;
}

/** inputs: X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P?; returns [Y, Y_h, Y_c]. */
export function lstm(inputs: readonly (Tensor | undefined)[], o: LstmOptions): Tensor[] {
  const { run, out, Y, W, r, bias, initH } = startRnn(inputs, o, 2);
  const c0 = inputs[6], P = inputs[7];
  const [yh, yc] = out.states as [Tensor, Tensor];
  const initC = c0 ? toF64(c0) : undefined;
  const peep = P ? toF64(P) : undefined;
  const H = o.hidden;
  const G = 4 * H;
  const gates = new Float64Array(G);
  const tmp = new Float64Array(H);
  const clip = o.clip;

  for (let d = 0; d < run.D; d++) {
    const [fAct, gAct, hAct] = o.acts[d] as [Activation, Activation, Activation];
    const xw = inputProjection(run, W, d, G);
    const bsum = combinedBias(bias, d, G);
    const h = initialState(run, initH, d);
    const c = initialState(run, initC, d);
    const rOff = d * G * H;
    const pOff = d * 3 * H;
    const steps = stepOrder(run, isReverse(o.direction, d));
    for (let i = 0; i < steps.length; i += 2) {
      const t = steps[i]!, b = steps[i + 1]!;
      const xo = xRow(run, t, b) * G;
      for (let j = 0; j < G; j++) gates[j] = xw[xo + j]! + bsum[j]!;
      const hb = b * H;
      addMatVec(r, rOff, G, H, h, hb, gates, 0);
      // Blocks: i [0,H), o [H,2H), f [2H,3H), c [3H,4H).
      if (peep) {
        for (let k = 0; k < H; k++) {
          const cp = c[hb + k]!;
          gates[k] += peep[pOff + k]! * cp;
          gates[2 * H + k] += peep[pOff + 2 * H + k]! * cp;
        }
      }
      applyActivation(fAct, gates, 0, H, clip);
      if (o.inputForget) {
        for (let k = 0; k < H; k++) gates[2 * H + k] = 1 - gates[k]!;
      } else {
        applyActivation(fAct, gates, 2 * H, H, clip);
      }
      applyActivation(gAct, gates, 3 * H, H, clip);
      for (let k = 0; k < H; k++) {
        c[hb + k] = gates[2 * H + k]! * c[hb + k]! + gates[k]! * gates[3 * H + k]!;
      }
      if (peep) for (let k = 0; k < H; k++) gates[H + k] += peep[pOff + H + k]! * c[hb + k]!;
      applyActivation(fAct, gates, H, H, clip);
      tmp.set(c.subarray(hb, hb + H));
      applyActivation(hAct, tmp, 0, H, clip);
      for (let k = 0; k < H; k++) h[hb + k] = gates[H + k]! * tmp[k]!;
      storeStep(run, h, Y, t, d, b);
    }
    storeFinalState(run, h, d, yh);
    storeFinalState(run, c, d, yc);
  }
  return [out.y, yh, yc].slice(0, o.numOutputs);
}
