// Gather: takes slices of `data` along `axis` at integer indices (negative ones count from the
// end). Folds on shape vectors, e.g. Shape(x)[1].
import type { Dim } from "../../dim.js";
import { defineOp, int } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { gather } from "../../kernels/gather.js";
import { input, quantThrough, typeWith } from "./util.js";

export const Gather = defineOp({
  name: "Gather",
  traits: { int8PassThrough: true, movesData: true },
  doc: "Takes the slices of `data` along `axis` at the given indices.",
  attrs: { axis: int(0) },
  inputs: ["data", "indices"],
  outputs: ["y"],
  infer: (xs, a) => {
    const data = input(xs, 0, "data");
    const idx = input(xs, 1, "indices");
    if (idx.dtype !== "i32" && idx.dtype !== "i64") throw new Error(`Gather indices must be i32 or i64, not ${idx.dtype}`);
    const axis = normAxis(a.axis, data.shape.length);
    const shape = [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)];
    const shift = idx.shape.length - 1;
    const q = quantThrough(data.quant, (ax) => (ax < axis ? ax : ax > axis ? ax + shift : undefined));
    return [typeWith(data.dtype, shape, q)];
  },
  evaluate: (xs, a) => {
    const data = input(xs, 0, "data");
    return [gather(data, input(xs, 1, "indices"), normAxis(a.axis, data.shape.length))];
  },
  foldDims: ([data, indices], _a, types) => {
    if (!data || !indices || types[0]?.shape.length !== 1) return undefined;
    const n = data.length;
    const out: Dim[] = [];
    for (const i of indices) {
      if (typeof i !== "number") return undefined;
      const k = i < 0 ? i + n : i;
      if (k < 0 || k >= n) throw new Error(`index ${i} is out of range for a vector of ${n}`);
      out.push(data[k]!);
    }
    return [out];
  },
});
