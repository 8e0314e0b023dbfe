// Requantization loops of the integer ops: int32 accumulators -> 8/16-bit outputs.
//
// Everything here is integer arithmetic through ir/fixed-point.ts; the per-channel parameters
// are hoisted out of the element loop, and the rounding mode is fixed per call.
import type { NumericArray } from "../dtype.js";
import { multiplyWide, requantizeRow, type Rounding } from "../fixed-point.js";

export interface RequantParams {
  /** One entry per channel, or one for the whole tensor. */
  readonly multiplier: readonly number[];
  readonly shift: readonly number[];
  readonly rounding: Rounding;
  readonly zeroPoint: number;
  /** Clamp bounds: the output type's range narrowed by a fused Relu/Clip. */
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * Accumulators in a Float64Array are wide (16x8 layers: exact integers beyond int32) and go
 * through ir/fixed-point.ts's multiplyWide; Int32Array ones through the 32-bit requantizeRow.
 * out[(o*C + c)*plane + p] = clamp(zp + M_c(acc[...]), qmin, qmax) for acc viewed as
 * [outer, C, plane]; channel parameters are M_c = (multiplier[c], shift[c]), or the single entry.
 */
export function requantizeChannels(acc: ArrayLike<number>, out: NumericArray, outer: number, C: number, plane: number, p: RequantParams): void {
  const per = p.multiplier.length > 1;
  const { rounding, zeroPoint: zp, qmin, qmax } = p;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const m = p.multiplier[per ? c : 0]!;
      const s = p.shift[per ? c : 0]!;
      const base = (o * C + c) * plane;
      if (acc instanceof Float64Array) {
        for (let i = base; i < base + plane; i++) {
          const v = multiplyWide(acc[i]!, m, s, rounding) + zp;
          out[i] = v < qmin ? qmin : v > qmax ? qmax : v;
        }
      } else {
        requantizeRow(acc, base, out, base, plane, m, s, rounding, zp, qmin, qmax);
      }
    }
  }
}
