// Small shape helpers shared by the op type rules: axis normalisation and broadcasting.
import { asExtent, dimEquals, dimToString, isSymbolic, PENDING_BOUND, type Dim } from "./dim.js";

/** Maps a possibly negative axis into [0, rank); throws a readable error when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Where an extent meets its bound in a broadcast (L<=T against T), the result is the bound: at run
 * time L must be T (or 1), which the interpreter and the generated C check. An extent whose bound
 * is still pending (the first import pass) meets any dim.
 */
function meet(a: Dim, b: Dim): Dim | undefined {
  const x = asExtent(a), y = asExtent(b);
  if (x && !y && (dimEquals(x.bound, b) || dimEquals(x.bound, PENDING_BOUND))) return b;
  if (y && !x && (dimEquals(y.bound, a) || dimEquals(y.bound, PENDING_BOUND))) return a;
  return undefined;
}

/** Numpy-style broadcast of several shapes (symbolic dims must match exactly or meet a 1). */
export function broadcastDims(...shapes: (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (!dimEquals(d, e)) {
        const m = meet(d, e);
        if (m !== undefined) {
          d = m;
          continue;
        }
        throw new Error(`shapes ${shapes.map((x) => `[${x.map(dimToString).join(",")}]`).join(" and ")} do not broadcast`);
      }
    }
    out.push(d);
  }
  return out;
}

/** Numeric broadcast (runtime shapes). */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  return broadcastDims(...shapes) as number[];
}

/** True when every dim is a number. */
export function isStatic(shape: readonly Dim[]): shape is readonly number[] {
  return !shape.some(isSymbolic);
}
