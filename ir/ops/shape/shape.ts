// Shape: the input's dims as an i64 vector, optionally sliced by start/end (opset 15). Folds to
// the input's static type, symbolic dims included, so shape arithmetic resolves at import.
import type { Dim } from "../../dim.js";
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import { input } from "./util.js";

/** The [start, end) range of axes Shape reports, clamped as the spec says. */
export function shapeRange(rank: number, start: number, end: number | undefined): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const s = clamp(start);
  const e = end === undefined ? rank : clamp(end);
  return [s, Math.max(s, e)];
}

export const Shape = defineOp({
  name: "Shape",
  doc: "The dims of a tensor as an i64 vector (axes start..end).",
  attrs: { start: int(0), end: int() },
  inputs: ["x"],
  outputs: ["shape"],
  infer: (xs, a) => {
    const [s, e] = shapeRange(input(xs, 0, "x").shape.length, a.start, a.end);
    return [tensorType("i64", [e - s])];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    const [s, e] = shapeRange(x.shape.length, a.start, a.end);
    const data = new BigInt64Array(e - s);
    for (let k = s; k < e; k++) data[k - s] = BigInt(x.shape[k]!);
    return [makeTensor("i64", [e - s], data)];
  },
  foldDims: (_vals, a, types) => {
    const t = types[0];
    if (!t) return undefined;
    const [s, e] = shapeRange(t.shape.length, a.start, a.end);
    return [t.shape.slice(s, e) as Dim[]];
  },
});
