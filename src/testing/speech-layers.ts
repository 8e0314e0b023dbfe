// Turns each layer of a speech-graph plan (speech-plan.ts) into IR nodes.
//
// Activations live in one of three layouts: [1,C,L] ("nct", what convolutions take), [1,L,C]
// ("ntc", after a Transpose, what a MatMul on features takes) and [L,C] ("tc", what Gemm takes).
// A layer that needs another layout first converts with Transpose/Reshape nodes, so every plan
// builds. C is always a number; L is the time length (T, or an expression of it such as
// floor((T-1)/2)+1 after a strided conv). Weights are drawn from each layer's seed and scaled by
// 1/sqrt(fan-in) so deep stacks stay in a moderate range.
import { addDim, ceilDivDim, dimEquals, floorDivDim, mulDim, shapeToString, type Dim } from "../../ir/dim.js";
import type { AttrValue } from "../../ir/graph.js";
import { fromNumbers } from "../../ir/types.js";
import type { GraphBuilder } from "./graph-builder.js";
import { Rng } from "./rng.js";
import { domainOf } from "../../ir/unary.js";
import { unaryFnOf } from "../../ir/traits.js";
import { activationOps, unarySamples, type Layer, type SpeechOp } from "./speech-plan.js";

export type Layout = "nct" | "ntc" | "tc";

export interface Activation {
  readonly name: string;
  readonly layout: Layout;
  readonly C: number;
  readonly L: Dim;
}

export interface LayerEnv {
  readonly b: GraphBuilder;
  /** Every activation built so far (candidates for residual Add and Concat). */
  readonly pool: Activation[];
  readonly maxChannels: number;
  readonly has: (op: SpeechOp) => boolean;
  /** Whether a time length is at least 1 for the T values the graph promises to accept. */
  readonly lengthOk: (L: Dim) => boolean;
}

export function shapeOf(layout: Layout, C: number, L: Dim): Dim[] {
  return layout === "nct" ? [1, C, L] : layout === "ntc" ? [1, L, C] : [L, C];
}

/** Adds a node, checks that its type rule agrees with the layout bookkeeping, and pools it. */
function emit(
  env: LayerEnv, op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, hint: string,
  layout: Layout, C: number, L: Dim, outputs = 1,
): Activation {
  const [name] = env.b.node(op, inputs, attrs, hint, outputs);
  const want = shapeOf(layout, C, L);
  const got = env.b.typeOf(name!).shape;
  if (got.length !== want.length || !got.every((d, i) => dimEquals(d, want[i]!))) {
    throw new Error(`speech graph generator: ${op} ${hint} gives ${shapeToString(got)}, expected ${shapeToString(want)}`);
  }
  const act = { name: name!, layout, C, L };
  env.pool.push(act);
  return act;
}

/** A constant f32 tensor with values uniform in [lo, hi), and a random sign when `signed`. */
function weight(env: LayerEnv, rng: Rng, hint: string, shape: readonly number[], lo: number, hi: number, signed = false): string {
  let n = 1;
  for (const d of shape) n *= d;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform(lo, hi) * (signed && rng.chance(0.5) ? -1 : 1);
  return env.b.constant(hint, fromNumbers("f32", shape, v));
}

/** Uniform weights with unit-ish output variance for a fan-in. */
function scaled(env: LayerEnv, rng: Rng, hint: string, shape: readonly number[], fanIn: number): string {
  const s = Math.sqrt(3 / Math.max(1, fanIn));
  return weight(env, rng, hint, shape, -s, s);
}

function toNCT(env: LayerEnv, cur: Activation, hint: string): Activation {
  if (cur.layout === "nct") return cur;
  if (cur.layout === "ntc") return emit(env, "Transpose", [cur.name], { perm: [0, 2, 1] }, `${hint}.nct`, "nct", cur.C, cur.L);
  // [L,C] -> [C,L] (the default perm reverses the axes) -> [1,C,L]
  const [ct] = env.b.node("Transpose", [cur.name], {}, `${hint}.ct`);
  return emit(env, "Reshape", [ct!], { shape: [1, cur.C, -1] }, `${hint}.nct`, "nct", cur.C, cur.L);
}

function toNTC(env: LayerEnv, cur: Activation, hint: string): Activation {
  if (cur.layout === "ntc") return cur;
  if (cur.layout === "nct") return emit(env, "Transpose", [cur.name], { perm: [0, 2, 1] }, `${hint}.ntc`, "ntc", cur.C, cur.L);
  return emit(env, "Reshape", [cur.name], { shape: [1, -1, cur.C] }, `${hint}.ntc`, "ntc", cur.C, cur.L);
}

function toTC(env: LayerEnv, cur: Activation, hint: string): Activation {
  if (cur.layout === "tc") return cur;
  const ntc = toNTC(env, cur, hint);
  return emit(env, "Reshape", [ntc.name], { shape: [-1, ntc.C] }, `${hint}.tc`, "tc", ntc.C, ntc.L);
}

function channelAxis(layout: Layout, negative: boolean): number {
  const rank = layout === "tc" ? 2 : 3;
  const axis = layout === "nct" ? 1 : rank - 1;
  return negative ? axis - rank : axis;
}

function timeAxis(layout: Layout, negative: boolean): number {
  const rank = layout === "tc" ? 2 : 3;
  const axis = layout === "nct" ? 2 : layout === "ntc" ? 1 : 0;
  return negative ? axis - rank : axis;
}

/** Shape of a per-channel constant that broadcasts against the layout. */
function channelShape(layout: Layout, C: number): number[] {
  return layout === "nct" ? [C, 1] : [C];
}

function activation(env: LayerEnv, cur: Activation, op: string, attrs: Record<string, AttrValue>, hint: string): Activation {
  return emit(env, op, [cur.name], attrs, hint, cur.layout, cur.C, cur.L);
}

/**
 * A unary element-wise op with attributes `attrs`, on `cur` — or, for a piecewise-constant op
 * (Floor, Ceil), on the graph input, whose values are exact (a pass that changes the last bit
 * of its input would move its output by a whole step). An op defined on part of the line only
 * (Log, Sqrt...) gets a Clip to the domain its definition states first.
 */
function unaryLayer(env: LayerEnv, cur: Activation, op: string, attrs: Record<string, AttrValue>, hint: string): Activation {
  const fn = unaryFnOf(op)!;
  let x = fn.steps ? env.pool[0]! : cur;
  if (fn.domain) {
    const [lo, hi] = domainOf(fn);
    x = activation(env, x, "Clip", { min: lo, max: hi }, `${hint}.domain`);
  }
  return activation(env, x, op, attrs, hint);
}

/** Adds the nodes of one layer after `cur` and returns the new current activation. */
const SHORT: Partial<Record<string, string>> = { BatchNormalization: "bn", LeakyRelu: "lrelu", LogSoftmax: "logsoftmax" };

export function applyLayer(env: LayerEnv, cur: Activation, layer: Layer, index: number): Activation {
  const hint = `${SHORT[layer.kind] ?? layer.kind.toLowerCase()}${index}`;
  switch (layer.kind) {
    case "Conv": return conv(env, cur, layer, index);
    case "BatchNormalization": return batchNorm(env, toNCT(env, cur, hint), `bn${index}`, layer.epsilon, new Rng(layer.seed));
    case "Identity":
      return activation(env, cur, layer.kind, {}, hint);
    case "Unary": {
      const samples = unarySamples(layer.op);
      return unaryLayer(env, cur, layer.op, { ...samples[layer.sample % samples.length] } as Record<string, AttrValue>, `${SHORT[layer.op] ?? layer.op.toLowerCase()}${index}`);
    }
    case "Dropout": {
      const attrs: Record<string, AttrValue> = layer.ratio === 0.5 ? {} : { ratio: layer.ratio };
      return emit(env, "Dropout", [cur.name], attrs, hint, cur.layout, cur.C, cur.L, layer.mask ? 2 : 1);
    }
    case "Softmax": case "LogSoftmax": {
      const axis = layer.axis === "channel" ? channelAxis(cur.layout, layer.negativeAxis) : timeAxis(cur.layout, layer.negativeAxis);
      return activation(env, cur, layer.kind, { axis }, hint);
    }
    case "Add": {
      const same = env.pool.filter((a) => a.name !== cur.name && a.layout === cur.layout && a.C === cur.C && dimEquals(a.L, cur.L));
      const rng = new Rng(layer.seed);
      const other = layer.residual && same.length > 0
        ? same[layer.back % same.length]!.name
        : weight(env, rng, `${hint}.c`, layer.operand === "channel" ? channelShape(cur.layout, cur.C) : [1], -1, 1);
      return emit(env, "Add", layer.swap ? [other, cur.name] : [cur.name, other], {}, hint, cur.layout, cur.C, cur.L);
    }
    case "Mul": {
      const rng = new Rng(layer.seed);
      const c = weight(env, rng, `${hint}.c`, layer.operand === "channel" ? channelShape(cur.layout, cur.C) : [1], 0.5, 1.5, true);
      return emit(env, "Mul", layer.swap ? [c, cur.name] : [cur.name, c], {}, hint, cur.layout, cur.C, cur.L);
    }
    case "MatMul": {
      const rng = new Rng(layer.seed);
      const M = layer.out;
      if (cur.layout === "nct" && (layer.side === "left" || !env.has("Transpose"))) {
        const w = scaled(env, rng, `${hint}.w`, [M, cur.C], cur.C);
        return emit(env, "MatMul", [w, cur.name], {}, hint, "nct", M, cur.L);
      }
      const x = cur.layout === "nct" ? toNTC(env, cur, hint) : cur;
      const w = scaled(env, rng, `${hint}.w`, [x.C, M], x.C);
      return emit(env, "MatMul", [x.name, w], {}, hint, x.layout, M, x.L);
    }
    case "Gemm": {
      const rng = new Rng(layer.seed);
      const x = toTC(env, cur, hint);
      const M = layer.out;
      const w = scaled(env, rng, `${hint}.w`, layer.transB ? [M, x.C] : [x.C, M], x.C);
      const ins = [x.name, w];
      if (layer.bias !== "none") ins.push(weight(env, rng, `${hint}.b`, layer.bias === "row" ? [1, M] : [M], -0.5, 0.5));
      const attrs: Record<string, AttrValue> = {};
      if (layer.transB) attrs.transB = 1;
      if (layer.alpha !== 1) attrs.alpha = layer.alpha;
      if (layer.beta !== 1 && layer.bias !== "none") attrs.beta = layer.beta;
      return emit(env, "Gemm", ins, attrs, hint, "tc", M, x.L);
    }
    case "Transpose": {
      if (cur.layout === "tc") return toNCT(env, cur, hint); // with the default (reversing) perm
      return emit(env, "Transpose", [cur.name], { perm: [0, 2, 1] }, hint, cur.layout === "nct" ? "ntc" : "nct", cur.C, cur.L);
    }
    case "Reshape": return reshape(env, cur, layer, hint);
    case "Concat": {
      const fits = env.pool.filter((a) => a.layout === cur.layout && dimEquals(a.L, cur.L) && a.C + cur.C <= env.maxChannels);
      if (fits.length === 0) return cur;
      const other = fits[layer.back % fits.length]!;
      const axis = channelAxis(cur.layout, layer.negativeAxis);
      return emit(env, "Concat", [cur.name, other.name], { axis }, hint, cur.layout, cur.C + other.C, cur.L);
    }
  }
}

function batchNorm(env: LayerEnv, x: Activation, hint: string, epsilon: number, rng: Rng): Activation {
  const C = x.C;
  const ins = [
    x.name,
    weight(env, rng, `${hint}.scale`, [C], 0.5, 1.5, true),
    weight(env, rng, `${hint}.bias`, [C], -0.5, 0.5),
    weight(env, rng, `${hint}.mean`, [C], -0.5, 0.5),
    weight(env, rng, `${hint}.var`, [C], 0.2, 2), // a variance is positive
  ];
  return emit(env, "BatchNormalization", ins, epsilon === 1e-5 ? {} : { epsilon }, hint, "nct", C, x.L);
}

function conv(env: LayerEnv, cur: Activation, layer: Extract<Layer, { kind: "Conv" }>, index: number): Activation {
  const hint = `conv${index}`;
  const x = toNCT(env, cur, hint);
  const rng = new Rng(layer.seed);
  const C = x.C;
  let group = 1, M = layer.out;
  if (layer.grouping === "depthwise") {
    group = C;
    M = layer.out > C && 2 * C <= env.maxChannels ? 2 * C : C;
  } else if (layer.grouping === "grouped") {
    const divisors = [];
    for (let g = 2; g < C; g++) if (C % g === 0) divisors.push(g);
    if (divisors.length > 0) {
      group = divisors[layer.groupPick % divisors.length]!;
      M = group * Math.max(1, Math.round(layer.out / group));
      if (M > env.maxChannels) M = group * Math.floor(env.maxChannels / group);
    }
  }
  const k = layer.kernel, s = layer.stride, d = layer.dilation;
  const need = d * (k - 1);
  const attrs: Record<string, AttrValue> = {};
  let L: Dim;
  const explicit = (total: number): Dim => {
    const p0 = (Math.floor(total / 2) + layer.padShift) % (total + 1);
    if (total > 0) attrs.pads = [p0, total - p0];
    return addDim(floorDivDim(addDim(x.L, total - need - 1), s), 1);
  };
  if (layer.padding === "auto") {
    attrs.auto_pad = layer.padShift % 2 === 0 ? "SAME_UPPER" : "SAME_LOWER";
    L = ceilDivDim(x.L, s);
  } else {
    L = explicit(layer.padding === "valid" ? 0 : layer.padding === "extra" ? need + 1 : need);
    if (!env.lengthOk(L)) {
      delete attrs.pads;
      L = explicit(need); // "same" padding keeps every length >= 1
    }
  }
  // Defaults are left out, or (explicitDefaults) written out as an exporter would.
  const all = layer.explicitDefaults;
  if (all && !attrs.pads && !attrs.auto_pad) attrs.pads = [0, 0];
  if (all || s !== 1) attrs.strides = [s];
  if (all || d !== 1) attrs.dilations = [d];
  if (all || group !== 1) attrs.group = group;
  if (layer.kernelAttr) attrs.kernel_shape = [k];
  const ins = [x.name, scaled(env, rng, `${hint}.w`, [M, C / group, k], (C / group) * k)];
  if (layer.bias) ins.push(weight(env, rng, `${hint}.b`, [M], -0.5, 0.5));
  let y = emit(env, "Conv", ins, attrs, hint, "nct", M, L);
  if (layer.bn) y = batchNorm(env, y, `bn${index}`, 1e-5, rng);
  const acts = activationOps().filter(env.has);
  if (layer.act >= 0 && acts.length > 0) {
    const op = acts[layer.act % acts.length]!;
    const samples = unarySamples(op);
    const params = { ...samples[Math.floor(layer.act / acts.length) % samples.length] } as Record<string, AttrValue>;
    y = unaryLayer(env, y, op, params, `${SHORT[op] ?? op.toLowerCase()}${index}`);
  }
  return y;
}

function reshape(env: LayerEnv, cur: Activation, layer: Extract<Layer, { kind: "Reshape" }>, hint: string): Activation {
  const { C, L } = cur;
  const go = (shape: Dim[], explicit: Dim[], layout: Layout, c: number, l: Dim) =>
    emit(env, "Reshape", [cur.name], { shape: layer.explicit ? explicit : shape }, hint, layout, c, l);
  const canSplit = layer.mode === "split" && C % 2 === 0;
  switch (cur.layout) {
    case "nct":
      // [1,C,L] -> [1,C/2,2L]: each new channel holds two old channels one after the other in time.
      if (canSplit) return go([1, C / 2, -1], [1, C / 2, mulDim(L, 2)], "nct", C / 2, mulDim(L, 2));
      return go([0, 0, -1], [1, C, L], "nct", C, L);
    case "ntc":
      if (layer.mode === "flatten") return go([-1, C], [L, C], "tc", C, L);
      if (canSplit) return go([1, -1, C / 2], [1, mulDim(L, 2), C / 2], "ntc", C / 2, mulDim(L, 2));
      return go([0, 0, -1], [1, L, C], "ntc", C, L);
    case "tc":
      if (layer.mode === "zeros") return go([0, -1], [L, C], "tc", C, L);
      return go([1, -1, C], [1, L, C], "ntc", C, L);
  }
}
