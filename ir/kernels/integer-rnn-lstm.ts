// QLSTM's reference kernel (ir/ops/integer/qlstm.ts): the integer-only LSTM, gate order i, o, f, c.
// Per step (t, b) and hidden unit k, with P = the pre-activations and T_* the gate tables:
//   P_g = clamp16(xh_g + rh_g)                   Q3.12 (both halves from ./qint-rnn.ts)
//   i, o, f = T_sigmoid(P_i, P_o, P_f)           Q0.15
//   g = T_tanh(P_c)                              Q0.15
//   c = clamp16(rshr(f*c, 15) + rshr(i*g, 30 - s))   Q(15-s).s, rshr = rounding shift (ties up)
//   h = clamp8(zp_h + M_out(o * T_cell(c)))      int8, M_out = 2^-30 / s_h with the node's rounding
// Entries past their sequence length leave the zero point in Y; their final state is 0 (real).
import { multiplyByQuantizedMultiplier } from "../fixed-point.js";
import { makeTensor, type Tensor } from "../types.js";
import {
  clamp16, clamp8, inputHalf, loadState, lookupQ15, recurrentHalf, startQRnn, storeState, yOffset, type QRnnParams,
} from "./integer-rnn.js";

export interface QLstmParams extends QRnnParams {
  /** Fractional bits s of the int16 cell state. */
  readonly cellShift: number;
  readonly cellTanh: Int32Array;
}

/** inputs: X, W, R, B?, sequence_lens?, initial_h?, initial_c?; returns [Y, Y_h, Y_c]. */
export function qlstm(inputs: readonly (Tensor | undefined)[], p: QLstmParams): Tensor[] {
  const [X, , , , , h0, c0] = inputs;
  const H = p.hidden, D = p.directions;
  const { run, G, y, yh, Wf, Rf, bias } = startQRnn(inputs, p, 4);
  const B = run.B;
  const zph = p.hZeroPoint, cs = p.cellShift;
  const yc = makeTensor("i16", [D, B, H]);
  const Y = y.data as Int8Array, YH = yh.data as Int8Array, YC = yc.data as Int16Array;
  const h = new Int32Array(B * H), c = new Int32Array(B * H);
  const hc = new Float64Array(H), acc = new Float64Array(G), rec = new Int32Array(G);
  const { sigmoid: sg, tanh: th, cellTanh: ct } = p;
  const igShift = 30 - cs, igHalf = 2 ** (igShift - 1);
  const { outMultiplier: om, outShift: os } = p;
  const rounding = p.x.rounding;

  for (let d = 0; d < D; d++) {
    const xin = inputHalf(X!, p.xZeroPoint, Wf, bias, d, G, p.x);
    loadState(run, d, h, h0, zph);
    loadState(run, d, c, c0, 0);
    const steps = run.steps[d]!;
    for (let s = 0; s < steps.length; s += 2) {
      const t = steps[s]!, b = steps[s + 1]!;
      const hb = b * H;
      for (let k = 0; k < H; k++) hc[k] = h[hb + k]! - zph;
      recurrentHalf(Rf, bias, d, G, H, 0, G, hc, acc, rec, p.h);
      const xo = (t * B + b) * G;
      for (let k = 0; k < H; k++) {
        const i = lookupQ15(sg, clamp16(xin[xo + k]! + rec[k]!));
        const og = lookupQ15(sg, clamp16(xin[xo + H + k]! + rec[H + k]!));
        const f = lookupQ15(sg, clamp16(xin[xo + 2 * H + k]! + rec[2 * H + k]!));
        const g = lookupQ15(th, clamp16(xin[xo + 3 * H + k]! + rec[3 * H + k]!));
        const cn = clamp16(((f * c[hb + k]! + 16384) >> 15) + ((i * g + igHalf) >> igShift));
        c[hb + k] = cn;
        h[hb + k] = clamp8(zph + multiplyByQuantizedMultiplier(og * lookupQ15(ct, cn), om, os, rounding));
      }
      const yo = yOffset(run, t, d, b);
      for (let k = 0; k < H; k++) Y[yo + k] = h[hb + k]!;
    }
    storeState(run, d, h, YH);
    storeState(run, d, c, YC);
  }
  return [y, yh, yc].slice(0, p.numOutputs);
}
