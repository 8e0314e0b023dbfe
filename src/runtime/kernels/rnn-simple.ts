// Reference kernel of the ONNX RNN op: Ht = f(Xt·Wi + Ht-1·Ri + Wbi + Rbi).
import type { Activation } from "../../../ir/ops/recurrent/activations.js";
import type { Tensor } from "../../../ir/types.js";
import { applyActivation } from "./rnn-activations.js";
import { addMatVec } from "./rnn-matmul.js";
import {
  allocOutputs, combinedBias, initialState, inputProjection, isReverse, setupRun, storeFinalState, toF64, xRow, yOffset,
} from "./rnn-common.js";

export interface SimpleRnnOptions {
  readonly hidden: number;
  readonly direction: string;
  /** Per direction: [f]. */
  readonly acts: readonly (readonly Activation[])[];
  readonly clip: number | undefined;
  readonly layout: number;
  readonly numOutputs: number;
}

/** inputs: X, W, R, B?, sequence_lens?, initial_h?; returns [Y, Y_h]. */
export function simpleRnn(inputs: readonly (Tensor | undefined)[], o: SimpleRnnOptions): Tensor[] {
  const [X, W, R, Bias, seq, h0] = inputs;
  const D = o.acts.length;
  const H = o.hidden;
  const run = setupRun(X!, H, D, o.layout, seq);
  const out = allocOutputs(run, X!.dtype, 1);
  const yh = out.states[0]!;
  const Y = out.y.data as Float32Array | Float64Array;
  const r = toF64(R!);
  const bias = Bias ? toF64(Bias) : undefined;
  const initH = h0 ? toF64(h0) : undefined;
  const gates = new Float64Array(H);
  const { B, lens, maxLen } = run;

  for (let d = 0; d < D; d++) {
    const fAct = o.acts[d]![0]!;
    const reverse = isReverse(o.direction, d);
    const xw = inputProjection(run, W!, d, H);
    const bsum = combinedBias(bias, d, H);
    const h = initialState(run, initH, d);
    const rOff = d * H * H;
    for (let s = 0; s < maxLen; s++) {
      for (let b = 0; b < B; b++) {
        const len = lens[b]!;
        if (s >= len) continue;
        const t = reverse ? len - 1 - s : s;
        const xo = xRow(run, t, b) * H;
        const hb = b * H;
        for (let j = 0; j < H; j++) gates[j] = xw[xo + j]! + bsum[j]!;
        addMatVec(r, rOff, H, H, h, hb, gates, 0);
        applyActivation(fAct, gates, 0, H, o.clip);
        const yo = yOffset(run, t, d, b);
        for (let k = 0; k < H; k++) {
          const v = gates[k]!;
          h[hb + k] = v;
          Y[yo + k] = v;
        }
      }
    }
    storeFinalState(run, h, d, yh);
  }
  return [out.y, yh].slice(0, o.numOutputs);
}
