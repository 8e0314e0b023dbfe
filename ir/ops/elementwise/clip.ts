// Clip: limits every element to [min, max].
//
// IR form: optional float attributes `min` and `max` (absent = unbounded). Before opset 11 they were
// attributes; from opset 11 they are optional scalar inputs, which the importer reads into the
// attributes when they are constants. A bound that is really computed at run time stays an input
// (slots "min?" and "max?"), so graphs such as ONNX's own Clip tests still import.
// For integer inputs the bounds apply in the integer domain (a fractional bound rounds inward).
// On floats it is a unary element-wise function like the activations (traits.unary): the C
// kernel, gradient and fused form (Relu6 / HardTanh as a clamp on a conv's output) come from it.
import { isBig, isPackedFloat } from "../../dtype.js";
import { storeReals, tensorFromF64, tensorToF32 } from "../../float-formats.js";
import type { AttrValue } from "../../graph.js";
import { defineOp, float } from "../../op.js";
import { makeTensor, readNumber, tensorType, type Tensor } from "../../types.js";
import { clipBigKernel, clipKernel } from "../../kernels/elementwise-unary.js";
import type { NumArr } from "../../kernels/elementwise.js";
import { checkDtype, NUMERIC } from "./common.js";
import type { UnaryFn } from "../../unary.js";

// The schema types min and max as numbers; absent, they are undefined (open bounds).
type ClipAttrs = { readonly min: number; readonly max: number };

const clipFn: UnaryFn<{ min: ReturnType<typeof float>; max: ReturnType<typeof float> }> = {
  f: (x, a) => {
    let v = x;
    if (a.min !== undefined && v < a.min) v = a.min;
    if (a.max !== undefined && v > a.max) v = a.max;
    return v;
  },
  // Inside the bounds, the bounds included (as torch.clamp).
  df: (x, _y, a) => ((a.min === undefined || x >= a.min) && (a.max === undefined || x <= a.max) ? 1 : 0),
  dfy: (y, a) => ((a.min === undefined || y > a.min) && (a.max === undefined || y < a.max) ? 1 : 0),
  c: (x, a, m) => {
    let e = x;
    if (a.min !== undefined) e = m.max(e, m.k(a.min));
    if (a.max !== undefined) e = m.min(e, m.k(a.max));
    return e;
  },
  operands: (inputs, a) => {
    const bound = (t: Tensor | undefined, v: number | undefined) => (t ? readNumber(isPackedFloat(t.dtype) ? { ...t, data: tensorToF32(t) } : t, 0) : v);
    return { min: bound(inputs[1], a.min), max: bound(inputs[2], a.max) } as ClipAttrs as typeof a;
  },
  samples: [{ min: 0, max: 6 }, { min: -1, max: 1 }, { min: -0.5 }, { max: 0.5 }],
  fusion: {
    params: ["min", "max"],
    required: 2,
    absent: [-Infinity, Infinity],
    check: (a) => (Number.isNaN(a.min) || Number.isNaN(a.max) ? "a bound is NaN" : !(a.min! <= a.max!) ? `min ${a.min} is above max ${a.max}` : undefined),
    epilogue: (a) => ({ form: "clamp", lo: a.min!, hi: a.max! }),
  },
};

function scalarBound(t: Tensor | undefined, which: string): Tensor | undefined {
  if (!t) return undefined;
  if (t.data.length !== 1) throw new Error(`Clip: ${which} must be a scalar, it has ${t.data.length} elements`);
  return t;
}

export const Clip = defineOp({
  name: "Clip",
  doc: "Elementwise clamp to [min, max]; a missing bound is open. If min > max every element becomes max.",
  attrs: { min: float(), max: float() },
  inputs: ["input", "min?", "max?"],
  outputs: ["output"],
  dtypes: NUMERIC,
  infer: (inputs, a) => {
    const x = inputs[0];
    if (!x) throw new Error("Clip: input is missing");
    checkDtype("Clip", x, NUMERIC);
    for (const [k, which] of [[1, "min"], [2, "max"]] as const) {
      const b = inputs[k];
      if (!b) continue;
      if (a[which] !== undefined) throw new Error(`Clip: ${which} is given both as an attribute and as an input`);
      if (b.dtype !== x.dtype) throw new Error(`Clip: ${which} has dtype ${b.dtype}, the input has ${x.dtype}`);
      if (b.shape.length > 1 || (b.shape.length === 1 && b.shape[0] !== 1)) throw new Error(`Clip: ${which} must be a scalar`);
    }
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate: (inputs, a) => {
    const x = inputs[0];
    if (!x) throw new Error("Clip: input is missing");
    const minT = scalarBound(inputs[1], "min"), maxT = scalarBound(inputs[2], "max");
    const out = makeTensor(x.dtype, x.shape);
    if (isBig(x.dtype)) {
      const bound = (t: Tensor | undefined, v: number | undefined, up: boolean): bigint | undefined => {
        if (t) return (t.data as BigInt64Array)[0]!;
        if (v === undefined || Number.isNaN(v)) return undefined;
        if (!Number.isFinite(v)) return undefined;
        return BigInt(up ? Math.ceil(v) : Math.floor(v));
      };
      clipBigKernel(x.data as BigInt64Array, out.data as BigInt64Array, bound(minT, a.min, true), bound(maxT, a.max, false));
      return [out];
    }
    const integer = !isPackedFloat(x.dtype) && x.dtype !== "f32" && x.dtype !== "f64";
    let lo = minT ? readNumber(isPackedFloat(x.dtype) ? { ...minT, data: tensorToF32(minT) } : minT, 0) : a.min ?? -Infinity;
    let hi = maxT ? readNumber(isPackedFloat(x.dtype) ? { ...maxT, data: tensorToF32(maxT) } : maxT, 0) : a.max ?? Infinity;
    if (integer) {
      lo = Math.ceil(lo);
      hi = Math.floor(hi);
    }
    if (isPackedFloat(x.dtype)) {
      const tmp = new Float32Array(x.data.length);
      clipKernel(tensorToF32(x), tmp, lo, hi);
      storeReals(x.dtype, tmp, out.data);
      return [out];
    }
    clipKernel(x.data as NumArr, out.data as NumArr, lo, hi);
    return [out];
  },
  fromOnnx: (node, ctx) => {
    const attrs: Record<string, AttrValue> = {};
    if (ctx.opset < 11) {
      if (node.attrs["min"] !== undefined) attrs["min"] = node.attrs["min"];
      if (node.attrs["max"] !== undefined) attrs["max"] = node.attrs["max"];
      return { inputs: [node.inputs[0]!], outputs: node.outputs, attrs };
    }
    const inputs: string[] = [node.inputs[0]!];
    for (const [k, which] of [[1, "min"], [2, "max"]] as const) {
      const name = node.inputs[k];
      if (!name) {
        inputs.push("");
        continue;
      }
      const c = ctx.constant(name);
      if (!c) {
        inputs.push(name);
        continue;
      }
      if (c.data.length !== 1) ctx.fail(`Clip: ${which} must be a scalar, it has ${c.data.length} elements`);
      attrs[which] = readNumber(isPackedFloat(c.dtype) ? { ...c, data: tensorToF32(c) } : c, 0);
      inputs.push("");
    }
    while (inputs.length > 1 && inputs[inputs.length - 1] === "") inputs.pop();
    return { inputs, outputs: node.outputs, attrs };
  },
  toOnnx: (node, a, ctx) => {
    const [x, minIn, maxIn] = node.inputs;
    if (ctx.opset < 11) {
      if (minIn || maxIn) throw new Error("a Clip bound computed at run time needs opset 11 or later");
      const attrs: Record<string, AttrValue> = {};
      if (a.min !== undefined) attrs["min"] = a.min;
      if (a.max !== undefined) attrs["max"] = a.max;
      return [{ opType: "Clip", name: node.name, inputs: [x!], outputs: node.outputs, attrs, floatAttrs: ["min", "max"] }];
    }
    // From opset 11 the bounds are scalar inputs of the input's dtype.
    const dt = ctx.type(x!).dtype;
    const bound = (v: number | undefined, input: string | undefined, hint: string): string =>
      input ? input : v === undefined ? "" : ctx.constant(tensorFromF64(dt, [], [v]), `${node.name}.${hint}`);
    const inputs = [x!, bound(a.min, minIn, "min"), bound(a.max, maxIn, "max")];
    while (inputs.length > 1 && inputs[inputs.length - 1] === "") inputs.pop();
    return [{ opType: "Clip", name: node.name, inputs, outputs: node.outputs, attrs: {} }];
  },
  traits: { unary: clipFn },
});
