// Concat: joins tensors along `axis`. Other dims must agree; a symbolic dim meeting a number
// takes the number (the model asserts they are equal at run time).
import { addDim, dimEquals, isSymbolic, shapeToString, type Dim } from "../../dim.js";
import { defineOp, int, required } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import type { TensorType } from "../../types.js";
import { concat } from "../../kernels/copy-concat.js";
import { typeWith } from "./util.js";

function present<T>(xs: readonly (T | undefined)[]): T[] {
  if (xs.length === 0) throw new Error("Concat needs at least one input");
  return xs.map((x, i) => {
    if (x === undefined) throw new Error(`Concat input ${i} is missing`);
    return x;
  });
}

export function concatShape(shapes: readonly (readonly Dim[])[], axis: number): Dim[] {
  const r = shapes[0]!.length;
  const a = normAxis(axis, r);
  const out = [...shapes[0]!];
  for (const s of shapes.slice(1)) {
    if (s.length !== r) throw new Error(`cannot concatenate ${shapeToString(shapes[0]!)} and ${shapeToString(s)}: ranks differ`);
    s.forEach((d, k) => {
      if (k === a) out[k] = addDim(out[k]!, d);
      else if (!dimEquals(out[k]!, d)) {
        if (isSymbolic(out[k]!) && !isSymbolic(d)) out[k] = d;
        else if (!isSymbolic(d)) throw new Error(`cannot concatenate ${shapeToString(shapes[0]!)} and ${shapeToString(s)} on axis ${axis}: dim ${k} differs`);
      }
    });
  }
  return out;
}

function sameQuant(ts: readonly TensorType[]): TensorType["quant"] {
  const q = ts[0]!.quant;
  const key = JSON.stringify(q ?? null);
  return ts.every((t) => JSON.stringify(t.quant ?? null) === key) ? q : undefined;
}

export const Concat = defineOp({
  name: "Concat",
  doc: "Concatenates tensors along `axis`.",
  attrs: { axis: required(int()) },
  inputs: ["xs*"],
  outputs: ["y"],
  infer: (xs, a) => {
    const ts = present(xs);
    const dt = ts[0]!.dtype;
    if (ts.some((t) => t.dtype !== dt)) throw new Error(`Concat inputs have different dtypes (${ts.map((t) => t.dtype).join(", ")})`);
    const shape = concatShape(ts.map((t) => t.shape), a.axis);
    const q = sameQuant(ts);
    const axis = normAxis(a.axis, shape.length);
    return [typeWith(dt, shape, q?.kind === "affine" && q.axis === axis ? undefined : q)];
  },
  evaluate: (xs, a) => {
    const ts = present(xs);
    const shape = concatShape(ts.map((t) => t.shape), a.axis); // checks the other dims agree
    return [concat(ts, normAxis(a.axis, shape.length))];
  },
  foldDims: (vals, a, types) => {
    if (types.some((t) => !t || t.shape.length !== 1) || (a.axis !== 0 && a.axis !== -1)) return undefined;
    if (vals.some((v) => v === undefined)) return undefined;
    return [vals.flatMap((v) => [...v!])];
  },
});
