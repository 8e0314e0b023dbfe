// The separable gather behind Slice, Pad, Tile, Expand and Gather: every output axis reads the
// input through its own index map, out[o0,o1,..] = x[map0[o0], map1[o1], ..], where a map entry
// of -1 means "no source element" and takes the fill value (Pad's constant).
//
// The last axis's map is cut once into segments (a contiguous source run, a fill, one source
// element repeated, or scattered indices), so slicing, padding and broadcasting large
// activations are block copies and fills rather than element-by-element moves.
import type { TensorData } from "../dtype.js";
import { makeTensor, stridesOf, type Tensor } from "../types.js";
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
  readonly segments: readonly Segment[];
  readonly fill: Elem;
}

const enum Kind { Run, Fill, Repeat, Scatter }

/** A stretch [o, o+n) of the last output axis; `src` is the first (or only) source index. */
interface Segment {
  readonly kind: Kind;
  readonly o: number;
  readonly n: number;
  readonly src: number;
}

/** Shorter runs are cheaper to move element by element than to set up a block move. */
const MIN_BLOCK = 8;

function segmentsOf(map: AxisMap, n: number): Segment[] {
  if (map === null) return [{ kind: Kind.Run, o: 0, n, src: 0 }];
  const out: Segment[] = [];
  let scatterFrom = -1;
  const closeScatter = (end: number) => {
    if (scatterFrom >= 0) out.push({ kind: Kind.Scatter, o: scatterFrom, n: end - scatterFrom, src: 0 });
    scatterFrom = -1;
  };
  let o = 0;
  while (o < n) {
    const v = map[o]!;
    let e = o + 1;
    if (v < 0) {
      while (e < n && map[e]! < 0) e++;
      closeScatter(o);
      out.push({ kind: Kind.Fill, o, n: e - o, src: -1 });
    } else {
      // A repeat (source step 0) or a contiguous run (step 1), whichever the next entry starts.
      const step = e < n && map[e] === v ? 0 : 1;
      while (e < n && map[e] === v + step * (e - o)) e++;
      if (e - o < MIN_BLOCK) {
        if (scatterFrom < 0) scatterFrom = o;
      } else {
        closeScatter(o);
        out.push({ kind: step === 0 ? Kind.Repeat : Kind.Run, o, n: e - o, src: v });
      }
    }
    o = e;
  }
  closeScatter(n);
  return out;
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
    segments: segmentsOf(maps[rank - 1]!, outShape[rank - 1]!), fill,
  };
  walk(plan, 0, 0, 0);
  return out;
}

function walk(p: Plan, k: number, inOff: number, outOff: number): void {
  const n = p.outShape[k]!;
  const m = p.maps[k]!;
  const is = p.inStrides[k]!;
  if (k === p.outShape.length - 1) {
    const s = p.src as Cells;
    const d = p.dst as Cells;
    for (const g of p.segments) {
      const at = outOff + g.o;
      switch (g.kind) {
        case Kind.Run:
          if (is === 1) copyBlock(p.src, inOff + g.src, p.dst, at, g.n);
          else for (let j = 0; j < g.n; j++) d[at + j] = s[inOff + (g.src + j) * is]!;
          break;
        case Kind.Fill: fillBlock(p.dst, at, g.n, p.fill); break;
        case Kind.Repeat: fillBlock(p.dst, at, g.n, s[inOff + g.src * is]!); break;
        case Kind.Scatter:
          for (let j = 0; j < g.n; j++) {
            const i = m[g.o + j]!;
            d[at + j] = i < 0 ? p.fill : s[inOff + i * is]!;
          }
          break;
      }
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
