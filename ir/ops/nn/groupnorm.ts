// GroupNormalization and InstanceNormalization: statistics per (image, group of channels).
//
// InstanceNormalization is the case of one channel per group. GroupNormalization changed its
// scale/bias in opset 21 from one value per group (opset 18) to one per channel; the IR keeps
// that as the attribute `per_channel` (1 = opset 21 form, 0 = opset 18 form) so both import
// into one op.
import { defineOp, float, int, required } from "../../op.js";
import { makeTensor, numel, tensorType } from "../../types.js";
import { affineChannels, normalizeRows } from "../../kernels/norm.js";
import { checkDim, expectFloat, expectRank, expectSameDtype, floatData, FLOAT_TYPES, need, needTensor, shapeStr } from "./common.js";
import { int64Input, passAttrs } from "../onnx-export.js";
import type { OnnxNodeOut } from "../../op.js";

export const GroupNormalization = defineOp({
  name: "GroupNormalization",
  doc: "Group normalization over groups of channels, with scale/bias per channel or per group (ONNX GroupNormalization).",
  attrs: { num_groups: required(int()), epsilon: float(1e-5), stash_type: int(1), per_channel: int(1) },
  inputs: ["x", "scale", "bias"],
  outputs: ["y"],
  dtypes: FLOAT_TYPES,
  infer([xt, st, bt], a) {
    const x = need(xt, "x");
    expectFloat(x, "x");
    if (x.shape.length < 2) throw new Error(`input x must be [N, C, ...], got ${shapeStr(x.shape)}`);
    const G = a.num_groups;
    if (!Number.isInteger(G) || G < 1) throw new Error(`num_groups must be a positive integer, got ${G}`);
    const C = x.shape[1]!;
    if (typeof C === "number" && C % G !== 0) throw new Error(`channels ${C} are not divisible by num_groups ${G}`);
    for (const [t, n] of [[need(st, "scale"), "scale"], [need(bt, "bias"), "bias"]] as const) {
      expectSameDtype(x, t, "x", n);
      expectRank(t, 1, n);
      checkDim(t.shape[0]!, a.per_channel ? C : G, `${n} length must be ${a.per_channel ? "the channel count" : "num_groups"}`);
    }
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate([xt, st, bt], a) {
    const x = needTensor(xt, "x");
    const N = x.shape[0]!, C = x.shape[1]!, G = a.num_groups;
    if (C % G !== 0) throw new Error(`channels ${C} are not divisible by num_groups ${G}`);
    const plane = numel(x.shape.slice(2));
    const y = makeTensor(x.dtype, x.shape);
    normalizeRows(floatData(x), floatData(y), N * G, (C / G) * plane, a.epsilon);
    let scale: ArrayLike<number> = floatData(needTensor(st, "scale"));
    let bias: ArrayLike<number> = floatData(needTensor(bt, "bias"));
    if (!a.per_channel) [scale, bias] = [perChannel(scale, C, G), perChannel(bias, C, G)];
    affineChannels(floatData(y), N, C, plane, scale, bias);
    return [y];
  },
  fromOnnx(node, ctx) {
    return { inputs: node.inputs, outputs: node.outputs, attrs: { ...node.attrs, per_channel: ctx.opset >= 21 ? 1 : 0 } };
  },
  toOnnx(node, a, ctx) {
    const { attrs, floatAttrs } = passAttrs("GroupNormalization", node, ["per_channel"]);
    if (a.per_channel) return [{ opType: "GroupNormalization", name: node.name, inputs: node.inputs, outputs: node.outputs, attrs, floatAttrs }];
    // Opset 21 takes scale and bias per channel: repeat each group's value over its channels.
    const C = ctx.type(node.inputs[0]!).shape[1]!;
    const G = a.num_groups;
    if (typeof C !== "number") throw new Error("per-group scale and bias need a known channel count to be written per channel");
    const pre: OnnxNodeOut[] = [];
    const perChannel = (v: string, what: string) => {
      const col = ctx.fresh(`${node.name}.${what}_col`), rep = ctx.fresh(`${node.name}.${what}_rep`), flat = ctx.fresh(`${node.name}.${what}_per_channel`);
      pre.push(
        { opType: "Reshape", name: col, inputs: [v, int64Input(ctx, [G, 1], `${node.name}.groups_col`)], outputs: [col], attrs: {} },
        { opType: "Expand", name: rep, inputs: [col, int64Input(ctx, [G, C / G], `${node.name}.groups_rep`)], outputs: [rep], attrs: {} },
        { opType: "Reshape", name: flat, inputs: [rep, int64Input(ctx, [C], `${node.name}.channels`)], outputs: [flat], attrs: {} },
      );
      return flat;
    };
    const inputs = [node.inputs[0]!, perChannel(node.inputs[1]!, "scale"), perChannel(node.inputs[2]!, "bias")];
    return [...pre, { opType: "GroupNormalization", name: node.name, inputs, outputs: node.outputs, attrs, floatAttrs }];
  },
});

function perChannel(v: ArrayLike<number>, C: number, G: number): Float64Array {
  const out = new Float64Array(C);
  const size = C / G;
  for (let c = 0; c < C; c++) out[c] = v[Math.floor(c / size)]!;
  return out;
}

export const InstanceNormalization = defineOp({
  name: "InstanceNormalization",
  doc: "Per-image, per-channel normalization with scale and bias (ONNX InstanceNormalization).",
  attrs: { epsilon: float(1e-5) },
  inputs: ["x", "scale", "bias"],
  outputs: ["y"],
  dtypes: FLOAT_TYPES,
  infer([xt, st, bt]) {
    const x = need(xt, "x");
    expectFloat(x, "x");
    if (x.shape.length < 3) throw new Error(`input x must be [N, C, ...spatial], got ${shapeStr(x.shape)}`);
    for (const [t, n] of [[need(st, "scale"), "scale"], [need(bt, "bias"), "bias"]] as const) {
      expectSameDtype(x, t, "x", n);
      expectRank(t, 1, n);
      checkDim(t.shape[0]!, x.shape[1]!, `${n} length does not match the channels of x`);
    }
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate([xt, st, bt], a) {
    const x = needTensor(xt, "x");
    const N = x.shape[0]!, C = x.shape[1]!;
    const plane = numel(x.shape.slice(2));
    const y = makeTensor(x.dtype, x.shape);
    normalizeRows(floatData(x), floatData(y), N * C, plane, a.epsilon);
    affineChannels(floatData(y), N, C, plane, floatData(needTensor(st, "scale")), floatData(needTensor(bt, "bias")));
    return [y];
  },
});
