// The separable gather behind Slice, Pad, Tile, Expand and Gather: every output axis reads the
// input through its own index map, out[o0,o1,..] = x[map0[o0], map1[o1], ..], where a map entry
// of -1 means "no source element" and takes the fill value (Pad's constant).
//
// Rows whose map is the identity run of the input are moved with one block copy, so slicing
// and padding large activations stays close to memcpy speed.
import type { TensorData } from "../../../ir/dtype.js";
import { makeTensor, stridesOf, type Tensor } from "../../../ir/types.js";
import { copyBlock, fillBlock, type Cells, type Elem } from "./copy.js";

/** One map per axis; null keeps the axis as it is (output dim = input dim). */
export type AxisMap = Int32Array | null;

interface Plan {
  readonly src: TensorData;
  readonly dst: TensorData;
  readonly maps: readonly AxisMap[];
  readonly outShape: readonly number[];
  readonly inStrides: readonly number[];
  readonly outStrides: readonly number[];
  /** For the last axis: first source index when its map is a contiguous run, else -1. */
  readonly lastRunStart: number;
  readonly fill: Elem;
}

/** Rearranges x into outShape; maps[k][o] is the input index on axis k for output index o. */
export function remapAxes(x: Tensor, outShape: readonly number[], maps: readonly AxisMap[], fill: Elem = 0): Tensor {
  const rank = x.shape.length;
  if (maps.length !== rank || outShape.length !== rank) throw new Error("remapAxes: rank mismatch");
  const out = makeTensor(x.dtype, outShape);
  if (out.data.length === 0) return out;
  if (rank === 0) {
    copyBlock(x.data, 0, out.data, 0, 1);
    return out;
  }
  for (let k = 0; k < rank; k++) {
    const m = maps[k];
    if (m === null && outShape[k] !== x.shape[k]) throw new Error(`remapAxes: axis ${k} has no map but changes size`);
    if (m !== null && m.length !== outShape[k]) throw new Error(`remapAxes: map of axis ${k} has the wrong length`);
  }
  const plan: Plan = {
    src: x.data, dst: out.data, maps, outShape,
    inStrides: stridesOf(x.shape), outStrides: stridesOf(outShape),
    lastRunStart: runStart(maps[rank - 1]!), fill,
  };
  walk(plan, 0, 0, 0);
  return out;
}

function runStart(m: AxisMap): number {
  if (m === null) return 0;
  const s = m[0]!;
  if (s < 0) return -1;
  for (let i = 1; i < m.length; i++) if (m[i] !== s + i) return -1;
  return s;
}

function walk(p: Plan, k: number, inOff: number, outOff: number): void {
  const n = p.outShape[k]!;
  const m = p.maps[k]!;
  const is = p.inStrides[k]!;
  if (k === p.outShape.length - 1) {
    if (p.lastRunStart >= 0) {
      copyBlock(p.src, inOff + p.lastRunStart * is, p.dst, outOff, n);
      return;
    }
    const s = p.src as Cells;
    const d = p.dst as Cells;
    const fill = p.fill;
    for (let o = 0; o < n; o++) {
      const i = m[o]!;
      d[outOff + o] = i < 0 ? fill : s[inOff + i * is]!;
    }
    return;
  }
  const os = p.outStrides[k]!;
  for (let o = 0; o < n; o++) {
    const i = m === null ? o : m[o]!;
    if (i < 0) fillBlock(p.dst, outOff + o * os, os, p.fill);
    else walk(p, k + 1, inOff + i * is, outOff + o * os);
  }
}
