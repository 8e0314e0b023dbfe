// The state of one `import-qdq` run (passes/import-qdq/index.ts) and the helpers every lowering uses:
// reading DequantizeLinear records and QLinear parameters as integer operands, finding the
// QuantizeLinear that ends a group, and emitting nodes.
//
// A lowering returns `true` when it wrote the integer op, or a sentence saying why the node stays
// as it is (shown by `--explain import-qdq` and counted in the import summary). Weights and biases
// are converted in ./weights.ts.
import { intRange, type DType } from "../../ir/dtype.js";
import { quantizeMultiplier, type Rounding } from "../../ir/fixed-point.js";
import type { AttrValue, Graph, Node } from "../../ir/graph.js";
import { users as usersOf } from "../../ir/graph.js";
import { activationOfNode, clampOf, type Activation } from "../../ir/activation.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { unaryFnOf } from "../../ir/traits.js";
import { toNumbers, type Tensor, type TensorType } from "../../ir/types.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";

/** What ONNX's QDQ and QLinear formats specify for every requantization. */
export const ROUNDING: Rounding = "half-even";
export const WINDOW_ATTRS = ["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"] as const;
export const Q8: readonly DType[] = ["i8", "u8"];

export type Lower = (n: Node, L: QdqLowering) => true | string;

export interface QdqOptions {
  /** Diagnostics for the user (e.g. blocked weights dequantized to float). */
  readonly log?: (message: string) => void;
}

/** What a DequantizeLinear with constant parameters reads: an integer value and its parameters. */
export interface Deq {
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
export interface IntIn {
  readonly name: string;
  readonly dtype: DType;
  readonly scale: number;
  readonly zeroPoint: number;
}

/** The integer value a group writes, the clamp of an activation before it, the nodes taken. */
export interface QOut {
  readonly name: string;
  readonly type: TensorType;
  readonly dtype: DType;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly qmin: number;
  readonly qmax: number;
  readonly taken: readonly Node[];
}

export function requant(real: number): { multiplier: number; shift: number } {
  return quantizeMultiplier(real);
}

const isScalar = (t: Tensor) => t.data.length === 1;

export class QdqLowering {
  readonly nodes: Node[] = [];
  readonly types: Record<string, TensorType>;
  readonly constants: Record<string, Tensor>;
  readonly deq = new Map<string, Deq>();
  readonly done = new Set<Node>();
  /** Original nodes written as integer ops: node name -> the integer op. */
  readonly lowered = new Map<string, string>();
  /** Original nodes rewritten as float ops (a float island), with the reason. */
  readonly keptFloat = new Map<string, string>();
  /** Weight tensors with blocked scales, dequantized to float constants. */
  readonly blocked: string[] = [];
  private readonly materialized = new Set<string>();
  private readonly users: Map<string, Node[]>;
  private readonly outputs: Set<string>;
  private readonly taken = new Set<string>();

  constructor(readonly g: Graph, readonly options: QdqOptions = {}) {
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

  const(v: string | undefined): Tensor | undefined {
    return v && Object.prototype.hasOwnProperty.call(this.constants, v) ? this.constants[v] : undefined;
  }

  emit(op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, outputs: readonly string[], name?: string): void {
    this.nodes.push({ name: name ?? this.fresh(`${outputs[0]}.node`), op, inputs: [...inputs], outputs: [...outputs], attrs });
  }

  /**
   * Records a DequantizeLinear whose scale and zero point are constants. Blocked parameters
   * (opset 21 block_size) have no integer form: constant weights are dequantized to float here
   * (logged), and a blocked activation stops the import with one sentence naming the node.
   */
  recordDeq(n: Node): boolean {
    const [x, s, z] = n.inputs;
    const st = this.const(s), zt = z ? this.const(z) : undefined;
    if (!st || (z && !zt)) return false;
    const a = resolveAttrs(getOp("DequantizeLinear"), n.attrs) as { axis: number; block_size: number };
    const xt = this.types[x!]!;
    const axis = a.axis < 0 ? a.axis + xt.shape.length : a.axis;
    if (a.block_size > 0) {
      const what = `blocked quantization (block_size ${a.block_size} along axis ${axis})`;
      if (!this.const(x)) {
        throw new Error(
          `node "${n.name}" (DequantizeLinear): ${what} of the run-time value "${x}" cannot be imported, because neonc's integer types have one scale per tensor or per channel`,
        );
      }
      const def = getOp("DequantizeLinear");
      const [t] = def.evaluate(n.inputs.map((i) => (i ? this.constants[i] : undefined)), resolveAttrs(def, n.attrs), { numOutputs: 1 });
      this.constants[n.outputs[0]!] = t!;
      this.blocked.push(x!);
      this.options.log?.(`node "${n.name}" (DequantizeLinear): ${what} of the weights "${x}" has no integer form in neonc; they are dequantized to float32 and their consumers stay float`);
      return true;
    }
    const scale = toNumbers(st);
    const zeroPoint = zt ? toNumbers(zt) : scale.map(() => 0);
    this.deq.set(n.outputs[0]!, {
      src: x!, dtype: xt.dtype, scale, zeroPoint, axis: scale.length > 1 ? axis : undefined, isConst: this.const(x) !== undefined, node: n,
    });
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

  /** v as an integer operand with per-tensor parameters (a DequantizeLinear output). */
  intIn(v: string | undefined, dtypes: readonly DType[] = Q8): IntIn | undefined {
    const d = v ? this.deq.get(v) : undefined;
    if (!d || d.scale.length !== 1 || !dtypes.includes(d.dtype)) return undefined;
    return this.annotate(d.src, d.dtype, d.scale[0]!, d.zeroPoint[0]!);
  }

  /** An 8-bit operand of a QLinear op: the value and its constant per-tensor scale and zero point. */
  paramIn(v: string | undefined, s: string | undefined, z: string | undefined): IntIn | undefined {
    const st = this.const(s), zt = z ? this.const(z) : undefined;
    const t = v ? this.types[v] : undefined;
    if (!t || !Q8.includes(t.dtype) || !st || !isScalar(st) || (z && (!zt || !isScalar(zt)))) return undefined;
    return this.annotate(v!, t.dtype, Number(st.data[0]), zt ? Number(zt.data[0]) : 0);
  }

  private annotate(name: string, dtype: DType, scale: number, zeroPoint: number): IntIn {
    const t = this.types[name]!;
    if (!t.quant) this.types[name] = { ...t, quant: { kind: "affine", scale: [scale], zeroPoint: [zeroPoint] } };
    return { name, dtype, scale, zeroPoint };
  }

  /** The output of a QLinear op with constant per-tensor parameters (no clamp). */
  paramOut(v: string, s: string | undefined, z: string | undefined): QOut | undefined {
    const st = this.const(s), zt = z ? this.const(z) : undefined;
    const t = this.types[v]!;
    if (!Q8.includes(t.dtype) || !st || !isScalar(st) || (z && (!zt || !isScalar(zt)))) return undefined;
    const scale = Number(st.data[0]), zeroPoint = zt ? Number(zt.data[0]) : 0;
    const [lo, hi] = intRange(t.dtype);
    return {
      name: v, type: { ...t, quant: { kind: "affine", scale: [scale], zeroPoint: [zeroPoint] } },
      dtype: t.dtype, scale, zeroPoint, qmin: lo, qmax: hi, taken: [],
    };
  }

  private soleUser(v: string): Node | undefined {
    if (this.outputs.has(v)) return undefined;
    const us = this.users.get(v);
    return us && us.length === 1 ? us[0] : undefined;
  }

  /** The only reader of float v, when there is exactly one and v is not a graph output. */
  onlyUser(v: string): Node | undefined {
    return this.soleUser(v);
  }

  /**
   * The QuantizeLinear that is the only reader of float v, directly or after one activation that
   * is a clamp (Relu, Clip: ir/activation.ts clampOf); `fused`, the activation the op carries,
   * must be a clamp too. Both narrow the output's integer range.
   */
  qOut(v: string, fused?: Activation): QOut | undefined {
    let u = this.soleUser(v);
    const taken: Node[] = [];
    let lo = -Infinity, hi = Infinity;
    const clampBy = (c: { lo: number; hi: number }) => {
      lo = Math.max(lo, c.lo);
      hi = Math.min(hi, c.hi);
    };
    if (fused) {
      const c = clampOf(fused);
      if (!c) return undefined;
      clampBy(c);
    }
    const fn = u ? unaryFnOf(u.op) : undefined;
    if (u && fn) {
      // Extra operands (Clip's bounds) must be constants, plain or dequantized.
      const operands = u.inputs.map((name, i) => (i === 0 || !name ? undefined : this.const(name) ?? (this.deq.get(name)?.isConst ? this.constants[this.float(name)] : undefined)));
      const live = u.inputs.some((name, i) => i > 0 && name && !operands[i]);
      const attrs = resolveAttrs(getOp(u.op), u.attrs);
      const act = live ? undefined : activationOfNode(u.op, fn.operands ? fn.operands(operands, attrs) : attrs);
      const c = act && typeof act !== "string" ? clampOf(act) : undefined;
      if (c) {
        clampBy(c);
        taken.push(u);
        u = this.soleUser(u.outputs[0]!);
      }
    }
    if (!u || u.op !== "QuantizeLinear") return undefined;
    const [, s, z] = u.inputs;
    const st = this.const(s), zt = z ? this.const(z) : undefined;
    if (!st || (z && !zt) || !isScalar(st) || (zt && !isScalar(zt))) return undefined;
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

  /** Finishes a lowered node: the integer node writes the group's (or QLinear op's) output. */
  finish(n: Node, op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, out: QOut): true {
    this.emit(op, inputs, attrs, [out.name], n.name);
    this.types[out.name] = out.type;
    for (const t of out.taken) this.done.add(t);
    this.lowered.set(n.name, op);
    return true;
  }

  /** Marks n as handled by float ops the lowering emitted itself (and says why). */
  floated(n: Node, reason: string): true {
    this.keptFloat.set(n.name, reason);
    return true;
  }

  requantAttrs(real: readonly number[], out: QOut): Record<string, AttrValue> {
    const q = real.map(requant);
    return {
      multiplier: q.map((m) => m.multiplier), shift: q.map((m) => m.shift), rounding: ROUNDING,
      y_zero_point: out.zeroPoint, qmin: out.qmin, qmax: out.qmax, out_dtype: out.dtype,
    };
  }

  /** Adds a constant under a fresh name and returns the name. */
  addConstant(hint: string, t: Tensor, type: TensorType = { dtype: t.dtype, shape: t.shape }): string {
    const name = this.fresh(hint);
    this.constants[name] = t;
    this.types[name] = type;
    return name;
  }
}
