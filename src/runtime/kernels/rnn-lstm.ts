// Reference LSTM kernel (ONNX semantics, gate order i, o, f, c).
//
// The input projection of all steps is one matrix product; each step then adds R·h_{t-1} per
// batch entry into a preallocated gate buffer and applies the gate equations:
//   i = f(. + Pi*C_{t-1}), f = f(. + Pf*C_{t-1}) (or 1 - i with input_forget), c = g(.),
//   C_t = f*C_{t-1} + i*c, o = f(. + Po*C_t), H_t = o*h(C_t).
// Entries past their sequence length keep their state and leave zeros in Y.
import type { Activation } from "../../../ir/ops/recurrent/activations.js";
import type { Tensor } from "../../../ir/types.js";
import { applyActivation } from "./rnn-activations.js";
import { addMatVec } from "./rnn-matmul.js";
import {
  allocOutputs, combinedBias, initialState, inputProjection, isReverse, setupRun, storeFinalState, toF64, xRow, yOffset,
} from "./rnn-common.js";

export interface LstmOptions {
  readonly hidden: number;
  readonly direction: string;
  /** Per direction: [f, g, h]. */
  readonly acts: readonly (readonly Activation[])[];
  readonly clip: number | undefined;
  readonly inputForget: boolean;
  readonly layout: number;
  readonly numOutputs: number;
}

/** inputs: X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P?; returns [Y, Y_h, Y_c]. */
export function lstm(inputs: readonly (Tensor | undefined)[], o: LstmOptions): Tensor[] {
  const [X, W, R, Bias, seq, h0, c0, P] = inputs;
  const D = o.acts.length;
  const H = o.hidden;
  const run = setupRun(X!, H, D, o.layout, seq);
  const out = allocOutputs(run, X!.dtype, 2);
  const [yh, yc] = out.states as [Tensor, Tensor];
  const Y = out.y.data as Float32Array | Float64Array;
  const r = toF64(R!);
  const bias = Bias ? toF64(Bias) : undefined;
  const initH = h0 ? toF64(h0) : undefined;
  const initC = c0 ? toF64(c0) : undefined;
  const peep = P ? toF64(P) : undefined;
  const G = 4 * H;
  const gates = new Float64Array(G);
  const tmp = new Float64Array(H);
  const { B, lens, maxLen } = run;
  const clip = o.clip;

  for (let d = 0; d < D; d++) {
    const [fAct, gAct, hAct] = o.acts[d] as [Activation, Activation, Activation];
    const reverse = isReverse(o.direction, d);
    const xw = inputProjection(run, W!, d, G);
    const bsum = combinedBias(bias, d, G);
    const h = initialState(run, initH, d);
    const c = initialState(run, initC, d);
    const rOff = d * G * H;
    const pOff = d * 3 * H;
    for (let s = 0; s < maxLen; s++) {
      for (let b = 0; b < B; b++) {
        const len = lens[b]!;
        if (s >= len) continue;
        const t = reverse ? len - 1 - s : s;
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
        const yo = yOffset(run, t, d, b);
        for (let k = 0; k < H; k++) {
          const v = gates[H + k]! * tmp[k]!;
          h[hb + k] = v;
          Y[yo + k] = v;
        }
      }
    }
    storeFinalState(run, h, d, yh);
    storeFinalState(run, c, d, yc);
  }
  return [out.y, yh, yc].slice(0, o.numOutputs);
}
