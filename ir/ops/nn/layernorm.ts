// LayerNormalization (opset 17): normalizes over the axes [axis, rank) and applies scale/bias.
//
// Scale and bias broadcast to the normalized shape x.shape[axis:]. The optional Mean and
// InvStdDev outputs have x's leading dims and ones after `axis`, in the stash type (f32 or f64).
import type { Dim } from "../../dim.js";
import type { DType } from "../../dtype.js";
import { defineOp, float, int } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { makeTensor, numel, tensorType, type Tensor } from "../../types.js";
import { affineInner, normalizeRows } from "../../kernels/norm.js";
import { checkDim, expectFloat, expectSameDtype, floatData, FLOAT_TYPES, need, needTensor, shapeStr } from "./common.js";

export const LayerNormalization = defineOp({
  name: "LayerNormalization",
  doc: "Layer normalization over the trailing axes from `axis` (ONNX LayerNormalization).",
  attrs: { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) },
  inputs: ["x", "scale", "bias?"],
  outputs: ["y", "mean?", "inv_std_dev?"],
  dtypes: FLOAT_TYPES,
  infer([xt, st, bt], a, ctx) {
    const x = need(xt, "x");
    expectFloat(x, "x");
    const axis = normAxis(a.axis, x.shape.length);
    const normShape = x.shape.slice(axis);
    for (const [t, n] of [[need(st, "scale"), "scale"], [bt, "bias"]] as const) {
      if (!t) continue;
      expectSameDtype(x, t, "x", n);
      checkBroadcast(t.shape, normShape, n);
    }
    const statShape: Dim[] = [...x.shape.slice(0, axis), ...normShape.map(() => 1)];
    const stat = tensorType(stashType(a.stash_type), statShape);
    return [tensorType(x.dtype, x.shape), ...new Array(Math.max(0, ctx.numOutputs - 1)).fill(stat)];
  },
  evaluate([xt, st, bt], a, ctx) {
    const x = needTensor(xt, "x");
    const axis = normAxis(a.axis, x.shape.length);
    const normShape = x.shape.slice(axis);
    const rows = numel(x.shape.slice(0, axis)), len = numel(normShape);
    const y = makeTensor(x.dtype, x.shape);
    const statShape = [...x.shape.slice(0, axis), ...normShape.map(() => 1)];
    const sdt = stashType(a.stash_type);
    const mean = ctx.numOutputs > 1 ? makeTensor(sdt, statShape) : undefined;
    const inv = ctx.numOutputs > 2 ? makeTensor(sdt, statShape) : undefined;
    normalizeRows(floatData(x), floatData(y), rows, len, a.epsilon, mean && floatData(mean), inv && floatData(inv));
    affineInner(floatData(y), rows, len, expandTo(needTensor(st, "scale"), normShape), bt ? expandTo(bt, normShape) : undefined);
    return [y, mean, inv].slice(0, Math.max(1, ctx.numOutputs)) as Tensor[];
  },
});

function stashType(code: number): DType {
  if (code === 1) return "f32";
  if (code === 11) return "f64";
  throw new Error(`stash_type ${code} is not supported (only 1 = float and 11 = double)`);
}

/** p must broadcast (numpy, right-aligned) to the normalized shape without growing it. */
export function checkBroadcast(p: readonly Dim[], target: readonly Dim[], name: string): void {
  if (p.length > target.length) throw new Error(`${name} ${shapeStr(p)} has more dims than the normalized shape ${shapeStr(target)}`);
  p.forEach((d, i) => {
    if (d !== 1) checkDim(d, target[target.length - p.length + i]!, `${name} ${shapeStr(p)} does not broadcast to ${shapeStr(target)}`);
  });
}

/** The values of t broadcast to `target` (right-aligned), as a flat array. */
export function expandTo(t: Tensor, target: readonly number[]): ArrayLike<number> {
  const src = floatData(t);
  const n = numel(target);
  if (src.length === n) return src;
  const out = new Float64Array(n);
  const off = target.length - t.shape.length;
  const srcStrides = new Array<number>(target.length).fill(0);
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    if (t.shape[i] !== 1) srcStrides[off + i] = acc;
    acc *= t.shape[i]!;
  }
  const idx = new Array<number>(target.length).fill(0);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let d = 0; d < target.length; d++) s += idx[d]! * srcStrides[d]!;
    out[k] = src[s]!;
    for (let d = target.length - 1; d >= 0; d--) {
      if (++idx[d]! < target[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}
