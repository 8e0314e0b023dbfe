// The algorithms of the integer QConv, tried in this order:
//   QConvDepthwise  one input channel per group: a direct loop per output channel
//   QConvGemmRows   int8/uint8 activations, dilation 1: the int8 GEMM reads each output's patch
//                   in place from zero-point-padded rows
//   QConvIm2col     the rest: dilated taps (not adjacent rows) or int16 activations (the 16x8
//                   mode's wide GEMM): patches copied into scratch, then the GEMM
//   QConvDepthwise2d  2-D convolutions, and 1-D ones with auto_pad (as 2-D of height 1, pads
//                   computed at run time), int8/uint8 activations, one input channel per group:
//                   a direct loop per output channel
//   QConvIm2col2d   the other 2-D (and auto_pad) ones, and 3-D and higher ones with explicit
//                   pads: patches, then the int8 GEMM
// Their C emitters need int8/uint8/int16 (QConvIm2col2d: int8/uint8) activations, constant int8
// weights and int32 bias (packed and folded at compile time), an 8- or 16-bit output; the first
// three a 1-D conv with explicit pads.
// The data type (int8, uint8 or int16 activations) is the emitter's business, not a choice here.
import type { Node } from "../../ir/graph.js";
import type { Target } from "../../ir/target.js";
import { ensure, type GraphView } from "../patterns.js";
import { defineAlgorithmRule, ensureConstant } from "./algorithm-rule.js";

export interface QConvShape {
  readonly x: "i8" | "u8" | "i16";
  readonly w: "i8" | "i16";
  readonly C: number;
  readonly M: number;
  readonly group: number;
  readonly Cg: number;
  readonly Kw: number;
  readonly stride: number;
  readonly dilation: number;
}

const ACTIVATIONS = ["i8", "u8", "i16"];

/** The conv's static shape, or a decline saying what the C emitters cannot take. */
export function integerConv(node: Node, g: GraphView): QConvShape {
  const x = g.type(node.inputs[0]!), w = g.type(node.inputs[1]!), y = g.type(node.outputs[0]!);
  ensure(x.shape.length === 3, `it is a ${x.shape.length - 2}-D convolution (these take 1-D ones)`);
  ensure(ACTIVATIONS.includes(x.dtype), `its input is ${x.dtype}; the C integer convolutions take i8, u8 or i16`);
  ensure(w.dtype === "i8" || (w.dtype === "i16" && x.dtype === "i16"), `its weights are ${w.dtype}; the C integer convolutions take i8 (and i16 with i16 inputs)`);
  ensure(ACTIVATIONS.includes(y.dtype), `its output is ${y.dtype}; the C integer convolutions write i8, u8 or i16`);
  ensureConstant(node, g, [1, 2], ["weights", "bias"]);
  const a = g.attrs<{ group: number; strides?: number[]; dilations?: number[]; auto_pad: string }>(node);
  ensure(a.auto_pad === "NOTSET", () => `auto_pad ${a.auto_pad} (its pads are computed at run time from T; these take explicit pads)`);
  const [M, Cg, Kw] = w.shape as [number, number, number];
  const first = (v: readonly number[] | undefined) => (v && v.length > 0 ? v[0]! : 1);
  return { x: x.dtype as QConvShape["x"], w: w.dtype as QConvShape["w"], C: Cg * a.group, M, group: a.group, Cg, Kw, stride: first(a.strides), dilation: first(a.dilations) };
}

const where = (t: Target) => `on ${t.name}`;
const taps = (s: QConvShape) => `${s.Kw} tap${s.Kw === 1 ? "" : "s"}`;

export const qconvDepthwise = defineAlgorithmRule({
  algorithm: "QConvDepthwise",
  choose(node, g, target) {
    const s = integerConv(node, g);
    ensure(s.Cg === 1, () => `it reads ${s.Cg} input channels per group (group ${s.group}, ${s.C} input channels)`);
    ensure(s.w === "i8", "its weights are int16 (the 16x16 mode): the depthwise loop's int32 partial sums hold int8 weights' products (the wide GEMM reads im2col patches)");
    const each = s.C === 1 ? "the one input channel" : s.M === s.C ? "its own input channel" : `input channel m / ${s.M / s.C}`;
    return `one input channel per group (${s.C} channel${s.C === 1 ? "" : "s"}, ${s.M} outputs, ${taps(s)}): ` +
      `each output channel m runs a direct loop over ${each}, copied once into a row padded with the zero point, ` +
      `${s.Kw} MAC${s.Kw === 1 ? "" : "s"} per output and no GEMM (one row per channel would leave a GEMM nothing to share) ${where(target)}`;
  },
});

export const qconvGemmRows = defineAlgorithmRule({
  algorithm: "QConvGemmRows",
  choose(node, g, target) {
    const s = integerConv(node, g);
    ensure(s.x !== "i16", "its input is int16 (the 16x8 mode); the rows GEMM is int8 (the wide GEMM reads im2col patches)");
    ensure(s.dilation === 1, () => `dilation ${s.dilation}: a patch's taps are not adjacent rows, so the GEMM cannot read it in place`);
    const K = s.Cg * s.Kw;
    const row = s.stride === 1 ? "t" : `t * ${s.stride}`;
    if (s.Kw === 1) {
      return `${s.Cg} channels x 1 tap per group (pointwise, stride ${s.stride}): the input is transposed once into rows of ${s.Cg} values ` +
        `per time step, and the int8 GEMM reads output t's ${s.Cg} values in place from row ${row} ${where(target)}`;
    }
    return `${s.Cg} channels x ${taps(s)} per group (stride ${s.stride}): the input is copied once into zero-point-padded rows ` +
      `(${s.Cg} values per time step) and, with the weights packed tap-major, output t's ${K} values are contiguous from row ` +
      `${row}, so the int8 GEMM reads them in place instead of an im2col matrix of ${K} values per output ${where(target)}`;
  },
});

export const qconvIm2col = defineAlgorithmRule({
  algorithm: "QConvIm2col",
  choose(node, g, target) {
    const s = integerConv(node, g);
    const K = s.Cg * s.Kw;
    const why = s.x === "i16"
      ? `int16 input (the 16x8 mode): each output's ${K} values (${s.Cg} channels x ${taps(s)}) are copied into a patch, padding 0, for the wide GEMM with int64 sums`
      : `dilation ${s.dilation}: each output's ${s.Kw} taps are rows ${s.dilation} apart, so its ${K} values are copied from the zero-point-padded rows into a patch for the int8 GEMM`;
    return `${why} ${where(target)}`;
  },
});

/** Declines what the 2-D emitters cannot take; the rank, group and auto_pad for their reasons. */
function integerConv2d(node: Node, g: GraphView): { rank: number; group: number; autoPad: string } {
  const x = g.type(node.inputs[0]!), w = g.type(node.inputs[1]!), y = g.type(node.outputs[0]!);
  const a = g.attrs<{ group: number; auto_pad: string }>(node);
  const rank = x.shape.length - 2;
  ensure(rank === 2 || (rank === 1 && a.auto_pad !== "NOTSET") || (rank > 2 && (a.auto_pad === "NOTSET" || a.auto_pad === "VALID")),
    rank === 1 ? "it is a 1-D convolution with explicit pads (this takes 2-D ones, 1-D ones with auto_pad, and 3-D and higher ones with explicit pads)"
      : `it is a ${rank}-D convolution with auto_pad ${a.auto_pad} (pads of 3-D and higher ones must be explicit)`);
  ensure(x.dtype === "i8" || x.dtype === "u8", `its input is ${x.dtype}; the 2-D integer convolution takes i8 or u8`);
  ensure(w.dtype === "i8", `its weights are ${w.dtype}; the C integer convolutions take i8`);
  ensure(ACTIVATIONS.includes(y.dtype), `its output is ${y.dtype}; the C integer convolutions write i8, u8 or i16`);
  ensureConstant(node, g, [1, 2], ["weights", "bias"]);
  return { rank, group: a.group, autoPad: a.auto_pad };
}

export const qconvDepthwise2d = defineAlgorithmRule({
  algorithm: "QConvDepthwise2d",
  choose(node, g, target) {
    const { rank, group } = integerConv2d(node, g);
    ensure(rank <= 2, () => `it is ${rank}-D; the direct depthwise loop is 1-D or 2-D (QConvIm2col2d takes it)`);
    const w = g.type(node.inputs[1]!);
    ensure(w.shape[1] === 1, () => `it reads ${w.shape[1]} input channels per group (group ${group})`);
    const k = w.shape.slice(2) as number[];
    return `${rank}-D, one input channel per group (${group} channels, ${w.shape[0]} outputs, ${k.join("x")} kernel): each output channel runs a direct loop ` +
      `over its window (the zero point where it leaves the input), ${k.reduce((p, q) => p * q, 1)} MACs per output and no GEMM (one row per channel would leave it nothing to share) ${where(target)}`;
  },
});

export const qconvIm2col2d = defineAlgorithmRule({
  algorithm: "QConvIm2col2d",
  choose(node, g, target) {
    const { rank } = integerConv2d(node, g);
    const w = g.type(node.inputs[1]!);
    const a = g.attrs<{ group: number; auto_pad: string }>(node);
    const k = (w.shape.slice(2) as number[]);
    const K = (w.shape[1] as number) * k.reduce((p, q) => p * q, 1);
    const pads = a.auto_pad === "NOTSET" ? "" : `, ${a.auto_pad} pads computed at run time from the input size`;
    return `${rank}-D, ${w.shape[1]} channel${w.shape[1] === 1 ? "" : "s"} x ${k.join("x")} kernel per group (group ${a.group}${pads}): ` +
      `each output's ${K} values are copied into a patch (the zero point where the window leaves the input), then the int8 GEMM per group ${where(target)}`;
  },
});

export const qconvRules = [qconvDepthwise, qconvGemmRows, qconvIm2col, qconvDepthwise2d, qconvIm2col2d];
