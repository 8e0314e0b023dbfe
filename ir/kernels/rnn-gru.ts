// Reference GRU kernel (ONNX semantics, gate order z, r, h).
//
//   z = f(Xt·Wz + Ht-1·Rz + Wbz + Rbz),  r = f(Xt·Wr + Ht-1·Rr + Wbr + Rbr)
//   linear_before_reset = 0: h~ = g(Xt·Wh + (r*Ht-1)·Rh + Rbh + Wbh)
//   linear_before_reset = 1: h~ = g(Xt·Wh + r*(Ht-1·Rh + Rbh) + Wbh)
//   Ht = (1 - z)*h~ + z*Ht-1
import type { Activation } from "./rnn-activation-kinds.js";
import type { Tensor } from "../types.js";
import { applyActivation } from "./rnn-activations.js";
import { addMatVec } from "./rnn-matmul.js";
import {
  initialState, inputProjection, isReverse, startRnn, stepOrder, storeFinalState, storeStep, xRow, type RnnOptions,
} from "./rnn-common.js";

/** acts per direction: [f, g]. */
export interface GruOptions extends RnnOptions {
  readonly linearBeforeReset: boolean;
}

/** inputs: X, W, R, B?, sequence_lens?, initial_h?; returns [Y, Y_h]. */
export function gru(inputs: readonly (Tensor | undefined)[], o: GruOptions): Tensor[] {
  const { run, out, Y, W, r, bias, initH } = startRnn(inputs, o, 1);
  const yh = out.states[0]!;
  const H = o.hidden;
  const G = 3 * H;
  const gates = new Float64Array(G);
  const tmp = new Float64Array(H);
  const clip = o.clip;

  for (let d = 0; d < run.D; d++) {
    const [fAct, gAct] = o.acts[d] as [Activation, Activation];
    const xw = inputProjection(run, W, d, G);
    // wb: all three W biases; rb: the R biases (Rbh is applied inside the reset product).
    const wb = new Float64Array(G);
    const rb = new Float64Array(G);
    if (bias) {
      wb.set(bias.subarray(d * 2 * G, d * 2 * G + G));
      rb.set(bias.subarray(d * 2 * G + G, d * 2 * G + 2 * G));
    }
    const h = initialState(run, initH, d);
    const rOff = d * G * H;
    const rhOff = rOff + 2 * H * H;
    const steps = stepOrder(run, isReverse(o.direction, d));
    for (let i = 0; i < steps.length; i += 2) {
      const t = steps[i]!, b = steps[i + 1]!;
      const xo = xRow(run, t, b) * G;
      const hb = b * H;
      for (let j = 0; j < 2 * H; j++) gates[j] = xw[xo + j]! + wb[j]! + rb[j]!;
      for (let j = 2 * H; j < G; j++) gates[j] = xw[xo + j]! + wb[j]!;
      addMatVec(r, rOff, 2 * H, H, h, hb, gates, 0);
      applyActivation(fAct, gates, 0, 2 * H, clip);
      if (o.linearBeforeReset) {
        for (let k = 0; k < H; k++) tmp[k] = rb[2 * H + k]!;
        addMatVec(r, rhOff, H, H, h, hb, tmp, 0);
        for (let k = 0; k < H; k++) gates[2 * H + k] += gates[H + k]! * tmp[k]!;
      } else {
        for (let k = 0; k < H; k++) {
          tmp[k] = gates[H + k]! * h[hb + k]!;
          gates[2 * H + k] += rb[2 * H + k]!;
        }
        addMatVec(r, rhOff, H, H, tmp, 0, gates, 2 * H);
      }
      applyActivation(gAct, gates, 2 * H, H, clip);
      for (let k = 0; k < H; k++) {
        const z = gates[k]!;
        h[hb + k] = (1 - z) * gates[2 * H + k]! + z * h[hb + k]!;
      }
      storeStep(run, h, Y, t, d, b);
    }
    storeFinalState(run, h, d, yh);
  }
  return [out.y, yh].slice(0, o.numOutputs);
}
