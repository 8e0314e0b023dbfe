// Building blocks of the QDQ export of integer ops (the `toOnnx` hooks in ir/ops/integer).
//
// An integer op is written as standard ONNX that ONNX Runtime runs and fuses into its own
// integer kernels: DequantizeLinear on every integer input (parameters from the value's `quant`
// annotation), the float op, the fused clamp as Relu or Clip, and QuantizeLinear to the output's
// parameters. The integer values keep their IR names, so the exported graph's int8 tensors can be
// compared one by one with the interpreter's.
import type { DType } from "../../dtype.js";
import { intRange } from "../../dtype.js";
import type { AttrValue } from "../../graph.js";
import type { OnnxExportContext, OnnxNodeOut } from "../../op.js";
import { fromNumbers, type Quant } from "../../types.js";

/** Affine parameters of an integer value, from its type's annotation. */
export interface Affine {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly axis?: number;
}

/** The affine parameters a value's type carries; refuses values without them. */
export function affineOf(ctx: OnnxExportContext, value: string): Affine {
  const q: Quant | undefined = ctx.type(value).quant;
  if (!q || q.kind !== "affine") {
    throw new Error(`value ${value} has no affine quantization annotation (scale and zero point), so it cannot be written as QDQ`);
  }
  return q;
}

/** A per-tensor scale as an f32 scalar, per-axis scales as an f32 vector. */
function scaleInput(ctx: OnnxExportContext, scales: readonly number[], hint: string): string {
  return ctx.constant(scales.length === 1 ? fromNumbers("f32", [], scales) : fromNumbers("f32", [scales.length], scales), `${hint}.scale`);
}

function zeroPointInput(ctx: OnnxExportContext, dtype: DType, zps: readonly number[], hint: string): string {
  return ctx.constant(zps.length === 1 ? fromNumbers(dtype, [], zps) : fromNumbers(dtype, [zps.length], zps), `${hint}.zero_point`);
}

/**
 * DequantizeLinear of an integer value with the given (or its own) parameters; returns the float
 * value. int32 values (biases) are written without a zero point, which must be 0.
 */
export function dequantize(ctx: OnnxExportContext, out: OnnxNodeOut[], value: string, p: Affine = affineOf(ctx, value)): string {
  const dt = ctx.type(value).dtype;
  const y = ctx.fresh(`${value}.dq`);
  const inputs = [value, scaleInput(ctx, p.scale, value)];
  if (dt !== "i32") inputs.push(zeroPointInput(ctx, dt, p.zeroPoint, value));
  else if (p.zeroPoint.some((z) => z !== 0)) throw new Error(`int32 value ${value} has a non-zero zero point`);
  const attrs: Record<string, AttrValue> = p.scale.length > 1 ? { axis: p.axis ?? 0 } : {};
  out.push({ opType: "DequantizeLinear", name: y, inputs, outputs: [y], attrs });
  return y;
}

/** The clamp [qmin, qmax] of an 8/16-bit output as float Relu or Clip (nothing when it is the whole range). */
export function clampFloat(
  ctx: OnnxExportContext, out: OnnxNodeOut[], x: string, dtype: DType, scale: number, zeroPoint: number,
  qmin: number | undefined, qmax: number | undefined,
): string {
  const [lo, hi] = intRange(dtype);
  const a = qmin ?? lo, b = qmax ?? hi;
  if (a <= lo && b >= hi) return x;
  const y = ctx.fresh(`${x}.clamp`);
  if (a === zeroPoint && b >= hi) {
    out.push({ opType: "Relu", name: y, inputs: [x], outputs: [y], attrs: {} });
    return y;
  }
  const min = a <= lo ? "" : ctx.constant(fromNumbers("f32", [], [(a - zeroPoint) * scale]), `${y}.min`);
  const max = b >= hi ? "" : ctx.constant(fromNumbers("f32", [], [(b - zeroPoint) * scale]), `${y}.max`);
  out.push({ opType: "Clip", name: y, inputs: [x, min, max], outputs: [y], attrs: {} });
  return y;
}

/** QuantizeLinear of float x into the integer value `output`, with the output type's parameters. */
export function quantizeTo(ctx: OnnxExportContext, out: OnnxNodeOut[], x: string, output: string, name: string): void {
  const p = affineOf(ctx, output);
  if (p.scale.length !== 1) throw new Error(`output ${output} is quantized per channel; QuantizeLinear of an activation is written per tensor`);
  const dt = ctx.type(output).dtype;
  out.push({
    opType: "QuantizeLinear", name, outputs: [output], attrs: {},
    inputs: [x, scaleInput(ctx, p.scale, output), zeroPointInput(ctx, dt, p.zeroPoint, output)],
  });
}

/** The float op between dequantized inputs and the quantized (clamped) output: the common QDQ shape. */
export function qdqNode(
  ctx: OnnxExportContext, node: { name: string; outputs: readonly string[] }, floatInputs: readonly string[], opType: string,
  attrs: Readonly<Record<string, AttrValue>>, out: OnnxNodeOut[],
  clamp?: { qmin: number | undefined; qmax: number | undefined },
): OnnxNodeOut[] {
  const y = node.outputs[0]!;
  const f = ctx.fresh(`${y}.float`);
  out.push({ opType, name: node.name, inputs: floatInputs, outputs: [f], attrs });
  const p = affineOf(ctx, y);
  const c = clamp ? clampFloat(ctx, out, f, ctx.type(y).dtype, p.scale[0]!, p.zeroPoint[0]!, clamp.qmin, clamp.qmax) : f;
  quantizeTo(ctx, out, c, y, `${node.name}.quantize`);
  return out;
}

/** Per-channel scales of a bias: s_x * s_w[c]. */
export function biasAffine(x: Affine, w: Affine, channels: number): Affine {
  const sx = x.scale[0]!;
  if (w.scale.length === 1) return { scale: [sx * w.scale[0]!], zeroPoint: [0] };
  return { scale: w.scale.map((s) => sx * s), zeroPoint: new Array<number>(channels).fill(0), axis: 0 };
}

/** Attributes written in the IR among `keys`, skipping empty lists (the schema's "unset"). */
export function pickAttrs(attrs: Readonly<Record<string, AttrValue>> | undefined, keys: readonly string[]): Record<string, AttrValue> {
  const res: Record<string, AttrValue> = {};
  for (const k of keys) {
    const v = attrs?.[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    res[k] = v;
  }
  return res;
}
