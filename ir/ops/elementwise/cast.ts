// Cast and CastLike: conversion between any two dtypes (rules in ir/kernels/elementwise-cast.ts).
//
// IR form: `to` is the IR dtype name ("f32", "i64", "f8e4m3fn"...), not the ONNX enum number, so
// printed graphs read naturally; `saturate` (opset 19) only matters for float8 targets. CastLike
// imports as a Cast to its second input's dtype.
import { isDType, isFloat, isInteger, type DType } from "../../dtype.js";
import { isSymbolic, type Dim } from "../../dim.js";
import type { AttrValue } from "../../graph.js";
import { defineOp, int, required, str, type OnnxImportContext } from "../../op.js";
import { fromNumbers, tensorType, toNumbers } from "../../types.js";
import { castTensor } from "../../kernels/elementwise-cast.js";
import { dtypeFromOnnx, dtypeToOnnx } from "../../onnx-dtypes.js";

/** ONNX TensorProto.DataType names, for the string `to` of Cast before opset 6. */
const ONNX_TYPE_NAMES: Readonly<Record<string, number>> = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10,
  DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20,
};

function onnxDtype(v: AttrValue | undefined, ctx: OnnxImportContext): DType {
  let code: number | undefined;
  if (typeof v === "number") code = v;
  else if (typeof v === "string") code = ONNX_TYPE_NAMES[v.toUpperCase()];
  if (code === undefined) return ctx.fail(`Cast needs an integer "to" attribute`);
  const dt = dtypeFromOnnx(code);
  if (!dt) return ctx.fail(`Cast to ONNX data type ${String(v)} is not supported`);
  return dt;
}

function checkTo(to: string): DType {
  if (!isDType(to)) throw new Error(`Cast: unknown target dtype "${to}"`);
  return to;
}

/** Casts a vector of possibly symbolic element values: symbols survive integer and wide float targets. */
function castDims(v: readonly Dim[], to: DType): Dim[] | undefined {
  if (to === "string") return undefined;
  if (!v.some(isSymbolic)) {
    return toNumbers(castTensor(fromNumbers("f64", [v.length], v as number[]), to));
  }
  const keeps = (isInteger(to) && to !== "i8" && to !== "u8" && to !== "i16" && to !== "u16") || to === "f32" || to === "f64";
  if (!keeps) return undefined;
  // Integral symbolic values stay as they are; numbers are converted like a real cast.
  return v.map((d) => (typeof d === "number" ? (isFloat(to) ? (to === "f32" ? Math.fround(d) : d) : Math.trunc(d)) : d));
}

export const Cast = defineOp({
  name: "Cast",
  doc: "Converts every element to dtype `to` (floats round to nearest even, float8 per `saturate`, float to integer truncates).",
  attrs: { to: required(str()), saturate: int(1) },
  inputs: ["input"],
  outputs: ["output"],
  infer: (inputs, a) => {
    const x = inputs[0];
    if (!x) throw new Error("Cast: input is missing");
    return [tensorType(checkTo(a.to), x.shape)];
  },
  evaluate: (inputs, a) => {
    const x = inputs[0];
    if (!x) throw new Error("Cast: input is missing");
    return [castTensor(x, checkTo(a.to), a.saturate !== 0)];
  },
  fromOnnx: (node, ctx) => {
    const attrs: Record<string, AttrValue> = { to: onnxDtype(node.attrs["to"], ctx) };
    if (node.attrs["saturate"] !== undefined) attrs["saturate"] = node.attrs["saturate"];
    return { inputs: [node.inputs[0]!], outputs: node.outputs, attrs };
  },
  toOnnx: (node, a, ctx) => {
    const attrs: Record<string, AttrValue> = { to: dtypeToOnnx(checkTo(a.to)) };
    // `saturate` exists from opset 19 and only matters for float8 targets.
    if (a.saturate !== 1) {
      if (ctx.opset < 19) throw new Error("Cast with saturate=0 needs opset 19 or later");
      attrs["saturate"] = a.saturate;
    }
    return [{ opType: "Cast", name: node.name, inputs: node.inputs, outputs: node.outputs, attrs }];
  },
  foldDims: (inputs, a) => {
    const v = inputs[0];
    if (!v || !isDType(a.to)) return undefined;
    const out = castDims(v, a.to);
    return out ? [out] : undefined;
  },
});

export const CastLike = defineOp({
  name: "CastLike",
  doc: "Converts every element to the dtype of target_type (imported as Cast).",
  attrs: { saturate: int(1) },
  inputs: ["input", "target_type"],
  outputs: ["output"],
  infer: (inputs) => {
    const [x, t] = inputs;
    if (!x || !t) throw new Error("CastLike: input and target_type are required");
    return [tensorType(t.dtype, x.shape)];
  },
  evaluate: (inputs, a) => {
    const [x, t] = inputs;
    if (!x || !t) throw new Error("CastLike: input and target_type are required");
    return [castTensor(x, t.dtype, a.saturate !== 0)];
  },
  fromOnnx: (node, ctx) => {
    const target = ctx.type(node.inputs[1] ?? "");
    const attrs: Record<string, AttrValue> = {};
    if (node.attrs["saturate"] !== undefined) attrs["saturate"] = node.attrs["saturate"];
    if (!target) return { inputs: node.inputs, outputs: node.outputs, attrs };
    return { op: "Cast", inputs: [node.inputs[0]!], outputs: node.outputs, attrs: { ...attrs, to: target.dtype } };
  },
  foldDims: (inputs, _a, types) => {
    const v = inputs[0], t = types[1];
    if (!v || !t) return undefined;
    const out = castDims(v, t.dtype);
    return out ? [out] : undefined;
  },
});

export const castOps = [Cast, CastLike];
