// Slice: IR attributes starts/ends (dims: they may be symbolic, e.g. an end of T-1 computed
// from Shape), axes and steps. Opsets 1..9 give them as attributes, opset 10+ as inputs.
// Values past int64 range ends (INT64_MAX means "to the end") are clamped to safe integers.
//
// On a symbolic axis the type rule assumes the symbol is at least as large as every constant
// index (|index| < 2^31) used on it, since min/max of symbolic dims are not representable;
// indices of 2^31 or more in magnitude mean "past the end" as in the exporters' INT64_MAX.
import { addDim, ceilDivDim, dimEquals, isSymbolic, subDim, type Dim } from "../../dim.js";
import { defineOp, dims, ints, required, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import { resolveSlice, slice, sliceAxis } from "../../kernels/slice.js";
import { constantDims, constantInts, input, quantThrough, safeInt, typeWith, withoutAttrs } from "./util.js";
import { dimsInput, int64Input, passAttrs } from "../onnx-export.js";
import type { OnnxNodeOut } from "../../op.js";

const HUGE = 2 ** 31;

/** Length of a slice of a dim that may be symbolic (see the assumption in the header). */
export function sliceLength(d: Dim, start: Dim, end: Dim, step: number): Dim {
  if (typeof d === "number" && typeof start === "number" && typeof end === "number") return sliceAxis(d, start, end, step).length;
  if (step === 0 || !Number.isInteger(step)) throw new Error(`slice step ${step} is not a non-zero integer`);
  const pos = (v: Dim): Dim => {
    if (isSymbolic(v)) return v;
    if (v <= -HUGE) return step > 0 ? 0 : -1;
    if (v >= HUGE) return step > 0 ? d : subDim(d, 1);
    return v < 0 ? addDim(d, v) : v;
  };
  const s = pos(start);
  const e = pos(end);
  const len = step > 0 ? ceilDivDim(subDim(e, s), step) : ceilDivDim(subDim(s, e), -step);
  return typeof len === "number" ? Math.max(0, len) : len;
}

function sliceShape(shape: readonly Dim[], starts: readonly Dim[], ends: readonly Dim[], axes: readonly number[] | undefined, steps: readonly number[] | undefined): Dim[] {
  const r = shape.length;
  if (starts.length !== ends.length) throw new Error(`slice has ${starts.length} starts but ${ends.length} ends`);
  const ax = axes ?? starts.map((_, i) => i);
  if (ax.length !== starts.length) throw new Error(`slice has ${starts.length} starts but ${ax.length} axes`);
  if (steps && steps.length !== starts.length) throw new Error(`slice has ${starts.length} starts but ${steps.length} steps`);
  const out = [...shape];
  const seen = new Set<number>();
  ax.forEach((a, i) => {
    const k = a < 0 ? a + r : a;
    if (!Number.isInteger(k) || k < 0 || k >= r) throw new Error(`slice axis ${a} is out of range for rank ${r}`);
    if (seen.has(k)) throw new Error(`slice axis ${a} is given twice`);
    seen.add(k);
    out[k] = sliceLength(shape[k]!, starts[i]!, ends[i]!, steps ? steps[i]! : 1);
  });
  return out;
}

function numbers(ds: readonly Dim[], what: string): number[] {
  return ds.map((d) => {
    if (typeof d !== "number") throw new Error(`slice ${what} are still symbolic at run time`);
    return d;
  });
}

function importSlice(node: OnnxNodeIn, ctx: OnnxImportContext) {
  const x = node.inputs[0]!;
  if (ctx.opset < 10 || node.inputs.length === 1) {
    const a = node.attrs;
    const toInts = (v: unknown) => (v as readonly number[] | undefined)?.map(safeInt);
    const axes = toInts(a.axes);
    return { inputs: [x], outputs: node.outputs, attrs: { starts: toInts(a.starts) ?? [], ends: toInts(a.ends) ?? [], ...(axes ? { axes } : {}) } };
  }
  const starts = constantDims(node, 1, ctx, "starts")!;
  const ends = constantDims(node, 2, ctx, "ends")!;
  const axes = constantInts(node, 3, ctx, "axes");
  const steps = constantInts(node, 4, ctx, "steps");
  const attrs = withoutAttrs(node.attrs, "starts", "ends", "axes", "steps");
  return { inputs: [x], outputs: node.outputs, attrs: { ...attrs, starts, ends, ...(axes ? { axes } : {}), ...(steps ? { steps } : {}) } };
}

export const Slice = defineOp({
  name: "Slice",
  traits: { int8PassThrough: true, movesData: true },
  doc: "Takes elements starts..ends (exclusive) with `steps` along `axes`, ONNX index rules.",
  attrs: { starts: required(dims()), ends: required(dims()), axes: ints(), steps: ints() },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: importSlice,
  toOnnx: (node, a, ctx) => {
    const x = node.inputs[0]!;
    const out: OnnxNodeOut[] = [];
    const inputs = [x, dimsInput(ctx, a.starts, `${node.name}.starts`, out, [x]), dimsInput(ctx, a.ends, `${node.name}.ends`, out, [x])];
    if (a.axes || a.steps) inputs.push(a.axes ? int64Input(ctx, a.axes, `${node.name}.axes`) : "");
    if (a.steps) inputs.push(int64Input(ctx, a.steps, `${node.name}.steps`));
    return [...out, { opType: "Slice", name: node.name, inputs, outputs: node.outputs, ...passAttrs("Slice", node, ["starts", "ends", "axes", "steps"]) }];
  },
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const shape = sliceShape(x.shape, a.starts, a.ends, a.axes, a.steps);
    return [typeWith(x.dtype, shape, quantThrough(x.quant, (ax) => (dimEquals(shape[ax]!, x.shape[ax]!) ? ax : undefined)))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [slice(x, resolveSlice(x.shape, numbers(a.starts, "starts"), numbers(a.ends, "ends"), a.axes, a.steps))];
  },
  foldDims: ([v], a, types) => {
    if (!v || types[0]?.shape.length !== 1) return undefined;
    if (a.starts.some(isSymbolic) || a.ends.some(isSymbolic)) return undefined;
    const [s] = resolveSlice([v.length], a.starts as number[], a.ends as number[], a.axes, a.steps);
    if (!s) return [v];
    const out: Dim[] = [];
    for (let o = 0; o < s.length; o++) out.push(v[s.start + o * s.step]!);
    return [out];
  },
});
