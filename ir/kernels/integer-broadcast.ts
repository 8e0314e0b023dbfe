// Numpy broadcasting for the binary integer ops: for each output element, the flat index it
// reads in each operand (computed once per call, so the element loops are plain array reads).
import { broadcastShapes } from "../shape-util.js";
import { numel, stridesOf } from "../types.js";

export interface Broadcast {
  readonly shape: number[];
  /** Index into a and b per output element; undefined when that operand has the output's shape. */
  readonly ia: Int32Array | undefined;
  readonly ib: Int32Array | undefined;
}

export function broadcastIndex(aShape: readonly number[], bShape: readonly number[]): Broadcast {
  const shape = broadcastShapes(aShape, bShape);
  const n = numel(shape);
  const same = (s: readonly number[]) => s.length === shape.length && s.every((d, i) => d === shape[i]);
  return { shape, ia: same(aShape) ? undefined : indexMap(aShape, shape, n), ib: same(bShape) ? undefined : indexMap(bShape, shape, n) };
}

function indexMap(src: readonly number[], out: readonly number[], n: number): Int32Array {
  const r = out.length;
  const srcStrides = stridesOf(src);
  // Stride of each output axis in the source (0 where the source broadcasts).
  const st = new Array<number>(r).fill(0);
  for (let i = 0; i < src.length; i++) {
    const k = r - src.length + i;
    st[k] = src[i] === 1 ? 0 : srcStrides[i]!;
  }
  const map = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let e = 0; e < n; e++) {
    map[e] = off;
    for (let k = r - 1; k >= 0; k--) {
      idx[k]!++;
      off += st[k]!;
      if (idx[k]! < out[k]!) break;
      off -= st[k]! * idx[k]!;
      idx[k] = 0;
    }
  }
  return map;
}
