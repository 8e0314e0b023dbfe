// QGRU's reference kernel (ir/ops/integer/qgru.ts): the integer-only GRU, gate order z, r, h.
// Per step (t, b) and hidden unit k (xh, rh the halves of ./qint-rnn.ts, hc = h - zp_h):
//   z, r = T_sigmoid(clamp16(xh + rh))                                   Q0.15
//   linear_before_reset = 1: P_h = clamp16(xh_h + rshr(r * clamp16(rh_h(hc)), 15))
//   linear_before_reset = 0: P_h = clamp16(xh_h + rh_h(rshr(hc * r, 15)))  (r*h stays on h's grid)
//   n = T_tanh(P_h)                                                      Q0.15
//   h = clamp8(zp_h + M_out((2^15 - z) * n) + rshr(z * hc, 15))          M_out = 2^-30 / s_h
// rshr(v, n) is the rounding shift floor((v + 2^(n-1)) / 2^n). Entries past their sequence length
// leave the zero point in Y and in Y_h.
import { multiplyByQuantizedMultiplier } from "../fixed-point.js";
import type { Tensor } from "../types.js";
import {
  clamp16, clamp8, inputHalf, loadState, lookupQ15, recurrentHalf, startQRnn, storeState, yOffset, type QRnnParams,
} from "./integer-rnn.js";

export interface QGruParams extends QRnnParams {
  readonly linearBeforeReset: boolean;
}

/** inputs: X, W, R, B?, sequence_lens?, initial_h?; returns [Y, Y_h]. */
export function qgru(inputs: readonly (Tensor | undefined)[], p: QGruParams): Tensor[] {
  const [X, , , , , h0] = inputs;
  const H = p.hidden, D = p.directions;
  const { run, G, y, yh, Wf, Rf, bias } = startQRnn(inputs, p, 3);
  const B = run.B;
  const zph = p.hZeroPoint;
  const Y = y.data as Int8Array, YH = yh.data as Int8Array;
  const h = new Int32Array(B * H);
  const hc = new Float64Array(H), acc = new Float64Array(G), rec = new Int32Array(G);
  const z = new Int32Array(H), r = new Int32Array(H), rh = new Float64Array(H);
  const { sigmoid: sg, tanh: th, outMultiplier: om, outShift: os } = p;
  const rounding = p.x.rounding;

  for (let d = 0; d < D; d++) {
    const xin = inputHalf(X!, p.xZeroPoint, Wf, bias, d, G, p.x);
    loadState(run, d, h, h0, zph);
    const steps = run.steps[d]!;
    for (let s = 0; s < steps.length; s += 2) {
      const t = steps[s]!, b = steps[s + 1]!;
      const hb = b * H;
      const xo = (t * B + b) * G;
      for (let k = 0; k < H; k++) hc[k] = h[hb + k]! - zph;
      recurrentHalf(Rf, bias, d, G, H, 0, 2 * H, hc, acc, rec, p.h);
      for (let k = 0; k < H; k++) {
        z[k] = lookupQ15(sg, clamp16(xin[xo + k]! + rec[k]!));
        r[k] = lookupQ15(sg, clamp16(xin[xo + H + k]! + rec[H + k]!));
      }
      if (p.linearBeforeReset) {
        recurrentHalf(Rf, bias, d, G, H, 2 * H, H, hc, acc, rec, p.h);
        for (let k = 0; k < H; k++) rec[k] = (r[k]! * clamp16(rec[k]!) + 16384) >> 15;
      } else {
        for (let k = 0; k < H; k++) rh[k] = (hc[k]! * r[k]! + 16384) >> 15;
        recurrentHalf(Rf, bias, d, G, H, 2 * H, H, rh, acc, rec, p.h);
      }
      for (let k = 0; k < H; k++) {
        const n = lookupQ15(th, clamp16(xin[xo + 2 * H + k]! + rec[k]!));
        const zk = z[k]!;
        h[hb + k] = clamp8(zph + multiplyByQuantizedMultiplier((32768 - zk) * n, om, os, rounding) + ((zk * hc[k]! + 16384) >> 15));
      }
      const yo = yOffset(run, t, d, b);
      for (let k = 0; k < H; k++) Y[yo + k] = h[hb + k]!;
    }
    storeState(run, d, h, YH);
  }
  return [y, yh].slice(0, p.numOutputs);
}
