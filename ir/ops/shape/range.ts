// Range: start, start+delta, ... up to (excluding) limit. With constant inputs the importer folds
// it (the type rule reads the length from the constants); otherwise it stays a run-time op on
// its three scalar inputs, and `size` records the output length when shape arithmetic gives it
// (e.g. T for Range(0, Shape(x)[1], 1)).
import { ceilDivDim, isSymbolic, subDim, type Dim } from "../../dim.js";
import { isBig, type DType } from "../../dtype.js";
import { defineOp, dims, type IrNodeSpec, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import { makeTensor, readNumber, tensorType, type Tensor } from "../../types.js";
import { passAttrs } from "../onnx-export.js";
import { needAtImport } from "./util.js";

const RANGE_TYPES: readonly DType[] = ["f32", "f64", "i16", "i32", "i64"];

function scalar(t: Tensor | undefined, name: string): number {
  if (!t) throw new Error(`Range input ${name} is missing`);
  if (t.data.length !== 1) throw new Error(`Range input ${name} must be a scalar, it has ${t.data.length} elements`);
  return readNumber(t, 0);
}

function rangeLength(start: number, limit: number, delta: number): number {
  if (delta === 0) throw new Error("Range delta is 0");
  return Math.max(0, Math.ceil((limit - start) / delta));
}

/** The Range output for concrete scalars of dtype dt. */
export function range(dt: DType, start: number, limit: number, delta: number): Tensor {
  const n = rangeLength(start, limit, delta);
  const out = makeTensor(dt, [n]);
  const d = out.data;
  if (isBig(dt)) {
    const o = d as BigInt64Array;
    for (let i = 0; i < n; i++) o[i] = BigInt(start + i * delta);
  } else {
    const o = d as Float64Array; // the typed array rounds f32 and wraps nothing (values stay in range)
    for (let i = 0; i < n; i++) o[i] = start + i * delta;
  }
  return out;
}

function symbolicLength(start: Dim, limit: Dim, delta: Dim): Dim | undefined {
  if (isSymbolic(delta) || delta === 0) return undefined;
  const span = delta > 0 ? subDim(limit, start) : subDim(start, limit);
  const n = ceilDivDim(span, Math.abs(delta));
  return typeof n === "number" ? Math.max(0, n) : n;
}

function importRange(node: OnnxNodeIn, ctx: OnnxImportContext): IrNodeSpec {
  // All constant: the type rule reads the length from the constants and the importer folds it.
  if (node.inputs.every((n) => n && ctx.constant(n))) return { inputs: node.inputs, outputs: node.outputs, attrs: {} };
  const dimOf = (i: number): Dim | undefined => {
    const name = node.inputs[i];
    const v = name ? ctx.dimsValue(name) : undefined;
    return v && v.length === 1 ? v[0] : undefined;
  };
  const [ds, dl, dd] = [dimOf(0), dimOf(1), dimOf(2)];
  const size = ds !== undefined && dl !== undefined && dd !== undefined ? symbolicLength(ds, dl, dd) : undefined;
  if (size === undefined) {
    const unknown = [0, 1, 2].find((i) => [ds, dl, dd][i] === undefined);
    const message = "its output length depends on run-time values (start, limit and delta must be constants or fold from shapes)";
    if (unknown !== undefined) needAtImport(ctx, node.inputs[unknown]!, ["start", "limit", "delta"][unknown]!, message);
    ctx.fail(message);
  }
  return { inputs: node.inputs, outputs: node.outputs, attrs: { size: [size] } };
}

export const Range = defineOp({
  name: "Range",
  doc: "The sequence start, start+delta, ... before limit (`size` gives its length when known).",
  attrs: { size: dims() },
  inputs: ["start", "limit", "delta"],
  outputs: ["y"],
  dtypes: RANGE_TYPES,
  fromOnnx: importRange,
  // `size` only records what import derived from the inputs; importing the export derives it again.
  toOnnx: (node) => [{ opType: "Range", name: node.name, inputs: node.inputs, outputs: node.outputs, ...passAttrs("Range", node, ["size"]) }],
  infer: (xs, a, ctx) => {
    const t = xs[0];
    if (!t) throw new Error("Range input start is missing");
    if (!RANGE_TYPES.includes(t.dtype)) throw new Error(`Range does not take ${t.dtype} inputs`);
    if (xs.some((x) => x && x.dtype !== t.dtype)) throw new Error("Range inputs have different dtypes");
    const [s, l, d] = [ctx.constant(0), ctx.constant(1), ctx.constant(2)];
    if (s && l && d) return [tensorType(t.dtype, [rangeLength(scalar(s, "start"), scalar(l, "limit"), scalar(d, "delta"))])];
    if (a.size?.length === 1) return [tensorType(t.dtype, a.size)];
    throw new Error("the output length of Range is not known (its inputs are not constants and no size is recorded)");
  },
  evaluate: (xs, a) => {
    const out = range(xs[0]?.dtype ?? "f32", scalar(xs[0], "start"), scalar(xs[1], "limit"), scalar(xs[2], "delta"));
    const want = a.size?.[0];
    if (typeof want === "number" && want !== out.shape[0]) {
      throw new Error(`Range produced ${out.shape[0]} elements, its type says ${want}`);
    }
    return [out];
  },
  foldDims: ([s, l, d]) => {
    if (!s || !l || !d) return undefined;
    const [a, b, c] = [s[0], l[0], d[0]];
    if (typeof a !== "number" || typeof b !== "number" || typeof c !== "number") return undefined;
    const n = rangeLength(a, b, c);
    if (n > 64) return undefined;
    return [Array.from({ length: n }, (_, i) => a + i * c)];
  },
});
