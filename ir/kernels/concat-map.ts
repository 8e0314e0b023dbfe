// Concatenation along an axis in which each input's values pass through their own map into the
// output's type: QConcat (requantized to the output's scale and zero point) and com.microsoft
// QLinearConcat (the same in double precision). As in ./copy-concat.ts, every input contributes
// one contiguous run of prod(shape[axis:]) values per outer index.
import type { DType, NumericArray } from "../dtype.js";
import { makeTensor, type Tensor } from "../types.js";

/** The map of one input's values, or null to copy them unchanged. */
export type ValueMap = ((v: number) => number) | null;

/** xs concatenated along `axis` (already normalized) into a tensor of dtype dt, input k through map(k). */
export function concatMapped(xs: readonly Tensor[], axis: number, dt: DType, map: (k: number) => ValueMap): Tensor {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const out = makeTensor(dt, shape);
  const od = out.data as NumericArray;
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const rowOut = shape[axis]! * inner;
  let at = 0;
  xs.forEach((x, k) => {
    const xd = x.data as NumericArray, f = map(k);
    const row = x.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) {
      const src = o * row, dst = o * rowOut + at;
      if (f === null) for (let i = 0; i < row; i++) od[dst + i] = xd[src + i]!;
      else for (let i = 0; i < row; i++) od[dst + i] = f(xd[src + i]!);
    }
    at += row;
  });
  return out;
}
