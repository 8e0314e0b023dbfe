// LSTM -> QLSTM and GRU -> QGRU (ir/ops/integer/qlstm.ts, qgru.ts): the compile-time half of the
// integer recurrent layers, used when the quantize pass runs with `rnn=integer`. Layers it cannot
// lower (peepholes, clip, input_forget, other activations, layout 1, no calibrated range) take
// the hybrid lowering instead, so under `rnn=integer` a layer keeps at least int8 weights.
//
// Parameters:
// - x: the input's int8 parameters (its calibrated range); W, R: symmetric int8 per gate row.
// - h: int8 over the calibrated range of Y (else Y_h) joined with initial_h's (so the start state
//   is not clipped), asymmetric unless `symmetric`; Y, Y_h and initial_h share it, so one step's
//   output is the next step's input without rescaling.
// - gate pre-activations: Q3.12 (fixed, no calibration needed: sigmoid and tanh are flat beyond
//   +-8); multipliers s_x s_w[row] 2^12 and s_h s_r[row] 2^12.
// - cell (LSTM): int16 with scale 2^-s, s = 15 - ceil(log2 max|c|) clamped to [0, 15], where
//   max|c| is the calibrated range of the cell state over every step (`calibrateRnnStates`,
//   recorded under `<first output>#cell`). Without it: twice the calibrated range of Y_c (the
//   final state only, hence the headroom), else s = 11 (|c| < 16).
// - biases: B's W half at s_x s_w[row], its R half at s_h s_r[row], int32.
// - tables: sigmoid and tanh over Q3.12, tanh over the cell's own grid, 513 Q0.15 entries.
import { quantizeMultiplier, type QuantizedMultiplier } from "../../ir/fixed-point.js";
import type { Graph, Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { numDirections } from "../../ir/ops/recurrent/common.js";
import { getOp } from "../../ir/registry.js";
import type { Tensor } from "../../ir/types.js";
import type { CalibratedRange } from "../../src/analyses/calibration/calibrate.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { GATE_FRAC_BITS, gateTable, sigmoid } from "../../ir/kernels/integer-rnn.js";
import { cellRange, type LstmStateAttrs } from "../../src/analyses/calibration/rnn-cell-states.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";
import type { LowerFn } from "./lower-ops.js";
import type { Lowering } from "./lowering.js";
import { activationParams, quantizeWeights, sameParams, type QParams } from "./params.js";

/** How the quantize pass treats LSTM/GRU/RNN layers. */
export const RNN_MODES = ["hybrid", "integer", "float"] as const;
export type RnnMode = (typeof RNN_MODES)[number];

/** The cell shift used when nothing about the cell state was calibrated (|c| < 16). */
export const DEFAULT_CELL_SHIFT = 11;

/** The ranges key of an LSTM node's calibrated cell state. */
export function cellRangeKey(n: Node): string {
  return `${n.outputs.find((o) => o) ?? n.name}#cell`;
}

/**
 * Runs the float graph on the samples and records, for every LSTM it could lower to QLSTM, the
 * range of its cell state over all steps, under `cellRangeKey`. Merge the result into the
 * calibration ranges (`{...cal.ranges, ...calibrateRnnStates(g, samples)}`).
 */
export function calibrateRnnStates(graph: Graph, samples: Iterable<Readonly<Record<string, Tensor>>>): Record<string, CalibratedRange> {
  const lstms = graph.nodes.filter((n) => n.op === "LSTM");
  const out: Record<string, { min: number; max: number }> = {};
  if (lstms.length === 0) return out;
  const wanted = new Set(lstms.flatMap((n) => n.inputs.filter((i) => i)));
  for (const sample of samples) {
    const values = new Map<string, Tensor>();
    for (const [k, v] of Object.entries(sample)) if (wanted.has(k)) values.set(k, v);
    runGraph(graph, sample, {
      onNode: (node, outs) => {
        node.outputs.forEach((o, k) => {
          if (wanted.has(o) && outs[k]) values.set(o, outs[k]!);
        });
        if (node.op !== "LSTM") return;
        const inputs = node.inputs.map((i) => (i ? values.get(i) ?? graph.constants[i] : undefined));
        const r = cellRange(inputs, resolveAttrs(getOp("LSTM"), node.attrs) as unknown as LstmStateAttrs);
        if (!r) return;
        const key = cellRangeKey(node);
        const cur = out[key];
        out[key] = cur ? { min: Math.min(cur.min, r.min), max: Math.max(cur.max, r.max) } : r;
      },
    });
  }
  return out;
}

/** s = 15 - ceil(log2 m) in [0, 15]: the most fraction bits whose int16 range holds |c| <= m. */
export function cellShiftFor(maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return maxAbs > 0 ? 0 : 15;
  return Math.max(0, Math.min(15, 15 - Math.ceil(Math.log2(maxAbs))));
}

function cellShiftOf(n: Node, L: Lowering): number {
  const rec = L.ranges[cellRangeKey(n)];
  if (rec) return cellShiftFor(Math.max(-rec.min, rec.max));
  const yc = n.outputs[2] ? L.ranges[n.outputs[2]] : undefined;
  if (yc && Number.isFinite(yc.min) && Number.isFinite(yc.max)) return cellShiftFor(2 * Math.max(-yc.min, yc.max));
  return DEFAULT_CELL_SHIFT;
}

/** The hidden state's int8 parameters: the range of Y (else Y_h) joined with initial_h's. */
function hiddenParams(n: Node, L: Lowering): QParams | undefined {
  const out = n.outputs[0] || n.outputs[1];
  const r = out ? L.ranges[out] : undefined;
  if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max)) return undefined;
  let lo = r.min, hi = r.max;
  const h0 = n.inputs[5];
  if (h0) {
    const c = f32(L.constant(h0));
    const r0 = c ? undefined : L.ranges[h0];
    if (c) for (const v of c) { if (v < lo) lo = v; if (v > hi) hi = v; }
    else if (r0 && Number.isFinite(r0.min) && Number.isFinite(r0.max)) { lo = Math.min(lo, r0.min); hi = Math.max(hi, r0.max); }
  }
  return activationParams(lo, hi, L.options.symmetric);
}

function f32(t: Tensor | undefined): Float32Array | undefined {
  return t && t.data instanceof Float32Array ? t.data : undefined;
}

function isDefaultActs(acts: readonly string[] | undefined, want: readonly string[], D: number): boolean {
  if (!acts || acts.length === 0) return true;
  const list = acts.length === want.length && D === 2 ? [...acts, ...acts] : acts;
  return list.length === want.length * D && list.every((a, i) => a.toLowerCase() === want[i % want.length]);
}

/** Why a node cannot become QLSTM/QGRU (checked before anything is emitted), or its float constants. */
function check(n: Node, L: Lowering, gates: number): string | { W: Float32Array; R: Float32Array; B: Float32Array | undefined; shape: [number, number, number, number] } {
  const a = resolveAttrs(getOp(n.op), n.attrs) as Record<string, unknown>;
  const D = numDirections(a.direction as string);
  if ((a.layout as number) !== 0) return "layout 1 is not lowered to integers";
  const want = gates === 4 ? ["sigmoid", "tanh", "tanh"] : ["sigmoid", "tanh"];
  if (!isDefaultActs(a.activations as string[] | undefined, want, D)) return "only the default activations are lowered to integers";
  if (a.clip !== undefined) return "clip is not lowered to integers";
  if (gates === 4 && (a.input_forget as number) !== 0) return "input_forget is not lowered to integers";
  if (gates === 4 && n.inputs[7]) return "peepholes (P) are not lowered to integers";
  const [x, w, r, b] = n.inputs;
  const wt = L.constant(w!), rt = L.constant(r!), bt = b ? L.constant(b) : undefined;
  if (!f32(wt) || !f32(rt) || wt!.shape.length !== 3 || rt!.shape.length !== 3) return "its weights W and R are not 3-D f32 constants";
  if (b && !f32(bt)) return "its bias B is not an f32 constant";
  if (L.source.types[x!]?.dtype !== "f32") return "its input X is not f32";
  if (!L.intOf.has(x!) && (L.isConstant(x!) || !L.paramsOf(x!))) return `its input ${x} has no calibrated range`;
  const xp = L.intOf.get(x!)?.params ?? L.paramsOf(x!);
  if (xp?.dtype !== "i8") return `its input ${x} is not int8`;
  if (!hiddenParams(n, L)) return "its hidden state (Y or Y_h) has no calibrated range";
  const H = rt!.shape[2]!;
  return { W: f32(wt)!, R: f32(rt)!, B: f32(bt), shape: [D, gates * H, wt!.shape[2]!, H] };
}

/**
 * Value v on the given integer grid: a new constant for a constant, the integer version when it
 * already has these parameters, else a Requantize of its integer version or a Quantize of its
 * float one.
 */
function onGrid(v: string, p: QParams, L: Lowering): string {
  const [lo, hi] = p.dtype === "i8" ? [-128, 127] : [-32768, 32767];
  const c = L.constant(v);
  if (c && c.dtype === "f32") {
    const d = c.data as Float32Array;
    const q = p.dtype === "i8" ? new Int8Array(d.length) : new Int16Array(d.length);
    for (let i = 0; i < d.length; i++) q[i] = Math.min(hi, Math.max(lo, roundHalfEven(d[i]! / p.scale) + p.zeroPoint));
    return L.addConstant(`${v}.q`, { dtype: p.dtype, shape: c.shape, data: q }, {
      dtype: p.dtype, shape: c.shape, quant: { kind: "affine", scale: [p.scale], zeroPoint: [p.zeroPoint] },
    });
  }
  const known = L.intOf.get(v);
  if (known && sameParams(known.params, p)) return known.name;
  const name = L.fresh(`${v}.${p.dtype === "i8" ? "q" : "q16"}`);
  if (known) {
    const m = quantizeMultiplier(known.params.scale / p.scale);
    L.emit("Requantize", [known.name], {
      x_zero_point: known.params.zeroPoint, multiplier: [m.multiplier], shift: [m.shift], rounding: L.options.rounding,
      y_zero_point: p.zeroPoint, out_dtype: p.dtype,
    }, [name], p);
  } else {
    L.emit("Quantize", [L.float(v)], { scale: p.scale, zero_point: p.zeroPoint, out_dtype: p.dtype }, [name], p);
  }
  return name;
}

/** Per-row int8 weights of a [D, rows, cols] float tensor and one scale per (direction, row). */
function rowWeights(w: Float32Array, D: number, rows: number, cols: number, L: Lowering): { q: Int8Array; scales: number[] } {
  const qw = quantizeWeights(w, [D * rows, cols], 0, L.options.perChannel);
  const scales = qw.scales.length === 1 ? new Array<number>(D * rows).fill(qw.scales[0]!) : qw.scales;
  return { q: qw.q, scales };
}

function quantizeHalfBias(v: number, scale: number): number {
  const q = roundHalfEven(v / scale);
  return q < -2147483648 ? -2147483648 : q > 2147483647 ? 2147483647 : q;
}

/** LSTM -> QLSTM, GRU -> QGRU; undefined when lowered, else why not. */
export function lowerIntegerRnn(n: Node, L: Lowering): string | undefined {
  const lstm = n.op === "LSTM";
  if (!lstm && n.op !== "GRU") return `${n.op} has no integer lowering`;
  const gates = lstm ? 4 : 3;
  const ok = check(n, L, gates);
  if (typeof ok === "string") return ok;
  const [D, GH, I, H] = ok.shape;
  const [x, w, r, b, seq, h0, c0] = n.inputs;
  // Every parameter is computed before anything is emitted, so a refusal leaves nothing behind.
  const xp = L.intOf.get(x!)?.params ?? L.paramsOf(x!)!;
  const hp = hiddenParams(n, L)!;
  const qw = rowWeights(ok.W, D, GH, I, L), qr = rowWeights(ok.R, D, GH, H, L);
  const sx = xp.scale, sh = hp.scale;
  const bias = new Int32Array(D * 2 * GH);
  if (ok.B) {
    for (let d = 0; d < D; d++) {
      for (let j = 0; j < GH; j++) {
        const row = d * GH + j;
        bias[d * 2 * GH + j] = quantizeHalfBias(ok.B[d * 2 * GH + j]!, sx * qw.scales[row]!);
        bias[d * 2 * GH + GH + j] = quantizeHalfBias(ok.B[d * 2 * GH + GH + j]!, sh * qr.scales[row]!);
      }
    }
  }
  let xm: QuantizedMultiplier[], hm: QuantizedMultiplier[], out: QuantizedMultiplier;
  try {
    xm = qw.scales.map((s) => quantizeMultiplier(sx * s * 2 ** GATE_FRAC_BITS));
    hm = qr.scales.map((s) => quantizeMultiplier(sh * s * 2 ** GATE_FRAC_BITS));
    out = quantizeMultiplier(2 ** -30 / sh);
  } catch (e) {
    return `its scales need a multiplier outside the fixed-point range (${(e as Error).message})`;
  }
  const xi = L.int(x!)!;
  const wName = L.addConstant(`${w}.q`, { dtype: "i8", shape: [D, GH, I], data: qw.q });
  const rName = L.addConstant(`${r}.q`, { dtype: "i8", shape: [D, GH, H], data: qr.q });
  const bName = L.addConstant(`${b || n.name + ".B"}.q`, { dtype: "i32", shape: [D, 2 * GH], data: bias });
  const src = resolveAttrs(getOp(n.op), n.attrs) as Record<string, unknown>;
  const attrs: Record<string, number | string | number[]> = {
    hidden_size: H, direction: src.direction as string, x_zero_point: xi.params.zeroPoint, h_zero_point: hp.zeroPoint,
    rounding: L.options.rounding,
    x_multiplier: xm.map((m) => m.multiplier), x_shift: xm.map((m) => m.shift),
    h_multiplier: hm.map((m) => m.multiplier), h_shift: hm.map((m) => m.shift),
    out_multiplier: out.multiplier, out_shift: out.shift,
    sigmoid_table: gateTable(sigmoid, GATE_FRAC_BITS), tanh_table: gateTable(Math.tanh, GATE_FRAC_BITS),
  };
  const inputs = [xi.name, wName, rName, bName, seq ? L.float(seq) : "", h0 ? onGrid(h0, hp, L) : ""];
  let cp: QParams | undefined;
  if (lstm) {
    const s = cellShiftOf(n, L);
    cp = { dtype: "i16", scale: 2 ** -s, zeroPoint: 0 };
    attrs.cell_shift = s;
    attrs.cell_tanh_table = gateTable(Math.tanh, s);
    inputs.push(c0 ? onGrid(c0, cp, L) : "");
  } else {
    attrs.linear_before_reset = src.linear_before_reset as number;
  }
  while (inputs.length > 3 && inputs[inputs.length - 1] === "") inputs.pop();
  const params = [hp, hp, cp];
  const outs = n.outputs.map((o) => (o ? L.fresh(`${o}.q`) : ""));
  L.emit(lstm ? "QLSTM" : "QGRU", inputs, attrs, outs, hp);
  outs.forEach((o, k) => {
    const p = params[k];
    if (!o || !p) return;
    L.types[o] = { ...L.types[o]!, quant: { kind: "affine", scale: [p.scale], zeroPoint: [p.zeroPoint] } };
    L.setInt(n.outputs[k]!, o, p);
  });
  return undefined;
}

/**
 * The LOWERINGS entry of LSTM and GRU: integer when the pass runs with rnn=integer and the layer
 * allows it, else `hybrid` (which itself declines under rnn=float).
 */
export function recurrentLowering(hybrid: LowerFn): LowerFn {
  return (n, L) => {
    if (L.options.rnn !== "integer") return hybrid(n, L);
    const why = lowerIntegerRnn(n, L);
    if (why === undefined) return undefined;
    const fallback = hybrid(n, L);
    if (fallback === undefined) L.notes.set(n.name, `hybrid: rnn=integer declined, ${why}`);
    return fallback === undefined ? undefined : `${why}, and the hybrid mode declined too: ${fallback}`;
  };
}
