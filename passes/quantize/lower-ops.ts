// How each float op becomes integer ops. Every function either lowers the node (emitting
// integer nodes and recording its outputs' int8 versions) and returns undefined, or returns the
// reason it cannot, in which case the pass keeps the node in float. Two lowerings come from the
// ops' traits rather than from names here: every unary element-wise op becomes a 256-entry
// table of its own function (lowerLookup), and every op that moves int8 data without arithmetic
// runs on the int8 value itself (lowerPassThrough); `lowerFor` picks the lowering of an op.
import { activationOf } from "../../ir/activation.js";
import { quantizeMultiplier } from "../../ir/fixed-point.js";
import type { Attrs, Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { isUnaryElementwise, passesInt8Through } from "../../ir/traits.js";
import type { Tensor } from "../../ir/types.js";
import type { Lowering } from "./lowering.js";
import { recurrentLowering } from "./lower-rnn.js";
import { lowerLayerNorm } from "./lower-norm.js";
import { lowerMatMulAct } from "./lower-matmul-act.js";
import { activationClamp, biasFits, quantizeBias, quantizeTable, quantizeWeights, quantizeWeightsTo, sameParams, type QParams } from "./params.js";

export type LowerFn = (n: Node, L: Lowering) => string | undefined;

/** Whether the node was chosen for the 16x8 mode (by its name or its output's). */
function is16x8(n: Node, L: Lowering): boolean {
  return L.options.int16.has(n.name) || L.options.int16.has(n.outputs[0]!);
}

/** The output a layer is known by in `L.spectralLayers`. */
const o16 = (n: Node) => n.outputs[0]!;

/**
 * The layer's weights: int16 for a spectral layer (the 16x16 mode: a log energy reads its output
 * wide, ./lower-log-energy.ts) when its bias fits int32 at the finer scale, else int8.
 */
function weightsFor(spectral: boolean, w: Float32Array, shape: number[], axis: number, bias: Float64Array, sx: number, L: Lowering, n: Node): { q: Int8Array | Int16Array; scales: number[] } {
  if (spectral) {
    const w16 = quantizeWeightsTo(16, w, shape, axis, L.options.perChannel);
    if (biasFits(bias, sx, w16.scales)) {
      L.notes.set(n.name, "16x16: int16 input and weights, its output read wide by a log energy");
      return w16;
    }
    L.notes.set(n.name, "16x8: its bias does not fit int32 at the scale of int16 weights, so they stay int8");
  }
  return quantizeWeights(w, shape, axis, L.options.perChannel);
}

const WINDOW_ATTRS = ["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"] as const;

function f32(t: Tensor | undefined): Float32Array | undefined {
  return t && t.data instanceof Float32Array ? t.data : undefined;
}

function requant(real: readonly number[]): { multiplier: number[]; shift: number[] } {
  const q = real.map(quantizeMultiplier);
  return { multiplier: q.map((m) => m.multiplier), shift: q.map((m) => m.shift) };
}

function outParams(n: Node, L: Lowering): QParams | string {
  const o = n.outputs[0]!;
  if (L.source.types[o]?.dtype !== "f32") return `its output ${o} is not f32`;
  return L.paramsOf(o) ?? `its output ${o} has no calibrated range`;
}

/** Output name and bookkeeping shared by the single-output lowerings. */
function finishInt(n: Node, L: Lowering, op: string, inputs: string[], attrs: Attrs, p: QParams): undefined {
  const o = n.outputs[0]!;
  const name = L.fresh(`${o}.q`);
  L.emit(op, inputs, attrs, [name], p);
  L.setInt(o, name, p);
  return undefined;
}

const lowerConv: LowerFn = (n, L) => {
  const [x, w, b] = n.inputs;
  const a = resolveAttrs(getOp("Conv"), n.attrs);
  const wt = L.constant(w!), wd = f32(wt);
  if (!wd) return "its weights are not an f32 constant";
  const bt = b ? L.constant(b) : undefined;
  if (b && !f32(bt)) return "its bias is not an f32 constant";
  const act = activationOf(a);
  const p = outParams(n, L);
  if (typeof p === "string") return p;
  const clamp = activationClamp(act, p);
  if (!clamp) return `a fused ${act!.kind} is not a clamp (the pass writes it as its own node first)`;
  const spectral = L.spectralLayers.has(o16(n));
  const xi = spectral || is16x8(n, L) ? L.int16(x!) : L.int(x!);
  if (!xi) return `its input ${x} has no calibrated range`;
  const M = wt!.shape[0]!;
  const sx = xi.params.scale;
  const bias = new Float64Array(M);
  if (bt) bias.set(f32(bt)!);
  const qw = weightsFor(spectral, wd, wt!.shape as number[], 0, bias, sx, L, n);
  if (L.options.biasCorrection && qw.q instanceof Int8Array) correctBias(bias, wd, { q: qw.q, scales: qw.scales }, wt!.shape, a.group as number, L.ranges[x!]?.channelMean);
  const wScale = (m: number) => qw.scales[qw.scales.length === 1 ? 0 : m]!;
  const bq = quantizeBias(bias, sx, qw.scales);
  const wDtype = qw.q instanceof Int16Array ? "i16" : "i8";
  const wName = L.addConstant(`${w}.q`, { dtype: wDtype, shape: wt!.shape, data: qw.q }, {
    dtype: wDtype, shape: wt!.shape,
    quant: { kind: "affine", scale: qw.scales, zeroPoint: qw.scales.map(() => 0), ...(qw.scales.length > 1 ? { axis: 0 } : {}) },
  });
  const bName = L.addConstant(`${b || n.name + ".b"}.q`, { dtype: "i32", shape: [M], data: bq }, {
    dtype: "i32", shape: [M], quant: { kind: "affine", scale: Array.from({ length: M }, (_, m) => sx * wScale(m)), zeroPoint: new Array<number>(M).fill(0), axis: 0 },
  });
  const attrs: Record<string, Attrs[string]> = {};
  for (const k of WINDOW_ATTRS) if (n.attrs[k] !== undefined) attrs[k] = n.attrs[k]!;
  const rq = requant(qw.scales.map((s) => (sx * s) / p.scale));
  Object.assign(attrs, {
    x_zero_point: xi.params.zeroPoint, ...rq, rounding: L.options.rounding, y_zero_point: p.zeroPoint,
    qmin: clamp.qmin, qmax: clamp.qmax, out_dtype: p.dtype,
  });
  return finishInt(n, L, "QConv", [xi.name, wName, bName], attrs, p);
};

/**
 * Bias correction: the expected output error of quantized weights, E[(W - Wq) x], is
 * sum_{c,k} (W - Wq)[m,c,k] * mean_x[c] per output channel m; adding it to the bias cancels it
 * (padding makes this approximate at the edges).
 */
function correctBias(bias: Float64Array, w: Float32Array, qw: { q: Int8Array; scales: number[] }, shape: readonly number[], group: number, mean: readonly number[] | undefined): void {
  if (!mean) return;
  const M = shape[0]!, Cg = shape[1]!, KS = w.length / (M * Cg), Mg = M / group;
  for (let m = 0; m < M; m++) {
    const s = qw.scales[qw.scales.length === 1 ? 0 : m]!;
    const c0 = Math.floor(m / Mg) * Cg;
    let corr = 0;
    for (let c = 0; c < Cg; c++) {
      const mu = mean[c0 + c];
      if (mu === undefined) return;
      for (let k = 0; k < KS; k++) {
        const i = (m * Cg + c) * KS + k;
        corr += (w[i]! - qw.q[i]! * s) * mu;
      }
    }
    bias[m] += corr;
  }
}

/** MatMul x[...,K] * W[K,N] and Gemm A[M,K] * B (+ C) with constant weights. */
const lowerMatMul: LowerFn = (n, L) => {
  const isGemm = n.op === "Gemm";
  // A MatMul of two activations (attention) has its own int8 x int8 lowering.
  if (!isGemm && !L.isConstant(n.inputs[1]!)) return lowerMatMulAct(n, L);
  const [x, w, c] = n.inputs;
  const a = resolveAttrs(getOp(n.op), n.attrs) as Record<string, unknown>;
  const wt = L.constant(w!), wd = f32(wt);
  if (!wd || wt!.shape.length !== 2) return "its weights are not a 2-D f32 constant";
  if (isGemm && a["transA"]) return "Gemm with transA is not lowered";
  const alpha = isGemm ? (a["alpha"] as number) : 1, beta = isGemm ? (a["beta"] as number) : 1;
  const transB = isGemm && a["transB"];
  const [K, N] = transB ? [wt!.shape[1]!, wt!.shape[0]!] : [wt!.shape[0]!, wt!.shape[1]!];
  const weights = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) weights[k * N + j] = alpha * wd[transB ? j * K + k : k * N + j]!;
  const bias = new Float64Array(N);
  if (c) {
    const ct = L.constant(c), cd = f32(ct);
    if (!cd) return "its C input is not an f32 constant";
    if (cd.length === 1) bias.fill(beta * cd[0]!);
    else if (cd.length === N) for (let j = 0; j < N; j++) bias[j] = beta * cd[j]!;
    else return "its C input is not a scalar or a row of N values";
  }
  const act = activationOf(a as { activation?: string; activation_params?: number[] });
  const p = outParams(n, L);
  if (typeof p === "string") return p;
  const clamp = activationClamp(act, p);
  if (!clamp) return `a fused ${act!.kind} is not a clamp (the pass writes it as its own node first)`;
  const spectral = L.spectralLayers.has(o16(n));
  const xi = spectral || is16x8(n, L) ? L.int16(x!) : L.int(x!);
  if (!xi) return `its input ${x} has no calibrated range`;
  const sx = xi.params.scale;
  // Per output column: the weights' channel axis is 1.
  const qw = weightsFor(spectral, weights, [K, N], 1, bias, sx, L, n);
  const bq = quantizeBias(bias, sx, qw.scales);
  const wDtype = qw.q instanceof Int16Array ? "i16" : "i8";
  const wName = L.addConstant(`${w}.q`, { dtype: wDtype, shape: [K, N], data: qw.q }, {
    dtype: wDtype, shape: [K, N],
    quant: { kind: "affine", scale: qw.scales, zeroPoint: qw.scales.map(() => 0), ...(qw.scales.length > 1 ? { axis: 1 } : {}) },
  });
  const bName = L.addConstant(`${c || n.name + ".b"}.q`, { dtype: "i32", shape: [N], data: bq });
  const rq = requant(qw.scales.map((s) => (sx * s) / p.scale));
  return finishInt(n, L, "QMatMul", [xi.name, wName, bName], {
    x_zero_point: xi.params.zeroPoint, ...rq, rounding: L.options.rounding, y_zero_point: p.zeroPoint,
    qmin: clamp.qmin, qmax: clamp.qmax, out_dtype: p.dtype,
  }, p);
};

const LEFT_SHIFT = 20;

/** True when v can be read as int8 (checked before emitting anything, so a refusal leaves no dead Quantize). */
function canInt(v: string, L: Lowering): boolean {
  if (L.intOf.has(v)) return true;
  if (L.isConstant(v)) return L.constant(v)!.dtype === "f32";
  return L.paramsOf(v) !== undefined;
}

const lowerAdd: LowerFn = (n, L) => {
  const p = outParams(n, L);
  if (typeof p === "string") return p;
  const act = activationOf(resolveAttrs(getOp(n.op), n.attrs) as { activation?: string });
  const clamp = activationClamp(act, p);
  if (!clamp) return `a fused ${act!.kind} is not a clamp (the pass writes it as its own node first)`;
  if (!n.inputs.every((v) => canInt(v, L))) return "an input has no calibrated range";
  const [a, b] = n.inputs.map((v) => L.int(v));
  if (!a || !b) return "an input has no calibrated range";
  const twiceMax = 2 * Math.max(a.params.scale, b.params.scale);
  const [ra, rb] = [requant([a.params.scale / twiceMax]), requant([b.params.scale / twiceMax])];
  const out = requant([twiceMax / (2 ** LEFT_SHIFT * p.scale)]);
  return finishInt(n, L, "QAdd", [a.name, b.name], {
    a_zero_point: a.params.zeroPoint, b_zero_point: b.params.zeroPoint, left_shift: LEFT_SHIFT,
    a_multiplier: ra.multiplier[0]!, a_shift: ra.shift[0]!, b_multiplier: rb.multiplier[0]!, b_shift: rb.shift[0]!,
    ...out, rounding: L.options.rounding, y_zero_point: p.zeroPoint, qmin: clamp.qmin, qmax: clamp.qmax, out_dtype: p.dtype,
  }, p);
};

const lowerMul: LowerFn = (n, L) => {
  const p = outParams(n, L);
  if (typeof p === "string") return p;
  if (!n.inputs.every((v) => canInt(v, L))) return "an input has no calibrated range";
  const [a, b] = n.inputs.map((v) => L.int(v));
  if (!a || !b) return "an input has no calibrated range";
  return finishInt(n, L, "QMul", [a.name, b.name], {
    a_zero_point: a.params.zeroPoint, b_zero_point: b.params.zeroPoint,
    ...requant([(a.params.scale * b.params.scale) / p.scale]), rounding: L.options.rounding, y_zero_point: p.zeroPoint, out_dtype: "i8",
  }, p);
};

const lowerConcat: LowerFn = (n, L) => {
  const p = outParams(n, L);
  if (typeof p === "string") return p;
  if (!n.inputs.every((v) => canInt(v, L))) return "an input has no calibrated range";
  const ins = n.inputs.map((v) => L.int(v));
  if (ins.some((i) => !i)) return "an input has no calibrated range";
  const xs = ins as { name: string; params: QParams }[];
  const mult: number[] = [], shift: number[] = [];
  for (const x of xs) {
    if (sameParams(x.params, p)) {
      mult.push(0);
      shift.push(0);
    } else {
      const r = requant([x.params.scale / p.scale]);
      mult.push(r.multiplier[0]!);
      shift.push(r.shift[0]!);
    }
  }
  return finishInt(n, L, "QConcat", xs.map((x) => x.name), {
    axis: resolveAttrs(getOp("Concat"), n.attrs)["axis"] as number,
    x_zero_points: xs.map((x) => x.params.zeroPoint), multipliers: mult, shifts: shift,
    rounding: L.options.rounding, y_zero_point: p.zeroPoint, out_dtype: "i8",
  }, p);
};

/** A unary float op as a table: its own kernel evaluated on the 256 dequantized inputs. */
const lowerLookup: LowerFn = (n, L) => {
  const [x, ...rest] = n.inputs;
  if (rest.some((r) => r && !L.isConstant(r))) return "its extra inputs are not constants";
  const p = outParams(n, L);
  if (typeof p === "string") return p;
  const xi = L.int(x!);
  if (!xi) return `its input ${x} has no calibrated range`;
  const grid = new Float32Array(256);
  for (let i = 0; i < 256; i++) grid[i] = xi.params.scale * (i - 128 - xi.params.zeroPoint);
  const def = getOp(n.op);
  const args = [{ dtype: "f32" as const, shape: [256], data: grid }, ...rest.map((r) => (r ? L.constant(r) : undefined))];
  const [y] = def.evaluate(args, resolveAttrs(def, n.attrs), { numOutputs: 1 });
  return finishInt(n, L, "QLookup", [xi.name], { table: quantizeTable(y!.data as Float32Array, p), out_dtype: "i8" }, p);
};

/** Data movement on int8: the same op on the int version, whose parameters pass through (to every output: Split). */
const lowerPassThrough: LowerFn = (n, L) => {
  const [x, ...rest] = n.inputs;
  const xi = L.intOf.get(x!);
  // Only worth it when the input is already an integer value (no Quantize just for a Reshape).
  if (!xi) return "its input is not quantized";
  const inputs = [xi.name, ...rest.map((r) => L.float(r))];
  const names = n.outputs.map((o) => (o ? L.fresh(`${o}.q`) : ""));
  try {
    L.emit(n.op, inputs, n.attrs, names, xi.params);
  } catch (e) {
    return `${n.op} does not take int8 (${e instanceof Error ? e.message : String(e)})`;
  }
  n.outputs.forEach((o, k) => {
    if (!o) return;
    if (k > 0) L.annotate(names[k]!, xi.params);
    L.setInt(o, names[k]!, xi.params);
  });
  return undefined;
};

/**
 * Softmax and LogSoftmax along one axis (ir/ops/integer/qsoftmax.ts): the exp and log tables are
 * computed here. Softmax outputs have the fixed scale 1/256 (zero point -128).
 */
const lowerSoftmax: LowerFn = (n, L) => {
  const a = resolveAttrs(getOp(n.op), n.attrs) as { axis: number; flatten: number };
  if (a.flatten) return "softmax over flattened axes (flatten=1) is not lowered";
  const log = n.op === "LogSoftmax";
  const p: QParams | string = log ? outParams(n, L) : { dtype: "i8", scale: 1 / 256, zeroPoint: -128 };
  if (typeof p === "string") return p;
  if (!log && L.source.types[n.outputs[0]!]?.dtype !== "f32") return "its output is not f32";
  const xi = L.int(n.inputs[0]!);
  if (!xi) return `its input ${n.inputs[0]} has no calibrated range`;
  const sx = xi.params.scale;
  const expTable = Array.from({ length: 256 }, (_, d) => Math.round(32768 * Math.exp(-sx * d)));
  if (!log) return finishInt(n, L, "QSoftmax", [xi.name], { axis: a.axis, exp_table: expTable, y_zero_point: p.zeroPoint, out_dtype: "i8" }, p);
  const xm = quantizeMultiplier(sx / p.scale), lm = quantizeMultiplier(1 / (65536 * p.scale));
  return finishInt(n, L, "QLogSoftmax", [xi.name], {
    axis: a.axis, exp_table: expTable,
    log_table: Array.from({ length: 256 }, (_, m) => Math.round(65536 * Math.log(1 + (m + 0.5) / 256))),
    ln2_q16: Math.round(65536 * Math.LN2),
    x_multiplier: xm.multiplier, x_shift: xm.shift, log_multiplier: lm.multiplier, log_shift: lm.shift,
    rounding: L.options.rounding, y_zero_point: p.zeroPoint, out_dtype: "i8",
  }, p);
};

/** The hybrid mode of recurrent layers: W and R as int8 rows, everything else float. */
const lowerHybrid: LowerFn = (n, L) => {
  if (L.options.rnn === "float") return "rnn=float keeps recurrent layers in float";
  const [x, w, r, ...rest] = n.inputs;
  const wt = L.constant(w!), rt = L.constant(r!);
  if (!f32(wt) || !f32(rt) || wt!.shape.length !== 3 || rt!.shape.length !== 3) return "its weights W and R are not 3-D f32 constants";
  const q = (t: Tensor, v: string) => {
    const [nd, rows, cols] = t.shape as [number, number, number];
    const qw = quantizeWeights(t.data as Float32Array, [nd * rows, cols], 0, L.options.perChannel);
    const scales = qw.scales.length === 1 ? new Array<number>(nd * rows).fill(qw.scales[0]!) : qw.scales;
    return { name: L.addConstant(`${v}.q`, { dtype: "i8", shape: t.shape, data: qw.q }), scales };
  };
  const qw = q(wt!, w!), qr = q(rt!, r!);
  L.emit(`Hybrid${n.op}`, [L.float(x!), qw.name, qr.name, ...rest.map((v) => L.float(v))], { ...n.attrs, w_scales: qw.scales, r_scales: qr.scales }, n.outputs);
  for (const o of n.outputs) if (o) L.setFloat(o);
  return undefined;
};

/** Lowerings of particular ops; the unary and pass-through ones come from traits (lowerFor). */
const LOWERINGS: Readonly<Record<string, LowerFn>> = {
  Softmax: lowerSoftmax,
  LogSoftmax: lowerSoftmax,
  LayerNormalization: lowerLayerNorm,
  LSTM: recurrentLowering(lowerHybrid),
  GRU: recurrentLowering(lowerHybrid),
  RNN: lowerHybrid,
  Conv: lowerConv,
  MatMul: lowerMatMul,
  Gemm: lowerMatMul,
  Add: lowerAdd,
  Mul: lowerMul,
  Concat: lowerConcat,
};

/** How `op` becomes integer ops, or undefined when it stays in float. */
export function lowerFor(op: string): LowerFn | undefined {
  return LOWERINGS[op] ?? (isUnaryElementwise(op) ? lowerLookup : passesInt8Through(op) ? lowerPassThrough : undefined);
}

/** How `op` runs under --int8, for the op-coverage table: its own integer lowering, a table, data movement, or float. */
export function int8FormOf(op: string): "integer" | "table" | "pass-through" | undefined {
  if (LOWERINGS[op]) return "integer";
  if (isUnaryElementwise(op)) return "table";
  return passesInt8Through(op) ? "pass-through" : undefined;
}
