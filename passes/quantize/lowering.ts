// The state of one quantize run: the new node list, and for every value of the float graph its
// float version and/or its int8 version, created lazily. A Quantize is inserted the first time
// an integer op reads a float value, a Dequantize the first time a float op (or a graph output)
// reads an integer one, so boundaries appear exactly where float and integer parts meet.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import type { Rounding } from "../../ir/fixed-point.js";
import type { RnnMode } from "./lower-rnn.js";
import { typeOfTensor, type Tensor, type TensorType } from "../../ir/types.js";
import type { CalibratedRange } from "../../src/analyses/calibration/calibrate.js";
import { activationParams, int16Params, type QParams } from "./params.js";
import { quantizeMultiplier } from "../../ir/fixed-point.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";

export interface LoweringOptions {
  /** Node or output names of layers run in the 16x8 mode (int16 input). */
  readonly int16: ReadonlySet<string>;
  readonly perChannel: boolean;
  readonly symmetric: boolean;
  readonly rounding: Rounding;
  readonly biasCorrection: boolean;
  /** LSTM/GRU/RNN: Hybrid ops (int8 weights, float activations), QLSTM/QGRU (integer), or float. */
  readonly rnn: RnnMode;
}

export class Lowering {
  readonly nodes: Node[] = [];
  readonly types: Record<string, TensorType> = {};
  readonly constants: Record<string, Tensor> = {};
  private readonly taken = new Set<string>();
  /** Float value name -> name of its float version in the new graph. */
  private readonly floatOf = new Map<string, string>();
  /** Float value name -> its int8 version. */
  readonly intOf = new Map<string, { name: string; params: QParams }>();
  /**
   * Values computed in int16 rather than int8, with their parameters: the halves of a log
   * energy and the data movement from the layers that make them (./lower-log-energy.ts).
   */
  readonly wide = new Map<string, QParams>();
  /** Outputs of the layers that make wide values: they run 16x16 (int16 input and weights). */
  readonly spectralLayers = new Set<string>();
  /** Node name -> what --explain adds to "lowered" (a fallback taken, say). */
  readonly notes = new Map<string, string>();

  /**
   * `reserved`: the names of the whole model when it has If branches, shared by the lowering of
   * every graph in it; the names given out are added, so no two graphs of the model create the same one.
   */
  constructor(readonly source: Graph, readonly ranges: Readonly<Record<string, CalibratedRange>>, readonly options: LoweringOptions, private readonly reserved = new Set<string>()) {
    for (const n of Object.keys(source.types)) this.taken.add(n);
    for (const i of source.inputs) {
      this.floatOf.set(i, i);
      this.types[i] = source.types[i]!;
    }
    for (const n of source.nodes) this.taken.add(n.name);
  }

  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.taken.has(name) || this.reserved.has(name); k++) name = `${hint}_${k}`;
    this.taken.add(name);
    this.reserved.add(name);
    return name;
  }

  isConstant(v: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.source.constants, v);
  }

  constant(v: string): Tensor | undefined {
    return this.isConstant(v) ? this.source.constants[v] : undefined;
  }

  /** int8 parameters of a value from its calibrated range (undefined: never observed). */
  paramsOf(v: string): QParams | undefined {
    const known = this.intOf.get(v);
    if (known) return known.params;
    const wide = this.wide.get(v);
    if (wide) return wide;
    const r = this.ranges[v];
    if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max)) return undefined;
    return activationParams(r.min, r.max, this.options.symmetric);
  }

  addConstant(hint: string, t: Tensor, type?: TensorType): string {
    const name = this.fresh(hint);
    this.constants[name] = t;
    this.types[name] = type ?? typeOfTensor(t);
    return name;
  }

  /** Adds a node typed by its op's rule; `quant` annotates the first output. Returns output names. */
  emit(op: string, inputs: readonly string[], attrs: Attrs, outputs: readonly string[], quant?: QParams): void {
    const def = getOp(op);
    const inTypes = inputs.map((i) => (i ? this.typeOf(i) : undefined));
    const outTypes = def.infer(inTypes, resolveAttrs(def, attrs), {
      numOutputs: outputs.length,
      constant: (k: number) => (inputs[k] ? this.constants[inputs[k]!] ?? this.source.constants[inputs[k]!] : undefined),
    });
    outputs.forEach((o, k) => {
      if (!o) return;
      const t = outTypes[k]!;
      this.types[o] = k === 0 && quant ? { ...t, quant: { kind: "affine", scale: [quant.scale], zeroPoint: [quant.zeroPoint] } } : t;
    });
    this.nodes.push({ name: this.fresh(`${outputs[0] || op}.node`), op, inputs: [...inputs], outputs: [...outputs], attrs });
  }

  /** Annotates an output `emit` typed (beyond the first, which `emit` annotates itself) with its quantization. */
  annotate(v: string, p: QParams): void {
    this.types[v] = { ...this.types[v]!, quant: { kind: "affine", scale: [p.scale], zeroPoint: [p.zeroPoint] } };
  }

  typeOf(v: string): TensorType {
    const t = this.types[v] ?? this.source.types[v];
    if (!t) throw new Error(`quantize: no type for value ${v}`);
    return t;
  }

  /** The float version of v in the new graph (a Dequantize of its int version if needed). */
  float(v: string): string {
    if (!v) return v;
    const f = this.floatOf.get(v);
    if (f) return f;
    if (this.isConstant(v)) {
      this.constants[v] = this.source.constants[v]!;
      this.types[v] = this.source.types[v]!;
      this.floatOf.set(v, v);
      return v;
    }
    const q = this.intOf.get(v);
    if (!q) throw new Error(`quantize: value ${v} has neither a float nor an integer version`);
    // The original name is free: the float node that made v was lowered.
    this.emit("Dequantize", [q.name], { scale: q.params.scale, zero_point: q.params.zeroPoint }, [v]);
    this.floatOf.set(v, v);
    return v;
  }

  /** The int8 version of v (int16 for a wide value; a Quantize of its float version if needed); undefined when v has no range. */
  int(v: string): { name: string; params: QParams } | undefined {
    const known = this.intOf.get(v);
    if (known) return known;
    if (this.isConstant(v)) return this.quantizeConstant(v);
    const p = this.paramsOf(v);
    if (!p) return undefined;
    const f = this.float(v);
    const name = this.fresh(`${v}.q`);
    this.emit("Quantize", [f], { scale: p.scale, zero_point: p.zeroPoint, out_dtype: p.dtype }, [name], p);
    const r = { name, params: p };
    this.intOf.set(v, r);
    return r;
  }

  private readonly int16Of = new Map<string, { name: string; params: QParams }>();

  /**
   * The int16 version of v for a 16x8 layer: a Requantize of its int8 version when an integer op
   * made it, else a Quantize of the float value. Symmetric over the calibrated range.
   */
  int16(v: string): { name: string; params: QParams } | undefined {
    const known = this.int16Of.get(v);
    if (known) return known;
    const r = this.ranges[v];
    if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max) || this.isConstant(v)) return undefined;
    const p = int16Params(r.min, r.max);
    const name = this.fresh(`${v}.q16`);
    const q8 = this.intOf.get(v);
    if (q8) {
      const m = quantizeMultiplier(q8.params.scale / p.scale);
      this.emit("Requantize", [q8.name], {
        x_zero_point: q8.params.zeroPoint, multiplier: [m.multiplier], shift: [m.shift], rounding: this.options.rounding,
        y_zero_point: 0, out_dtype: "i16",
      }, [name], p);
    } else {
      this.emit("Quantize", [this.float(v)], { scale: p.scale, zero_point: 0, out_dtype: "i16" }, [name], p);
    }
    const res = { name, params: p };
    this.int16Of.set(v, res);
    return res;
  }

  /** A float constant as an int8 constant with parameters from its own range. */
  private quantizeConstant(v: string): { name: string; params: QParams } | undefined {
    const t = this.source.constants[v]!;
    if (t.dtype !== "f32") return undefined;
    const d = t.data as Float32Array;
    let lo = 0, hi = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i]! < lo) lo = d[i]!;
      if (d[i]! > hi) hi = d[i]!;
    }
    const p = activationParams(lo, hi, this.options.symmetric);
    const q = new Int8Array(d.length);
    for (let i = 0; i < d.length; i++) {
      const x = roundHalfEven(d[i]! / p.scale) + p.zeroPoint;
      q[i] = x < -128 ? -128 : x > 127 ? 127 : x;
    }
    const name = this.addConstant(`${v}.q`, { dtype: "i8", shape: t.shape, data: q },
      { dtype: "i8", shape: t.shape, quant: { kind: "affine", scale: [p.scale], zeroPoint: [p.zeroPoint] } });
    const r = { name, params: p };
    this.intOf.set(v, r);
    return r;
  }

  /** Records that `v` is computed in float under its own name by a node just emitted. */
  setFloat(v: string): void {
    this.floatOf.set(v, v);
  }

  /** Records that node output `v` (a float value of the source) is now computed in integers as `name`. */
  setInt(v: string, name: string, params: QParams): void {
    this.intOf.set(v, { name, params });
  }

  /** Copies a node unchanged, reading the float versions of its inputs. */
  keepFloat(n: Node): void {
    const inputs = n.inputs.map((i) => this.float(i));
    this.nodes.push({ ...n, inputs });
    for (const o of n.outputs) {
      if (!o) continue;
      this.types[o] = this.source.types[o]!;
      this.floatOf.set(o, o);
    }
  }

  /** The resulting graph: every graph output as the float value of its original name. */
  finish(meta: Record<string, string>): Graph {
    for (const o of this.source.outputs) this.float(o);
    // Keep only the types of values that exist.
    const live = new Set<string>([...this.source.inputs, ...Object.keys(this.constants)]);
    for (const n of this.nodes) for (const o of n.outputs) if (o) live.add(o);
    const types: Record<string, TensorType> = {};
    for (const v of live) if (this.types[v]) types[v] = this.types[v]!;
    return {
      name: this.source.name,
      inputs: this.source.inputs,
      outputs: this.source.outputs,
      nodes: this.nodes,
      types,
      constants: this.constants,
      meta: { ...(this.source.meta ?? {}), ...meta },
    };
  }
}
