// The algorithms of the float Conv, tried in this order:
//   ConvDepthwise  1-D, one filter per channel (group = C = M), more than one tap
//   ConvPointwise  every kernel dim 1, stride 1, no padding: the input already is the GEMM's X
//   ConvGemmRows   any other 1-D conv: GEMM over rows read in place from a padded copy
//   ConvIm2col     any other 2-D (or 3-D and more) conv: im2col, then GEMM
//   ConvIm2colMatMul  weights or bias computed at run time (1-D or 2-D): im2col, then the MatMul
//                  GEMM reading the weights where they are
// The first four C emitters need float32 and constant weights and bias with static channel dims. auto_pad
// becomes explicit pads here where they do not depend on a length known only at run time (stride
// 1, or static lengths); otherwise (SAME with a stride on a symbolic length) it stays, and the
// 1-D emitters compute the pads from the length at run time.
import type { Attrs, Node } from "../../ir/graph.js";
import { isSymbolic, type Dim } from "../../ir/dim.js";
import { windowParams } from "../../ir/ops/nn/spatial.js";
import type { Target } from "../../ir/target.js";
import { ensure, type GraphView } from "../patterns.js";
import { defineAlgorithmRule, ensureConstant } from "./algorithm-rule.js";

export interface ConvShape {
  /** Spatial dims: 1, 2, or more (those only through ConvIm2col). */
  readonly rank: number;
  readonly C: number;
  readonly M: number;
  readonly group: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  /** The node's attributes with auto_pad resolved into explicit pads. */
  readonly attrs: Attrs;
  /** The auto_pad that was resolved, if any. */
  readonly autoPad?: string;
  /** SAME pads that depend on a run-time length: `pads` is empty, the 1-D emitters compute them. */
  readonly runtimePads?: true;
}

/** SAME pads of each spatial dim, or undefined when one depends on a length known only at run time. */
function samePads(spatial: readonly Dim[], a: Parameters<typeof windowParams>[1], kernel: readonly number[]): number[] | undefined {
  const p = windowParams(kernel, a);
  if (spatial.some((inp, i) => isSymbolic(inp) && p.strides[i]! > 1)) return undefined;
  const begin: number[] = [], end: number[] = [];
  spatial.forEach((inp, i) => {
    const s = p.strides[i]!, eff = p.dilations[i]! * (kernel[i]! - 1) + 1;
    const n = inp as number;
    const total = isSymbolic(inp) ? eff - 1 : Math.max(0, (Math.ceil(n / s) - 1) * s + eff - n);
    const small = Math.floor(total / 2);
    begin.push(a.auto_pad === "SAME_UPPER" ? small : total - small);
    end.push(a.auto_pad === "SAME_UPPER" ? total - small : small);
  });
  return [...begin, ...end];
}

/** The conv's static shape, or a decline saying what the C emitters cannot take. */
export function floatConv(node: Node, g: GraphView, constantWeights = true): ConvShape {
  const x = g.type(node.inputs[0]!), w = g.type(node.inputs[1]!);
  ensure(x.dtype === "f32", `its input is ${x.dtype}; the C convolutions are float32`);
  ensure(x.shape.length >= 3, `its input has rank ${x.shape.length}; a convolution's input is [N, C, spatial...]`);
  if (constantWeights) ensureConstant(node, g, [1, 2], ["weights", "bias"]);
  const [M, Cg] = w.shape;
  ensure(typeof M === "number" && typeof Cg === "number", "its weight shape is symbolic");
  const a = g.attrs<{ group: number; kernel_shape?: number[]; strides: number[]; dilations: number[]; pads: number[]; auto_pad: string }>(node);
  const r = x.shape.length - 2;
  const kernel = a.kernel_shape ?? (w.shape.slice(2) as number[]);
  const fill = (v: readonly number[] | undefined, def: number, n = r) => (v && v.length > 0 ? v : new Array<number>(n).fill(def));
  let pads = fill(a.pads, 0, 2 * r);
  let attrs = node.attrs;
  const common = { rank: r, C: Cg * a.group, M, group: a.group, kernel, strides: fill(a.strides, 1), dilations: fill(a.dilations, 1) };
  if (a.auto_pad && a.auto_pad !== "NOTSET") {
    const same = a.auto_pad === "VALID" ? fill(undefined, 0, 2 * r) : samePads(x.shape.slice(2), a, kernel);
    if (!same) {
      ensure(r === 1, () => `auto_pad ${a.auto_pad} with a stride on a length known only at run time: only the 1-D convolutions compute such pads at run time`);
      return { ...common, pads: [], attrs, runtimePads: true };
    }
    pads = same;
    const { auto_pad: _dropped, ...rest } = node.attrs;
    attrs = { ...rest, pads };
  }
  const resolved = attrs !== node.attrs ? { autoPad: a.auto_pad } : {};
  return { ...common, pads, attrs, ...resolved };
}

const taps = (s: ConvShape) => s.kernel.join("x");
/** The rule's choice: why (saying so when auto_pad became pads), and the attributes. */
export const chosen = (s: ConvShape, why: string) => ({
  why: s.autoPad ? `${why}; auto_pad ${s.autoPad} is pads [${s.pads.join(", ")}]`
    : s.runtimePads ? `${why}; its auto_pad ${String(s.attrs.auto_pad)} pads are computed from the length at run time` : why,
  attrs: s.attrs,
});
const where = (t: Target) => `on ${t.name}`;

export const convDepthwise = defineAlgorithmRule({
  algorithm: "ConvDepthwise",
  choose(node, g, target) {
    const s = floatConv(node, g);
    ensure(s.rank === 1, () => `it is ${s.rank}-D; the direct depthwise loop is 1-D`);
    ensure(s.group === s.C && s.M === s.C, `it is not depthwise (group ${s.group}, ${s.C} input and ${s.M} output channels)`);
    ensure(s.kernel[0]! > 1, "it has one tap (pointwise)");
    return chosen(s, `depthwise, ${s.C} channels of ${taps(s)} taps: a direct loop makes ${s.kernel[0]} MACs per output with the filter in registers, ` +
      `no GEMM (one row per channel would leave a GEMM nothing to share) ${where(target)}`);
  },
});

export const convPointwise = defineAlgorithmRule({
  algorithm: "ConvPointwise",
  choose(node, g, target) {
    const s = floatConv(node, g);
    ensure(s.rank <= 2, () => `it is ${s.rank}-D; the pointwise GEMM is generated for 1-D and 2-D`);
    ensure(s.kernel.every((k) => k === 1), () => `its kernel is ${taps(s)}, not 1`);
    ensure(s.strides.every((v) => v === 1), () => `its stride is ${s.strides.join("x")}`);
    ensure(!s.runtimePads && s.pads.every((p) => p === 0), "it pads");
    return chosen(s, `1x1 kernel, stride 1, no padding: the input already is the GEMM's right-hand side ` +
      `(${s.C / s.group} x length): ${s.group === 1 ? "one packed GEMM runs" : `${s.group} packed GEMMs run`} on it with no copy ${where(target)}`);
  },
});

export const convGemmRows = defineAlgorithmRule({
  algorithm: "ConvGemmRows",
  choose(node, g, target) {
    const s = floatConv(node, g);
    ensure(s.rank === 1, () => `it is ${s.rank}-D`);
    const K = s.kernel[0]!;
    return chosen(s, `1-D, ${s.C / s.group} channels x ${K} taps per group (stride ${s.strides[0]}, dilation ${s.dilations[0]}): ` +
      `a packed GEMM reads its ${(s.C / s.group) * K} rows in place from a zero-padded${s.strides[0]! > 1 ? ", phase-split" : ""} copy ` +
      `the input's size, instead of an im2col matrix ${K}x larger ${where(target)}`);
  },
});

export const convIm2col = defineAlgorithmRule({
  algorithm: "ConvIm2col",
  choose(node, g, target) {
    const s = floatConv(node, g);
    ensure(s.rank >= 2, "it is 1-D");
    return chosen(s, `${s.rank}-D, ${taps(s)} taps on ${s.C / s.group} channels per group: im2col copies the ${(s.C / s.group) * s.kernel.reduce((a, b) => a * b, 1)} ` +
      `rows of X into scratch, then one packed GEMM per group ${where(target)}`);
  },
});

export const convIm2colMatMul = defineAlgorithmRule({
  algorithm: "ConvIm2colMatMul",
  choose(node, g, target) {
    const s = floatConv(node, g, false);
    ensure(s.rank <= 2, () => `it is ${s.rank}-D; im2col with run-time weights is generated for 1-D and 2-D`);
    const runtime = [[1, "weights"], [2, "bias"]].filter(([k]) => node.inputs[k as number] && !g.isConstant(node.inputs[k as number]!)).map(([, n]) => n);
    ensure(runtime.length > 0, "its weights and bias are constant (the packed GEMMs take them)");
    ensure(!s.runtimePads || s.rank === 1, "its SAME pads depend on a run-time length of a 2-D input");
    return chosen(s, `its ${runtime.join(" and ")} ${runtime.length > 1 || runtime[0] === "weights" ? "are" : "is"} computed at run time, so nothing is packed at compile time: ` +
      `im2col copies the ${(s.C / s.group) * s.kernel.reduce((a, b) => a * b, 1)} rows of X per group into scratch, then the MatMul GEMM reads the ` +
      `weights in place as its left operand ${where(target)}`);
  },
});

export const convRules = [convDepthwise, convPointwise, convGemmRows, convIm2col, convIm2colMatMul];
