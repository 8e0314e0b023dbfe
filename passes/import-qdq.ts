// The `lower-qdq` pass: a model quantized elsewhere (QDQ or QLinear ONNX) into the integer IR.
//
// QDQ models spell integer arithmetic as float ops between DequantizeLinear and QuantizeLinear
// (onnxruntime's quantization tool, or neonc's own export). This pass finds each
// DQ -> op [-> Relu/Clip] -> Q group and writes the integer op the quantize pass would have made
// (QConv, QMatMul, QAdd, QMul, QConcat, QLookup, data movement on int8), and QLinearConv /
// QLinearMatMul become QConv / QMatMul. Every requantization rounds "half-even", the rounding the
// ONNX formats specify, so the generated integer kernels compute what the format means. What does
// not match stays in float behind Dequantize / Quantize. It needs the DequantizeLinear nodes of
// constant weights unfolded: import with `importQdqBytes` (src/frontend/onnx/qdq-import.ts).
import { activationOf } from "../ir/activation.js";
import { intRange, type DType } from "../ir/dtype.js";
import { quantizeMultiplier, type Rounding } from "../ir/fixed-point.js";
import type { AttrValue, Graph, Node } from "../ir/graph.js";
import { makeGraph, users as usersOf } from "../ir/graph.js";
import { resolveAttrs } from "../ir/op.js";
import { getOp } from "../ir/registry.js";
import { toNumbers, type Tensor, type TensorType } from "../ir/types.js";
import { roundHalfEven } from "../src/runtime/kernels/quant-round.js";
import { definePass } from "./pass.js";
import { LOOKUP_OPS, PASS_THROUGH_OPS } from "./quantize/lower-ops.js";

const ROUNDING: Rounding = "half-even";
const WINDOW_ATTRS = ["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"] as const;
const Q8: readonly DType[] = ["i8", "u8"];

/** What a DequantizeLinear with constant parameters reads: an integer value and its parameters. */
interface Deq {
  readonly src: string;
  readonly dtype: DType;
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  /** Axis of per-channel parameters (normalised). */
  readonly axis?: number;
  readonly isConst: boolean;
  readonly node: Node;
}

/** An integer activation operand: per-tensor parameters. */
interface IntIn {
  readonly name: string;
  readonly dtype: DType;
  readonly scale: number;
  readonly zeroPoint: number;
}

/** The QuantizeLinear that ends a group, the clamp of an activation before it, the nodes taken. */
interface QOut {
  readonly name: string;
  readonly type: TensorType;
  readonly dtype: DType;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly qmin: number;
  readonly qmax: number;
  readonly taken: readonly Node[];
}

function requant(real: number): { multiplier: number; shift: number } {
  return quantizeMultiplier(real);
}

class QdqLowering {
  readonly nodes: Node[] = [];
  readonly types: Record<string, TensorType>;
  readonly constants: Record<string, Tensor>;
  readonly deq = new Map<string, Deq>();
  readonly done = new Set<Node>();
  private readonly materialized = new Set<string>();
  private readonly users: Map<string, Node[]>;
  private readonly outputs: Set<string>;
  private readonly taken = new Set<string>();

  constructor(readonly g: Graph) {
    this.types = { ...g.types };
    this.constants = { ...g.constants };
    this.users = usersOf(g);
    this.outputs = new Set(g.outputs);
    for (const k of Object.keys(g.types)) this.taken.add(k);
    for (const n of g.nodes) this.taken.add(n.name);
  }

  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.taken.has(name); k++) name = `${hint}_${k}`;
    this.taken.add(name);
    return name;
  }

  const(v: string): Tensor | undefined {
    return v && Object.prototype.hasOwnProperty.call(this.constants, v) ? this.constants[v] : undefined;
  }

  emit(op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, outputs: readonly string[], name?: string): void {
    this.nodes.push({ name: name ?? this.fresh(`${outputs[0]}.node`), op, inputs: [...inputs], outputs: [...outputs], attrs });
  }

  /** Records a DequantizeLinear whose scale and zero point are constants. */
  recordDeq(n: Node): boolean {
    const [x, s, z] = n.inputs;
    const st = this.const(s!), zt = z ? this.const(z) : undefined;
    if (!st || (z && !zt)) return false;
    const a = resolveAttrs(getOp("DequantizeLinear"), n.attrs) as { axis: number; block_size: number };
    if (a.block_size > 0) return false;
    const xt = this.types[x!]!;
    const scale = toNumbers(st);
    const zeroPoint = zt ? toNumbers(zt) : scale.map(() => 0);
    const axis = scale.length > 1 ? (a.axis < 0 ? a.axis + xt.shape.length : a.axis) : undefined;
    this.deq.set(n.outputs[0]!, { src: x!, dtype: xt.dtype, scale, zeroPoint, axis, isConst: this.const(x!) !== undefined, node: n });
    return true;
  }

  /** The float version of v: materializes a recorded DequantizeLinear when a float op reads it. */
  float(v: string): string {
    const d = v ? this.deq.get(v) : undefined;
    if (!d || this.materialized.has(v)) return v;
    this.materialized.add(v);
    if (d.isConst) {
      const def = getOp("DequantizeLinear");
      const [t] = def.evaluate(d.node.inputs.map((i) => (i ? this.constants[i] : undefined)), resolveAttrs(def, d.node.attrs), { numOutputs: 1 });
      this.constants[v] = t!;
      return v;
    }
    if (d.scale.length === 1 && d.dtype !== "u16") {
      this.emit("Dequantize", [d.src], { scale: d.scale[0]!, zero_point: d.zeroPoint[0]! }, [v], d.node.name);
    } else {
      this.nodes.push({ ...d.node });
    }
    return v;
  }

  /** v as an integer operand with per-tensor parameters (an activation or a constant). */
  intIn(v: string, dtypes: readonly DType[] = Q8): IntIn | undefined {
    const d = this.deq.get(v);
    if (!d || d.scale.length !== 1 || !dtypes.includes(d.dtype)) return undefined;
    const t = this.types[d.src]!;
    if (!t.quant) this.types[d.src] = { ...t, quant: { kind: "affine", scale: [d.scale[0]!], zeroPoint: [d.zeroPoint[0]!] } };
    return { name: d.src, dtype: d.dtype, scale: d.scale[0]!, zeroPoint: d.zeroPoint[0]! };
  }

  private soleUser(v: string): Node | undefined {
    if (this.outputs.has(v)) return undefined;
    const us = this.users.get(v);
    return us && us.length === 1 ? us[0] : undefined;
  }

  /** The QuantizeLinear (after an optional Relu/Clip) that is the only reader of float v. */
  qOut(v: string, fused?: { kind: string; params: readonly number[] }): QOut | undefined {
    let u = this.soleUser(v);
    const taken: Node[] = [];
    let lo = -Infinity, hi = Infinity;
    const clampBy = (kind: string, params: readonly (number | undefined)[]) => {
      if (kind === "Relu") lo = Math.max(lo, 0);
      else {
        if (params[0] !== undefined) lo = Math.max(lo, params[0]);
        if (params[1] !== undefined) hi = Math.min(hi, params[1]);
      }
    };
    if (fused) {
      if (fused.kind !== "Relu" && fused.kind !== "Clip") return undefined;
      clampBy(fused.kind, fused.params);
    }
    if (u && (u.op === "Relu" || u.op === "Clip")) {
      if (u.op === "Clip") {
        const a = resolveAttrs(getOp("Clip"), u.attrs) as { min?: number; max?: number };
        const bound = (i: number, attr: number | undefined) => {
          const name = u!.inputs[i];
          if (!name) return { ok: true, v: attr };
          const t = this.const(name) ?? (this.deq.get(name)?.isConst ? this.constants[this.float(name)] : undefined);
          return t ? { ok: true, v: Number(t.data[0]) } : { ok: false, v: undefined };
        };
        const mn = bound(1, a.min), mx = bound(2, a.max);
        if (!mn.ok || !mx.ok) return undefined;
        clampBy("Clip", [mn.v, mx.v]);
      } else clampBy("Relu", []);
      taken.push(u);
      u = this.soleUser(u.outputs[0]!);
    }
    if (!u || u.op !== "QuantizeLinear") return undefined;
    const [, s, z] = u.inputs;
    const st = this.const(s!), zt = z ? this.const(z) : undefined;
    if (!st || (z && !zt) || st.data.length !== 1 || (zt && zt.data.length !== 1)) return undefined;
    const type = this.types[u.outputs[0]!]!;
    if (!["i8", "u8", "i16"].includes(type.dtype)) return undefined;
    const scale = Number(st.data[0]), zeroPoint = zt ? Number(zt.data[0]) : 0;
    const [tlo, thi] = intRange(type.dtype);
    const q = (x: number) => Math.min(thi, Math.max(tlo, roundHalfEven(x / scale) + zeroPoint));
    taken.push(u);
    return {
      name: u.outputs[0]!, type: type.quant ? type : { ...type, quant: { kind: "affine", scale: [scale], zeroPoint: [zeroPoint] } },
      dtype: type.dtype, scale, zeroPoint, qmin: lo === -Infinity ? tlo : q(lo), qmax: hi === Infinity ? thi : q(hi), taken,
    };
  }

  /** Finishes a lowered group: the integer node writes the QuantizeLinear's output. */
  finish(n: Node, op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, out: QOut): true {
    this.emit(op, inputs, attrs, [out.name], n.name);
    this.types[out.name] = out.type;
    for (const t of out.taken) this.done.add(t);
    return true;
  }

  requantAttrs(real: readonly number[], out: QOut): Record<string, AttrValue> {
    const q = real.map(requant);
    return {
      multiplier: q.map((m) => m.multiplier), shift: q.map((m) => m.shift), rounding: ROUNDING,
      y_zero_point: out.zeroPoint, qmin: out.qmin, qmax: out.qmax, out_dtype: out.dtype,
    };
  }

  /** Symmetric int8 weights from a constant DequantizeLinear (a zero point is folded in when the result fits int8). */
  weights(v: string, channelAxis: number): { name: string; scales: number[] } | undefined {
    const d = this.deq.get(v);
    if (!d || !d.isConst || !Q8.includes(d.dtype)) return undefined;
    if (d.scale.length > 1 && d.axis !== channelAxis) return undefined;
    const t = this.constants[d.src]!;
    const type = { dtype: "i8" as const, shape: t.shape, quant: d.scale.length > 1
      ? { kind: "affine" as const, scale: [...d.scale], zeroPoint: d.scale.map(() => 0), axis: channelAxis }
      : { kind: "affine" as const, scale: [...d.scale], zeroPoint: [0] } };
    if (d.dtype === "i8" && d.zeroPoint.every((z) => z === 0)) {
      this.types[d.src] = type;
      return { name: d.src, scales: [...d.scale] };
    }
    const inner = t.shape.slice(channelAxis + 1).reduce((p, x) => p * x, 1), C = t.shape[channelAxis]!;
    const q = new Int8Array(t.data.length);
    for (let i = 0; i < q.length; i++) {
      const c = d.zeroPoint.length > 1 ? Math.floor(i / inner) % C : 0;
      const w = Number(t.data[i]) - d.zeroPoint[c]!;
      if (w < -128 || w > 127) return undefined;
      q[i] = w;
    }
    const name = this.fresh(`${d.src}.i8`);
    this.constants[name] = { dtype: "i8", shape: t.shape, data: q };
    this.types[name] = type;
    return { name, scales: [...d.scale] };
  }

  /** An int32 bias at scale s_x * s_w[c], from a DequantizeLinear of int32 or a float constant. */
  bias(v: string, sx: number, sw: readonly number[], channels: number): string | undefined {
    const d = this.deq.get(v);
    const f = d ? undefined : this.const(v);
    let real: (i: number) => number;
    if (d && d.isConst) {
      const t = this.constants[d.src]!;
      if (t.data.length !== channels) return undefined;
      real = (i) => (Number(t.data[i]) - d.zeroPoint[d.zeroPoint.length > 1 ? i : 0]!) * d.scale[d.scale.length > 1 ? i : 0]!;
    } else if (f && f.dtype === "f32" && f.data.length === channels) {
      real = (i) => Number(f.data[i]);
    } else return undefined;
    const b = new Int32Array(channels);
    for (let i = 0; i < channels; i++) {
      const v2 = roundHalfEven(real(i) / (sx * sw[sw.length > 1 ? i : 0]!));
      b[i] = Math.max(-2147483648, Math.min(2147483647, v2));
    }
    const name = this.fresh(`${v}.i32`);
    this.constants[name] = { dtype: "i32", shape: [channels], data: b };
    this.types[name] = { dtype: "i32", shape: [channels] };
    return name;
  }
}

type Lower = (n: Node, L: QdqLowering) => boolean;

const lowerConv: Lower = (n, L) => {
  const [xf, wf, bf] = n.inputs;
  const x = L.intIn(xf!);
  const w = L.weights(wf!, 0);
  if (!x || !w) return false;
  const M = L.types[w.name]!.shape[0] as number;
  const b = bf ? L.bias(bf, x.scale, w.scales, M) : undefined;
  if (bf && !b) return false;
  const out = L.qOut(n.outputs[0]!, activationOf(n.attrs as { activation?: string }));
  if (!out || !Q8.includes(out.dtype)) return false;
  const attrs: Record<string, AttrValue> = {};
  for (const k of WINDOW_ATTRS) if (n.attrs[k] !== undefined) attrs[k] = n.attrs[k]!;
  Object.assign(attrs, { x_zero_point: x.zeroPoint }, L.requantAttrs(w.scales.map((s) => (x.scale * s) / out.scale), out));
  return L.finish(n, "QConv", [x.name, w.name, ...(b ? [b] : [])], attrs, out);
};

const lowerMatMul: Lower = (n, L) => {
  const [xf, wf] = n.inputs;
  const x = L.intIn(xf!);
  const w = L.weights(wf!, 1);
  if (!x || !w || L.types[w.name]!.shape.length !== 2) return false;
  const N = L.types[w.name]!.shape[1] as number;
  let y = n.outputs[0]!, b: string | undefined, add: Node | undefined;
  const us = L.g.outputs.includes(y) ? [] : L.g.nodes.filter((m) => m.inputs.includes(y));
  if (us.length === 1 && us[0]!.op === "Add") {
    const other = us[0]!.inputs[0] === y ? us[0]!.inputs[1]! : us[0]!.inputs[0]!;
    b = L.bias(other, x.scale, w.scales, N);
    if (b) {
      add = us[0];
      y = add!.outputs[0]!;
    }
  }
  const out = L.qOut(y);
  if (!out || !Q8.includes(out.dtype)) return false;
  if (add) L.done.add(add);
  return L.finish(n, "QMatMul", [x.name, w.name, ...(b ? [b] : [])], { x_zero_point: x.zeroPoint, ...L.requantAttrs(w.scales.map((s) => (x.scale * s) / out.scale), out) }, out);
};

const LEFT_SHIFT = 20;

const lowerBinary: Lower = (n, L) => {
  const [a, b] = n.inputs.map((v) => L.intIn(v));
  if (!a || !b) return false;
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return false;
  const zps = { a_zero_point: a.zeroPoint, b_zero_point: b.zeroPoint };
  if (n.op === "Mul") return L.finish(n, "QMul", [a.name, b.name], { ...zps, ...L.requantAttrs([(a.scale * b.scale) / out.scale], out) }, out);
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const ra = requant(a.scale / twiceMax), rb = requant(b.scale / twiceMax);
  return L.finish(n, "QAdd", [a.name, b.name], {
    ...zps, left_shift: LEFT_SHIFT, a_multiplier: ra.multiplier, a_shift: ra.shift, b_multiplier: rb.multiplier, b_shift: rb.shift,
    ...L.requantAttrs([twiceMax / (2 ** LEFT_SHIFT * out.scale)], out),
  }, out);
};

const lowerConcat: Lower = (n, L) => {
  const xs = n.inputs.map((v) => L.intIn(v));
  if (xs.some((x) => !x)) return false;
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return false;
  const mult: number[] = [], shift: number[] = [];
  for (const x of xs as IntIn[]) {
    const same = x.dtype === out.dtype && x.scale === out.scale && x.zeroPoint === out.zeroPoint;
    const r = same ? { multiplier: 0, shift: 0 } : requant(x.scale / out.scale);
    mult.push(r.multiplier);
    shift.push(r.shift);
  }
  return L.finish(n, "QConcat", (xs as IntIn[]).map((x) => x.name), {
    axis: resolveAttrs(getOp("Concat"), n.attrs)["axis"] as number,
    x_zero_points: (xs as IntIn[]).map((x) => x.zeroPoint), multipliers: mult, shifts: shift,
    rounding: ROUNDING, y_zero_point: out.zeroPoint, out_dtype: out.dtype,
  }, out);
};

/** DQ -> unary f -> Q is exactly a 256-entry table: f on every dequantized input, quantized. */
const lowerLookup: Lower = (n, L) => {
  const [xf, ...rest] = n.inputs;
  const x = L.intIn(xf!);
  if (!x || rest.some((r) => r && !L.const(r) && !L.deq.get(r)?.isConst)) return false;
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return false;
  const [lo] = intRange(x.dtype);
  const grid = new Float32Array(256);
  for (let i = 0; i < 256; i++) grid[i] = x.scale * (i + lo - x.zeroPoint);
  const def = getOp(n.op);
  const args = [{ dtype: "f32" as const, shape: [256], data: grid }, ...rest.map((r) => (r ? L.constants[L.float(r)] : undefined))];
  const y = def.evaluate(args, resolveAttrs(def, n.attrs), { numOutputs: 1 })[0]!.data as Float32Array;
  const table = Array.from(y, (v) => {
    if (v !== v) return Math.min(out.qmax, Math.max(out.qmin, out.zeroPoint));
    return Math.min(out.qmax, Math.max(out.qmin, roundHalfEven(v / out.scale) + out.zeroPoint));
  });
  return L.finish(n, "QLookup", [x.name], { table, out_dtype: out.dtype }, out);
};

/** Data movement between a DequantizeLinear and a QuantizeLinear with the same parameters. */
const lowerPassThrough: Lower = (n, L) => {
  const [xf, ...rest] = n.inputs;
  const x = L.intIn(xf!);
  if (!x || n.outputs.filter((o) => o).length !== 1) return false;
  const out = L.qOut(n.outputs[0]!);
  if (!out || out.dtype !== x.dtype || out.scale !== x.scale || out.zeroPoint !== x.zeroPoint || out.taken.length !== 1) return false;
  return L.finish(n, n.op, [x.name, ...rest.map((r) => L.float(r))], { ...n.attrs }, out);
};

/** QLinearConv / QLinearMatMul with constant parameters and weights. */
const lowerQLinear: Lower = (n, L) => {
  const conv = n.op === "QLinearConv";
  const [x, xs, xz, w, ws, wz, ys, yz, B] = n.inputs;
  const c = (v: string | undefined) => (v ? L.const(v) : undefined);
  const sx = c(xs), sw = c(ws), sy = c(ys), zx = c(xz), zw = c(wz), zy = c(yz), wt = c(w);
  if (!sx || !sw || !sy || !wt || (xz && !zx) || (wz && !zw) || (yz && !zy) || sx.data.length !== 1 || sy.data.length !== 1) return false;
  if (!conv && wt.shape.length !== 2) return false;
  const axis = conv ? 0 : 1;
  const scales = toNumbers(sw);
  const wzps = zw ? toNumbers(zw) : [0];
  // Reuse the weight conversion of the QDQ path through a synthetic record.
  const wv = L.fresh(`${w}.deq`);
  L.deq.set(wv, { src: w!, dtype: wt.dtype, scale: scales, zeroPoint: wzps.length === scales.length ? wzps : scales.map(() => wzps[0]!), axis: scales.length > 1 ? axis : undefined, isConst: true, node: n });
  const wq = L.weights(wv, axis);
  L.deq.delete(wv);
  if (!wq) return false;
  const outType = L.types[n.outputs[0]!]!;
  const s = Number(sx.data[0]), y = Number(sy.data[0]), zpx = zx ? Number(zx.data[0]) : 0, zpy = zy ? Number(zy.data[0]) : 0;
  const [lo, hi] = intRange(outType.dtype);
  const out: QOut = {
    name: n.outputs[0]!, type: { ...outType, quant: { kind: "affine", scale: [y], zeroPoint: [zpy] } },
    dtype: outType.dtype, scale: y, zeroPoint: zpy, qmin: lo, qmax: hi, taken: [],
  };
  const xt = L.types[x!]!;
  if (!xt.quant) L.types[x!] = { ...xt, quant: { kind: "affine", scale: [s], zeroPoint: [zpx] } };
  const attrs: Record<string, AttrValue> = {};
  if (conv) for (const k of WINDOW_ATTRS) if (n.attrs[k] !== undefined) attrs[k] = n.attrs[k]!;
  Object.assign(attrs, { x_zero_point: zpx }, L.requantAttrs(wq.scales.map((ws2) => (s * ws2) / y), out));
  const ins = [x!, wq.name];
  if (B) {
    if (!c(B)) return false;
    L.types[B] = { dtype: "i32", shape: c(B)!.shape };
    ins.push(B);
  }
  return L.finish(n, conv ? "QConv" : "QMatMul", ins, attrs, out);
};

const LOWERINGS: Readonly<Record<string, Lower>> = {
  Conv: lowerConv,
  MatMul: lowerMatMul,
  Add: lowerBinary,
  Mul: lowerBinary,
  Concat: lowerConcat,
  QLinearConv: lowerQLinear,
  QLinearMatMul: lowerQLinear,
  ...Object.fromEntries([...LOOKUP_OPS].map((op) => [op, lowerLookup])),
  ...Object.fromEntries([...PASS_THROUGH_OPS].map((op) => [op, lowerPassThrough])),
};

/** The QuantizeLinear left alone: Requantize after a DequantizeLinear, else a boundary Quantize. */
function lowerQuantize(n: Node, L: QdqLowering): boolean {
  const [xf, s, z] = n.inputs;
  const st = L.const(s!), zt = z ? L.const(z) : undefined;
  if (!st || (z && !zt) || st.data.length !== 1 || (zt && zt.data.length !== 1)) return false;
  const y = n.outputs[0]!, type = L.types[y]!;
  if (!["i8", "u8", "i16"].includes(type.dtype)) return false;
  const scale = Number(st.data[0]), zp = zt ? Number(zt.data[0]) : 0;
  const x = L.intIn(xf!, ["i8", "u8", "i16", "i32"]);
  const quant = { kind: "affine" as const, scale: [scale], zeroPoint: [zp] };
  L.types[y] = { ...type, quant };
  if (x) {
    const m = requant(x.scale / scale);
    L.emit("Requantize", [x.name], {
      x_zero_point: x.zeroPoint, multiplier: [m.multiplier], shift: [m.shift], rounding: ROUNDING, y_zero_point: zp, out_dtype: type.dtype,
    }, [y], n.name);
    return true;
  }
  if (L.types[xf!]!.dtype !== "f32") return false;
  L.emit("Quantize", [L.float(xf!)], { scale, zero_point: zp, out_dtype: type.dtype }, [y], n.name);
  return true;
}

/** Lowers the QDQ / QLinear parts of g to integer ops (see the file comment). */
export function lowerQdq(g: Graph): Graph {
  const L = new QdqLowering(g);
  for (const n of g.nodes) {
    if (L.done.has(n)) continue;
    if (n.op === "DequantizeLinear" && L.recordDeq(n)) continue;
    if (n.op === "QuantizeLinear" && lowerQuantize(n, L)) continue;
    const lower = LOWERINGS[n.op];
    if (lower && lower(n, L)) continue;
    L.nodes.push({ ...n, inputs: n.inputs.map((i) => L.float(i)) });
  }
  for (const o of g.outputs) L.float(o);
  const live = new Set<string>(g.inputs);
  for (const n of L.nodes) {
    for (const i of n.inputs) if (i) live.add(i);
    for (const o of n.outputs) if (o) live.add(o);
  }
  for (const o of g.outputs) live.add(o);
  const constants: Record<string, Tensor> = {};
  const types: Record<string, TensorType> = {};
  for (const v of live) {
    if (L.constants[v]) constants[v] = L.constants[v]!;
    if (L.types[v]) types[v] = L.types[v]!;
  }
  return makeGraph({ ...g, nodes: L.nodes, constants, types });
}

export const lowerQdqPass = definePass({
  name: "lower-qdq",
  doc: "Lowers QDQ groups and QLinearConv/QLinearMatMul of an imported quantized model to integer ops (half-even rounding).",
  run: (g) => (g.nodes.some((n) => n.op === "DequantizeLinear" || n.op === "QuantizeLinear" || n.op.startsWith("QLinear")) ? lowerQdq(g) : g),
});
