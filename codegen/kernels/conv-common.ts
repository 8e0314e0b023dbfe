// What the float convolution emitters (conv-pointwise.ts, conv-depthwise.ts, conv-gemm-rows.ts,
// conv-im2col.ts: one per algorithm op of the lower stage) share: the conv's geometry and
// sizes from the node, what they can take, and the weights packed at compile time in the
// GEMM's row blocks (with the bias padded to them).
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import type { KernelContext } from "../kernel.js";
import { actArgs } from "./common.js";
import { gemmRowBlock, packRows, padBias } from "./gemm.js";

export interface ConvSizes {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly group: number;
  /** Input and output channels, and per group. */
  readonly C: number;
  readonly M: number;
  readonly Cg: number;
  readonly Mg: number;
  /** Taps of one filter (product of the kernel dims) and the GEMM's depth Cg * taps. */
  readonly taps: number;
  readonly Kc: number;
  /** C expressions: the batch, the input and output spatial dims and their products. */
  readonly N: string;
  readonly inSp: readonly string[];
  readonly outSp: readonly string[];
  readonly inSize: string;
  readonly outSize: string;
  /** The fused activation's `act, p0, p1` arguments. */
  readonly act: string;
  /** SAME_UPPER / SAME_LOWER when the pads come from the run-time length (1-D); else NOTSET. */
  readonly autoPad: string;
}

/**
 * C expression of the pad before spatial dim i: the attribute's, or for auto_pad SAME the one the
 * run-time length gives (ONNX: total = max(0, (out - 1) * stride + span - in), the odd pad at the
 * end for SAME_UPPER, at the start for SAME_LOWER).
 */
export function padBeforeC(s: ConvSizes, i: number): string {
  if (s.autoPad !== "SAME_UPPER" && s.autoPad !== "SAME_LOWER") return String(s.padBegin[i] ?? 0);
  const span = (s.kernel[i]! - 1) * s.dilations[i]! + 1;
  const total = `neonc_max_int(0, (${s.outSp[i]} - 1) * ${s.strides[i]} + ${span} - ${s.inSp[i]})`;
  return s.autoPad === "SAME_UPPER" ? `(${total} / 2)` : `(${total} - ${total} / 2)`;
}

/** The most padding spatial dim i gets in all (a bound for scratch sizes). */
export function padTotalMax(s: ConvSizes, i: number): number {
  if (s.autoPad !== "SAME_UPPER" && s.autoPad !== "SAME_LOWER") return (s.padBegin[i] ?? 0) + (s.padEnd[i] ?? 0);
  return (s.kernel[i]! - 1) * s.dilations[i]!;
}

/** Adds `neonc_max_int`, used by padBeforeC. */
export function useMaxInt(ctx: KernelContext): void {
  ctx.helper("max_int", `static inline int neonc_max_int(int a, int b) { return a > b ? a : b; }`);
}

export function convSizes(node: Node, attrs: Attrs, ctx: KernelContext): ConvSizes {
  const [xName, wName] = node.inputs as [string, string];
  const x = ctx.type(xName);
  const w = ctx.type(wName);
  const r = w.shape.length - 2;
  const kernel = (attrs.kernel_shape as readonly number[] | undefined) ?? (w.shape.slice(2) as number[]);
  const fill = (v: readonly number[] | undefined, def: number, n = r) => (v && v.length > 0 ? v : new Array<number>(n).fill(def));
  const pads = fill(attrs.pads as readonly number[] | undefined, 0, 2 * r);
  const group = (attrs.group as number | undefined) ?? 1;
  const C = x.shape[1] as number, M = w.shape[0] as number;
  const taps = kernel.reduce((a, b) => a * b, 1);
  const [N, , ...inSp] = ctx.shape(xName);
  const outSp = ctx.shape(node.outputs[0]!).slice(2);
  return {
    kernel, strides: fill(attrs.strides as readonly number[] | undefined, 1), dilations: fill(attrs.dilations as readonly number[] | undefined, 1),
    padBegin: pads.slice(0, r), padEnd: pads.slice(r), group, C, M, Cg: C / group, Mg: M / group, taps, Kc: (C / group) * taps,
    N: N!, inSp, outSp, inSize: inSp.join(" * "), outSize: outSp.join(" * "), act: actArgs(attrs),
    autoPad: (attrs.auto_pad as string | undefined) ?? "NOTSET",
  };
}

/**
 * Why an emitter cannot take the node (the lower rules check the same before choosing it);
 * `ranks` lists the spatial ranks it takes, or "2+" for every rank from 2.
 */
export function floatConvUnsupported(node: Node, attrs: Attrs, g: Graph, ranks: readonly number[] | "2+"): string | undefined {
  const x = g.types[node.inputs[0]!];
  if (!x || x.dtype !== "f32") return "only float32 convolution is generated";
  const r = x.shape.length - 2;
  if (ranks === "2+" ? r < 2 : !ranks.includes(r)) return `only ${ranks === "2+" ? "2-D and higher" : ranks.map((k) => `${k}-D`).join(" and ")} convolution is generated here`;
  if (!(node.inputs[1]! in g.constants)) return "the weights must be constant";
  if (node.inputs[2] && !(node.inputs[2] in g.constants)) return "the bias must be constant";
  const ap = attrs.auto_pad as string | undefined;
  if (ap && ap !== "NOTSET" && !(ranks !== "2+" && ranks.length === 1 && ranks[0] === 1 && ap.startsWith("SAME"))) {
    return `auto_pad ${ap} is generated only for 1-D convolutions (lower writes every other as pads)`;
  }
  if (typeof g.types[node.inputs[1]!]!.shape[1] !== "number") return "the weight shape must be static";
  return undefined;
}

/**
 * The weights packed per group in the GEMM's row blocks and the bias padded to them, as C
 * expressions of group `g`'s slice (`g` is a C variable of the caller).
 */
export function packedConvWeights(node: Node, s: ConvSizes, ctx: KernelContext): { w: string; bias: string } {
  const [, wName, bName] = node.inputs as [string, string, string | undefined];
  const wd = ctx.constant(wName)!.data as Float32Array;
  const bias = bName ? (ctx.constant(bName)!.data as Float32Array) : undefined;
  const R = gemmRowBlock(ctx.target);
  const blocks = Math.ceil(s.Mg / R) * R;
  const packed = new Float32Array(s.group * blocks * s.Kc);
  const bpad = new Float32Array(s.group * blocks);
  for (let gi = 0; gi < s.group; gi++) {
    packed.set(packRows(wd, s.Mg, s.Kc, R, gi * s.Mg), gi * blocks * s.Kc);
    bpad.set(padBias(bias, s.Mg, R, gi * s.Mg), gi * blocks);
  }
  const wp = ctx.addWeights(`${wName}_packed${R}`, packed);
  const bp = bias ? ctx.addWeights(`${bName}_padded${R}`, bpad) : "0";
  return { w: `${wp} + (size_t)g * ${blocks * s.Kc}`, bias: bias ? `${bp} + g * ${blocks}` : "0" };
}

/** `y + (n * M + g * Mg) * outSize`: group g's output planes of image n. */
export function groupOutput(node: Node, s: ConvSizes, ctx: KernelContext): string {
  return `${ctx.ptr(node.outputs[0]!)} + ((size_t)n * ${s.M} + (size_t)g * ${s.Mg}) * ${s.outSize}`;
}
