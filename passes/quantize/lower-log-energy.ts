// Log power spectra and log filterbank energies, Log(Clip(MatMul(Add(Mul(re, re), Mul(im, im)),
// bank))) and its other forms (no im, no bank, no floor; Log(Add(E, eps)) instead of the Clip),
// as one QLogEnergy
// (ir/ops/integer/qlog-energy.ts) instead of QMul, QAdd, QMatMul and a Log table. An 8-bit
// power, or an 8-bit filterbank energy, zeroes the quiet bins and bands (40-100 dB below the
// loudest frame), so their log reads the floor where the float model reads a low noise level.
//
// Wide halves: where re and im come straight from a Conv, MatMul or Gemm with constant weights
// (through data movement only: Unsqueeze, Transpose, Reshape...), those layers run 16x16 (int16
// input, int16 weights: int8 weights' rounding leaks every loud bin into the quiet ones about
// 48 dB down, which caps a log-mel front end near 29 dB SQNR; docs/quantization.md) and
// requantize their accumulators to int16 on one shared scale instead of int8 (90 dB for the
// halves, 180 dB for the power), and the data movement carries the int16 values. Otherwise the halves are read at
// whatever integer precision they have, and when their scales differ both are requantized to
// one int16 scale.
//
// The groups are found before the lowering walks the nodes: their members are held back until
// the Log, which lowers the group in one node, or, when it cannot, lowers them one by one.
import type { Graph, Node } from "../../ir/graph.js";
import { activationOf } from "../../ir/activation.js";
import { quantizeMultiplier } from "../../ir/fixed-point.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { movesData } from "../../ir/traits.js";
import { LOG2_FRAC_BITS, NO_FLOOR } from "../../ir/ops/integer/qlog-energy.js";
import type { CalibratedRange } from "../../src/analyses/calibration/calibrate.js";
import type { Lowering } from "./lowering.js";
import { valueUses } from "./value-uses.js";
import { int16Params, quantizeWeights, sameParams, type QParams } from "./params.js";
import { intRange } from "../../ir/dtype.js";

/** One log-energy pattern: the Log, the nodes it absorbs, the halves, the bank and the floor. */
export interface LogEnergyGroup {
  readonly log: Node;
  /** The squares, their sum, the bank's MatMul and the Clip, in graph order. */
  readonly members: readonly Node[];
  readonly re: string;
  readonly im: string | undefined;
  /** Data movement between the power and the bank (or the Log), applied to re and im, power side first. */
  readonly moves: readonly Node[];
  /** The constant [K, M] filterbank, or undefined. */
  readonly bank: string | undefined;
  /** The smallest energy (the Clip's min before the Log); 0 for none. */
  readonly eps: number;
  /** The constant added to the energy before the Log (log(E + eps)); 0 for none. */
  readonly added: number;
  /** Values from the layers that make re and im to re and im, which are computed in int16. */
  readonly wide: readonly string[];
  /** Outputs of those layers (Conv, MatMul, Gemm), which run 16x16: int16 input and weights. */
  readonly layers: readonly string[];
}

const PRODUCERS = new Set(["Conv", "MatMul", "Gemm"]);

/** Every log-energy pattern of `g` whose intermediate values feed nothing else, by Log node name. */
export function findLogEnergies(g: Graph): Map<string, LogEnergyGroup> {
  const { producer, reads, isOutput, only } = valueUses(g);
  const constant = (v: string | undefined) => (v ? g.constants[v] : undefined);
  const private_ = (v: string, op?: string) => {
    const n = producer(v);
    return n && only(v) && (op === undefined || n.op === op) ? n : undefined;
  };
  const square = (v: string): { node: Node; of: string } | undefined => {
    const n = private_(v, "Mul");
    return n && n.inputs.length === 2 && n.inputs[0] === n.inputs[1] && !constant(n.inputs[0]) ? { node: n, of: n.inputs[0]! } : undefined;
  };
  /** The clamp's min when `n` carries a fused Clip with min >= 0 and no max (or no activation: 0); undefined otherwise. */
  const floorOfFused = (n: Node): number | undefined => {
    const act = activationOf(resolveAttrs(getOp(n.op), n.attrs) as { activation?: string; activation_params?: number[] });
    if (!act) return 0;
    if (act.kind !== "Clip" || !(act.params[0]! >= 0) || act.params[1] !== Infinity) return undefined;
    return act.params[0]!;
  };
  /** The values between a producing layer and `v` (both ends included), when `v` is such a layer's output moved only. */
  const wideChain = (v: string): string[] => {
    if (reads(v) !== 2 || isOutput(v)) return []; // read by its square only
    const chain = [v];
    for (let n = producer(v); n; n = producer(n.inputs[0]!)) {
      if (PRODUCERS.has(n.op)) return constant(n.inputs[1]) && n.outputs.length === 1 ? chain : [];
      if (!movesData(n.op) || n.outputs.filter(Boolean).length !== 1) return [];
      const x = n.inputs[0]!;
      if (!only(x) || constant(x)) return [];
      chain.push(x);
    }
    return [];
  };

  const found = new Map<string, LogEnergyGroup>();
  for (const log of g.nodes) {
    if (log.op !== "Log") continue;
    const members: Node[] = [];
    let v = log.inputs[0]!;
    let eps = 0;
    const clip = private_(v, "Clip");
    if (clip) {
      const c = resolveAttrs(getOp("Clip"), clip.attrs) as { min?: number; max?: number };
      if (clip.inputs.length > 1 || !(typeof c.min === "number" && c.min >= 0) || (c.max !== undefined && c.max !== Infinity)) continue;
      eps = c.min;
      members.push(clip);
      v = clip.inputs[0]!;
    }
    // log(E + added): an Add of one positive constant (a scalar) before the Log.
    let added = 0;
    const plus = clip ? undefined : private_(v, "Add");
    const addend = plus && plus.inputs.length === 2 ? plus.inputs.map(constant) : [];
    const at = addend.findIndex((t) => t && t.dtype === "f32" && t.data.length === 1 && (t.data as Float32Array)[0]! > 0);
    if (plus && at >= 0 && !addend[1 - at]) {
      added = (addend[at]!.data as Float32Array)[0]!;
      members.push(plus);
      v = plus.inputs[1 - at]!;
    }
    let bank: string | undefined;
    const mm = private_(v, "MatMul");
    if (mm) {
      const w = constant(mm.inputs[1]);
      const fused = floorOfFused(mm);
      if (!w || w.dtype !== "f32" || w.shape.length !== 2 || fused === undefined) continue;
      if ((w.data as Float32Array).some((x) => x < 0)) continue; // a bank of negative weights has no log
      if (clip && fused > 0) continue;
      eps = Math.max(eps, fused);
      bank = mm.inputs[1]!;
      members.push(mm);
      v = mm.inputs[0]!;
    }
    // Data movement between the power and the bank or the Log (a Transpose putting the bins last)
    // commutes with the squares and the sum: it is applied to re and im instead.
    const moves: Node[] = [];
    for (let mv = private_(v); mv && movesData(mv.op) && mv.outputs.filter(Boolean).length === 1 && mv.inputs.slice(1).every((i) => !i || constant(i)); mv = private_(v)) {
      moves.unshift(mv);
      members.push(mv);
      v = mv.inputs[0]!;
    }
    let re: string, im: string | undefined;
    const add = private_(v, "Add");
    if (add && add.inputs.length === 2) {
      const a = square(add.inputs[0]!), b = square(add.inputs[1]!);
      if (!a || !b || a.node === b.node) continue;
      members.push(add, a.node, b.node);
      [re, im] = [a.of, b.of];
    } else {
      const a = square(v);
      if (!a) continue;
      members.push(a.node);
      re = a.of;
    }
    const chains = [re, ...(im ? [im] : [])].map(wideChain);
    const whole = chains.every((c) => c.length > 0);
    found.set(log.name, {
      log, members: members.sort((x, y) => g.nodes.indexOf(x) - g.nodes.indexOf(y)), re, im, moves, bank, eps, added,
      wide: whole ? chains.flat() : [], layers: whole ? chains.map((c) => c[c.length - 1]!) : [],
    });
  }
  return found;
}

/**
 * The shared int16 parameters of each group's wide values (symmetric over all their ranges, so
 * re and im get one scale); groups whose values lack ranges are left out.
 */
export function wideParams(groups: Iterable<LogEnergyGroup>, ranges: Readonly<Record<string, CalibratedRange>>): Map<string, QParams> {
  const out = new Map<string, QParams>();
  for (const g of groups) {
    if (g.wide.length === 0) continue;
    const rs = g.wide.map((v) => ranges[v]);
    if (rs.some((r) => !r || !Number.isFinite(r.min) || !Number.isFinite(r.max))) continue;
    const p = int16Params(Math.min(...rs.map((r) => r!.min)), Math.max(...rs.map((r) => r!.max)));
    for (const v of g.wide) out.set(v, p);
  }
  return out;
}

/**
 * The halves on one scale, as QLogEnergy reads them: as they are when they agree, else each
 * requantized to symmetric int16 over both their ranges (finer than either int8 grid, so the
 * step adds at most half an int16 step).
 */
function onOneScale(halves: { name: string; params: QParams }[], L: Lowering): [{ name: string; params: QParams }, { name: string; params: QParams } | undefined] {
  const [a, b] = halves as [{ name: string; params: QParams }, { name: string; params: QParams } | undefined];
  if (!b || sameParams(a.params, b.params)) return [a, b];
  const [lo, hi] = [Math.min(...halves.map((h) => h.params.scale * (intRange(h.params.dtype)[0] - h.params.zeroPoint))), Math.max(...halves.map((h) => h.params.scale * (intRange(h.params.dtype)[1] - h.params.zeroPoint)))];
  const p = int16Params(lo, hi);
  const moved = halves.map((h) => {
    const name = L.fresh(`${h.name}.q16`);
    const m = quantizeMultiplier(h.params.scale / p.scale);
    L.emit("Requantize", [h.name], {
      x_zero_point: h.params.zeroPoint, multiplier: [m.multiplier], shift: [m.shift], rounding: L.options.rounding, y_zero_point: 0, out_dtype: "i16",
    }, [name], p);
    return { name, params: p };
  });
  return [moved[0]!, moved[1]];
}

/** A half through the group's data movement (the same ops and attributes, on the integer values). */
function moved(h: { name: string; params: QParams }, moves: readonly Node[], L: Lowering): { name: string; params: QParams } {
  let name = h.name;
  for (const mv of moves) {
    const out = L.fresh(`${h.name}.${mv.op.toLowerCase()}`);
    L.emit(mv.op, [name, ...mv.inputs.slice(1).map((i) => L.float(i))], mv.attrs, [out], h.params);
    name = out;
  }
  return { name, params: h.params };
}

/** Lowers the group to QLogEnergy; returns why not (the group is then lowered node by node). */
export function lowerLogEnergy(group: LogEnergyGroup, L: Lowering): string | undefined {
  const y = group.log.outputs[0]!;
  if (L.source.types[y]?.dtype !== "f32") return `its output ${y} is not f32`;
  const p = L.paramsOf(y);
  if (!p) return `its output ${y} has no calibrated range`;
  const halves = [L.int(group.re), ...(group.im ? [L.int(group.im)] : [])];
  if (halves.some((h) => !h)) return "a half of the spectrum has no calibrated range";
  const [h0, h1] = onOneScale(halves as { name: string; params: QParams }[], L);
  const re = moved(h0, group.moves, L), im = h1 && moved(h1, group.moves, L);
  let bankName = "";
  let bankScales = [1];
  if (group.bank) {
    const w = L.constant(group.bank)!;
    const qw = quantizeWeights(w.data as Float32Array, w.shape as number[], 1, true);
    bankScales = qw.scales;
    bankName = L.addConstant(`${group.bank}.q`, { dtype: "i8", shape: w.shape, data: qw.q }, {
      dtype: "i8", shape: w.shape, quant: { kind: "affine", scale: qw.scales, zeroPoint: qw.scales.map(() => 0), axis: 1 },
    });
  }
  const one = 2 ** LOG2_FRAC_BITS;
  const s2 = re.params.scale * re.params.scale;
  const offsets = bankScales.map((b) => Math.round(one * Math.log2(s2 * b)));
  const floor = group.eps > 0 ? Math.round(one * Math.log2(group.eps)) : NO_FLOOR;
  // The added constant on each column's integer grid (s^2 b_m per unit of E).
  const addends = group.added > 0 ? bankScales.map((b) => Math.round(group.added / (s2 * b))) : [];
  if (addends.some((e) => e >= 2 ** 52)) return `the added ${group.added} is beyond 2^52 steps of the energy's integer grid`;
  const m = quantizeMultiplier(Math.LN2 / (one * p.scale));
  const name = L.fresh(`${y}.q`);
  try {
    L.emit("QLogEnergy", [re.name, im?.name ?? "", bankName], {
      re_zero_point: re.params.zeroPoint, im_zero_point: im?.params.zeroPoint ?? 0, offsets, floor, ...(addends.length > 0 ? { addends } : {}),
      multiplier: [m.multiplier], shift: [m.shift], rounding: L.options.rounding, y_zero_point: p.zeroPoint, out_dtype: "i8",
    }, [name], p);
  } catch (e) {
    return `QLogEnergy does not take it (${e instanceof Error ? e.message : String(e)})`;
  }
  L.setInt(y, name, p);
  const what = `${group.bank ? "log filterbank energy" : "log power"} of ${group.re}${group.im ? ` and ${group.im}` : ""}`;
  L.notes.set(group.log.name, `QLogEnergy, the ${what}: the power${group.bank ? " and the bank's sums" : ""} stay exact${re.params.dtype === "i16" ? ", the halves int16" : ""}`);
  return undefined;
}
