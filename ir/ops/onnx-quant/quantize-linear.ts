// QuantizeLinear (opsets 10, 13, 19, 21): y = saturate(round(x / y_scale) + y_zero_point).
//
// Per tensor, per axis or blocked (opset 21 block_size) scales; integer outputs round half to
// even, float8 outputs round to the format with `saturate`. The output type is the zero point's
// type, else the `output_dtype` attribute (an IR dtype name in the IR; ONNX gives a type number),
// else u8. When scale and zero point are constants the output type carries them as its
// quantization annotation, so later passes see a quantized type, not a bare integer one.
import type { DType } from "../../dtype.js";
import { isDType } from "../../dtype.js";
import { isFloat8 } from "../../float-formats.js";
import type { AttrValue } from "../../graph.js";
import { defineOp, int, str } from "../../op.js";
import { toNumbers, tensorType, type Quant, type Tensor, type TensorType } from "../../types.js";
import { normAxis } from "../../shape-util.js";
import { quantizeLinear } from "../../kernels/onnx-quant-linear.js";
import { dtypeFromOnnx, dtypeToOnnx } from "../../onnx-dtypes.js";
import { passAttrs } from "../onnx-export.js";
import { checkParamType, paramLayout } from "../../kernels/onnx-quant-params.js";

const OUTPUT_TYPES: readonly DType[] = ["u8", "i8", "u16", "i16", "i32", "f8e4m3fn", "f8e4m3fnuz", "f8e5m2", "f8e5m2fnuz"];
const SCALE_TYPES: readonly DType[] = ["f32", "f16", "bf16"];

function outputDtype(zp: TensorType | Tensor | undefined, outputDtypeAttr: string | undefined): DType {
  if (zp && outputDtypeAttr && zp.dtype !== outputDtypeAttr) {
    throw new Error(`output_dtype ${outputDtypeAttr} differs from the zero point's type ${zp.dtype}`);
  }
  const dt = zp?.dtype ?? outputDtypeAttr ?? "u8";
  if (!isDType(dt) || !OUTPUT_TYPES.includes(dt)) {
    throw new Error(`cannot quantize to ${dt} (supported: ${OUTPUT_TYPES.join(", ")})`);
  }
  return dt;
}

/** The affine annotation for constant per-tensor or per-axis parameters. */
function quantAnnotation(x: TensorType, scale: Tensor, zp: Tensor | undefined, axis: number, blockSize: number): Quant | undefined {
  if (blockSize > 0) return undefined;
  const s = toNumbers(scale);
  const z = zp ? toNumbers(zp) : s.map(() => 0);
  if (s.length === 1) return { kind: "affine", scale: s, zeroPoint: [z[0]!] };
  return { kind: "affine", scale: s, zeroPoint: z, axis: normAxis(axis, x.shape.length) };
}

export const QuantizeLinear = defineOp({
  name: "QuantizeLinear",
  doc: "Quantizes a float tensor to integers (or float8) with a per-tensor, per-axis or blocked scale and zero point.",
  attrs: { axis: int(1), saturate: int(1), block_size: int(0), output_dtype: str() },
  inputs: ["x", "y_scale", "y_zero_point?"],
  outputs: ["y"],
  dtypes: ["f32", "f16", "bf16", "i32"],
  infer: ([x, scale, zp], a, ctx) => {
    if (!x || !scale) throw new Error("QuantizeLinear needs inputs x and y_scale");
    if (!SCALE_TYPES.includes(scale.dtype)) throw new Error(`y_scale has dtype ${scale.dtype}; expected one of ${SCALE_TYPES.join(", ")}`);
    const dt = outputDtype(zp, a.output_dtype);
    if (a.block_size < 0) throw new Error(`block_size must not be negative, got ${a.block_size}`);
    checkParamType("y_scale", x, scale, a.axis, a.block_size);
    if (zp) checkParamType("y_zero_point", x, zp, a.axis, a.block_size);
    const sc = ctx.constant(1);
    const zc = zp ? ctx.constant(2) : undefined;
    const quant = !isFloat8(dt) && sc && (zc || !zp) ? quantAnnotation(x, sc, zc, a.axis, a.block_size) : undefined;
    return [tensorType(dt, x.shape, quant)];
  },
  evaluate: ([x, scale, zp], a) => {
    const layout = paramLayout(x!.shape, scale!.shape, a.axis, a.block_size);
    if (zp) paramLayout(x!.shape, zp.shape, a.axis, a.block_size);
    return [quantizeLinear(x!, scale!, zp, { layout, outDtype: outputDtype(zp, a.output_dtype), saturate: a.saturate !== 0 })];
  },
  fromOnnx: (node, ctx) => {
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(node.attrs)) {
      if (k === "axis" || k === "saturate" || k === "block_size") attrs[k] = v;
      else if (k !== "output_dtype") return ctx.fail(`attribute "${k}" is not supported`);
    }
    const od = node.attrs.output_dtype;
    if (od !== undefined && od !== 0) {
      const dt = typeof od === "number" ? dtypeFromOnnx(od) : undefined;
      if (!dt) return ctx.fail(`output_dtype ${String(od)} is not a type neonc can quantize to`);
      attrs.output_dtype = dt;
    }
    return { inputs: node.inputs, outputs: node.outputs, attrs };
  },
  toOnnx: (node, a, ctx) => {
    const { attrs, floatAttrs } = passAttrs("QuantizeLinear", node, ["output_dtype"]);
    if (a.output_dtype !== undefined) attrs.output_dtype = dtypeToOnnx(outputDtype(undefined, a.output_dtype));
    return [{ opType: "QuantizeLinear", name: node.name, inputs: node.inputs, outputs: node.outputs, attrs, floatAttrs }];
  },
});
