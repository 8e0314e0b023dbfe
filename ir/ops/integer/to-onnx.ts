// The `toOnnx` hooks of the integer ops (ir/ops/integer): each op as standard default-domain ONNX.
//
// Compute ops become QDQ (DequantizeLinear -> float op -> Relu/Clip -> QuantizeLinear), which
// ONNX Runtime fuses into its integer kernels; the requantization then rounds through float
// (half to even), so results may differ from the interpreter's by one step. QLookup is written
// as an exact table lookup (Cast -> Add -> Gather over the 256-entry table): the table is the
// function, so no float function has to be named.
import type { AttrValue } from "../../graph.js";
import type { OnnxExportContext, OnnxExportNode, OnnxNodeOut } from "../../op.js";
import { fromNumbers } from "../../types.js";
import { affineOf, biasAffine, dequantize, pickAttrs, qdqNode } from "./qdq-form.js";

interface Clamp {
  readonly qmin: number | undefined;
  readonly qmax: number | undefined;
}

const CONV_ATTRS = ["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"] as const;

export function qconvToOnnx(node: OnnxExportNode, a: Clamp, ctx: OnnxExportContext): OnnxNodeOut[] {
  const [x, w, b] = node.inputs;
  const out: OnnxNodeOut[] = [];
  const px = affineOf(ctx, x!), pw = affineOf(ctx, w!);
  if (pw.zeroPoint.some((z) => z !== 0)) throw new Error(`weights ${w} are not symmetric`);
  const inputs = [dequantize(ctx, out, x!, px), dequantize(ctx, out, w!, pw.scale.length > 1 ? { ...pw, axis: 0 } : pw)];
  if (b) inputs.push(dequantize(ctx, out, b, biasAffine(px, pw, ctx.type(w!).shape[0] as number)));
  const attrs = pickAttrs(node.attrs, CONV_ATTRS);
  if (attrs["auto_pad"] === "NOTSET") delete attrs["auto_pad"];
  return qdqNode(ctx, node, inputs, "Conv", attrs, out, a);
}

/**
 * QMatMul as DequantizeLinear(x), DequantizeLinear(w) -> MatMul (-> Add bias) -> QuantizeLinear.
 * The same form serves constant symmetric weights and two activations (attention): w's zero
 * point, per tensor or per column, is DequantizeLinear's, and a batched w[..., K, N] is
 * ONNX MatMul's own broadcasting. Per-column parameters and the bias run along N, the last axis.
 */
export function qmatmulToOnnx(node: OnnxExportNode, a: Clamp & { w_zero_point?: number }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const [x, w, b] = node.inputs;
  const out: OnnxNodeOut[] = [];
  const px = affineOf(ctx, x!), pw = affineOf(ctx, w!);
  const wShape = ctx.type(w!).shape;
  // The kernel centres w by the attribute, ONNX by the annotation: they must agree.
  const wzp = a.w_zero_point ?? 0;
  if (pw.zeroPoint.some((z) => z !== wzp)) {
    throw new Error(`QMatMul ${node.name}: w_zero_point ${wzp} differs from the zero point [${pw.zeroPoint.join(", ")}] of w's annotation`);
  }
  const xf = dequantize(ctx, out, x!, px);
  const wf = dequantize(ctx, out, w!, pw.scale.length > 1 ? { ...pw, axis: wShape.length - 1 } : pw);
  if (!b) return qdqNode(ctx, node, [xf, wf], "MatMul", {}, out, a);
  const prod = ctx.fresh(`${node.outputs[0]}.matmul`);
  out.push({ opType: "MatMul", name: `${node.name}.matmul`, inputs: [xf, wf], outputs: [prod], attrs: {} });
  const N = wShape[wShape.length - 1]!;
  if (typeof N !== "number" && pw.scale.length > 1) throw new Error(`QMatMul ${node.name}: a per-column bias needs a static number of columns`);
  const bf = dequantize(ctx, out, b, biasAffine(px, pw, N as number));
  return qdqNode(ctx, node, [prod, bf], "Add", {}, out, a);
}

/** QAdd / QMul: both inputs dequantized, the float op, the clamp, the output quantized. */
export function binaryToOnnx(opType: "Add" | "Mul") {
  return (node: OnnxExportNode, a: Clamp, ctx: OnnxExportContext): OnnxNodeOut[] => {
    const out: OnnxNodeOut[] = [];
    const inputs = node.inputs.map((v) => dequantize(ctx, out, v));
    return qdqNode(ctx, node, inputs, opType, {}, out, a);
  };
}

/** QMagnitude: both halves dequantized, sqrt(re * re + im * im) in float, the output quantized. */
export function qmagnitudeToOnnx(node: OnnxExportNode, a: Clamp, ctx: OnnxExportContext): OnnxNodeOut[] {
  const out: OnnxNodeOut[] = [];
  const [re, im] = node.inputs.map((v) => dequantize(ctx, out, v)) as [string, string];
  const y = node.outputs[0]!;
  const square = (v: string, k: string) => {
    const sq = ctx.fresh(`${y}.${k}2`);
    out.push({ opType: "Mul", name: `${node.name}.${k}2`, inputs: [v, v], outputs: [sq], attrs: {} });
    return sq;
  };
  const sum = ctx.fresh(`${y}.power`);
  out.push({ opType: "Add", name: `${node.name}.power`, inputs: [square(re, "re"), square(im, "im")], outputs: [sum], attrs: {} });
  return qdqNode(ctx, node, [sum], "Sqrt", {}, out, a);
}

/**
 * QLogEnergy in float: re and im dequantized with scale 1 (their centred integers), squared and
 * summed, through the bank's integers (MatMul), plus the addends, times 2^(offsets/2^16) per column (the scales),
 * clipped at 2^(floor/2^16), Log, quantized. The log table's 8-bit mantissa is not reproduced.
 */
export function qlogEnergyToOnnx(node: OnnxExportNode, a: Clamp & { re_zero_point: number; im_zero_point: number; offsets: readonly number[]; floor: number; addends: readonly number[] }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const [re, im, bank] = node.inputs;
  const y = node.outputs[0]!;
  const out: OnnxNodeOut[] = [];
  const centred = (v: string, zp: number) => dequantize(ctx, out, v, { scale: [1], zeroPoint: [zp] });
  const square = (v: string, k: string) => {
    const sq = ctx.fresh(`${y}.${k}2`);
    out.push({ opType: "Mul", name: `${node.name}.${k}2`, inputs: [v, v], outputs: [sq], attrs: {} });
    return sq;
  };
  let energy = square(centred(re!, a.re_zero_point), "re");
  if (im) {
    const sum = ctx.fresh(`${y}.power`);
    out.push({ opType: "Add", name: `${node.name}.power`, inputs: [energy, square(centred(im, a.im_zero_point), "im")], outputs: [sum], attrs: {} });
    energy = sum;
  }
  if (bank) {
    const banked = ctx.fresh(`${y}.banked`);
    out.push({ opType: "MatMul", name: `${node.name}.bank`, inputs: [energy, dequantize(ctx, out, bank, { scale: [1], zeroPoint: [0] })], outputs: [banked], attrs: {} });
    energy = banked;
  }
  if (a.addends.length > 0) {
    const added = ctx.fresh(`${y}.added`);
    out.push({ opType: "Add", name: `${node.name}.addends`, inputs: [energy, ctx.constant(fromNumbers("f32", [a.addends.length], a.addends), `${y}.addends`)], outputs: [added], attrs: {} });
    energy = added;
  }
  const scaled = ctx.fresh(`${y}.scaled`);
  const scales = a.offsets.map((o) => 2 ** (o / 2 ** 16));
  out.push({ opType: "Mul", name: `${node.name}.scale`, inputs: [energy, ctx.constant(fromNumbers("f32", [scales.length], scales), `${y}.scales`)], outputs: [scaled], attrs: {} });
  let logIn = scaled;
  if (a.floor > -(2 ** 31) + 1) {
    logIn = ctx.fresh(`${y}.floored`);
    out.push({ opType: "Max", name: `${node.name}.floor`, inputs: [scaled, ctx.constant(fromNumbers("f32", [], [2 ** (a.floor / 2 ** 16)]), `${y}.floor`)], outputs: [logIn], attrs: {} });
  }
  return qdqNode(ctx, node, [logIn], "Log", {}, out, a);
}

export function qconcatToOnnx(node: OnnxExportNode, a: { axis: number }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const out: OnnxNodeOut[] = [];
  const inputs = node.inputs.map((v) => dequantize(ctx, out, v));
  return qdqNode(ctx, node, inputs, "Concat", { axis: a.axis }, out);
}

export function requantizeToOnnx(node: OnnxExportNode, a: Clamp, ctx: OnnxExportContext): OnnxNodeOut[] {
  const out: OnnxNodeOut[] = [];
  return qdqNode(ctx, node, [dequantize(ctx, out, node.inputs[0]!)], "Identity", {}, out, a);
}

/** Softmax / LogSoftmax in float between DequantizeLinear and QuantizeLinear. */
export function softmaxToOnnx(opType: "Softmax" | "LogSoftmax") {
  return (node: OnnxExportNode, a: { axis: number }, ctx: OnnxExportContext): OnnxNodeOut[] => {
    const out: OnnxNodeOut[] = [];
    return qdqNode(ctx, node, [dequantize(ctx, out, node.inputs[0]!)], opType, { axis: a.axis }, out);
  };
}

/** y = table[x - min(x's type)]: an exact Gather over the table, index computed in int32. */
export function qlookupToOnnx(node: OnnxExportNode, a: { table: readonly number[]; out_dtype: string }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const x = node.inputs[0]!, y = node.outputs[0]!;
  const xt = ctx.type(x);
  const base = xt.dtype === "i8" ? 128 : 0;
  const idx = ctx.fresh(`${y}.index`), cast = ctx.fresh(`${y}.cast`);
  const table = ctx.constant(fromNumbers(ctx.type(y).dtype, [256], a.table), `${y}.table`);
  const out: OnnxNodeOut[] = [{ opType: "Cast", name: `${node.name}.cast`, inputs: [x], outputs: [cast], attrs: { to: 6 } }];
  out.push({ opType: "Add", name: `${node.name}.offset`, inputs: [cast, ctx.constant(fromNumbers("i32", [], [base]), `${y}.offset`)], outputs: [idx], attrs: {} });
  out.push({ opType: "Gather", name: node.name, inputs: [table, idx], outputs: [y], attrs: { axis: 0 } });
  return out;
}

/** Quantize with its own attributes (the output type may carry no annotation). */
export function quantizeToOnnx(node: OnnxExportNode, a: { scale: number; zero_point: number; out_dtype: string }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const y = node.outputs[0]!;
  const inputs = [
    node.inputs[0]!, ctx.constant(fromNumbers("f32", [], [a.scale]), `${y}.scale`),
    ctx.constant(fromNumbers(ctx.type(y).dtype, [], [a.zero_point]), `${y}.zero_point`),
  ];
  return [{ opType: "QuantizeLinear", name: node.name, inputs, outputs: [y], attrs: {} }];
}

export function dequantizeToOnnx(node: OnnxExportNode, a: { scale: number; zero_point: number }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const x = node.inputs[0]!, y = node.outputs[0]!;
  const dt = ctx.type(x).dtype;
  const inputs = [x, ctx.constant(fromNumbers("f32", [], [a.scale]), `${y}.scale`)];
  if (dt !== "i32") inputs.push(ctx.constant(fromNumbers(dt, [], [a.zero_point]), `${y}.zero_point`));
  return [{ opType: "DequantizeLinear", name: node.name, inputs, outputs: [y], attrs: {} }];
}

/**
 * Hybrid recurrent ops: the int8 W and R are dequantized in the graph (Cast, then Mul by the
 * [directions, rows, 1] scales, one per gate row), then the float op runs.
 */
export function hybridToOnnx(opType: string, floatAttrs: readonly string[]) {
  return (node: OnnxExportNode, a: { w_scales: readonly number[]; r_scales: readonly number[] }, ctx: OnnxExportContext): OnnxNodeOut[] => {
    const out: OnnxNodeOut[] = [];
    const deq = (v: string, scales: readonly number[]) => {
      const shape = ctx.type(v).shape as number[];
      const cast = ctx.fresh(`${v}.f32`), y = ctx.fresh(`${v}.dq`);
      out.push({ opType: "Cast", name: cast, inputs: [v], outputs: [cast], attrs: { to: 1 } });
      const s = ctx.constant(fromNumbers("f32", [shape[0]!, shape[1]!, 1], scales), `${v}.scales`);
      out.push({ opType: "Mul", name: y, inputs: [cast, s], outputs: [y], attrs: {} });
      return y;
    };
    const [x, w, r, ...rest] = node.inputs;
    const inputs = [x!, deq(w!, a.w_scales), deq(r!, a.r_scales), ...rest];
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(node.attrs ?? {})) if (v !== undefined && k !== "w_scales" && k !== "r_scales") attrs[k] = v;
    out.push({ opType, name: node.name, inputs, outputs: node.outputs, attrs, floatAttrs: floatAttrs.filter((k) => k in attrs) });
    return out;
  };
}
