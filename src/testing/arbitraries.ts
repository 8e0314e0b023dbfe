// fast-check arbitraries for the IR text format and verifier tests: random well-typed graphs
// full of the text form's corners (the speech-model graphs for pass tests are in speech-graph.ts).
//
// Graphs are chains over a fixed set of ops (Conv, Relu, LeakyRelu, Add, MatMul, Transpose,
// Reshape, BatchNormalization, Concat, Dropout) built by hand-written node constructors that
// compute ONNX output shapes themselves, so the arbitrary does not depend on which op
// definitions are registered; shapes may be symbolic in T. Each step carries a seed from which
// its sizes, attributes and weights are drawn, so fast-check shrinks a failing graph by
// dropping steps. With `extras`, graphs also exercise the text format's corners: names that
// need quoting, node names, metadata, quantized types and constants of every dtype.
import fc from "fast-check";
import { DTYPES, type DType } from "../../ir/dtype.js";
import { addDim, floorDivDim, isSymbolic, mulDim, parseDim, sym, type Dim } from "../../ir/dim.js";
import { makeGraph, type AttrValue, type Attrs, type Graph, type Node } from "../../ir/graph.js";
import type { Quant, Tensor, TensorType } from "../../ir/types.js";
import { arbTensor } from "./tensor-arb.js";
import { arbAnyTensor, randomTensor, tensorBits } from "./any-tensor.js";
import { Rng } from "./rng.js";

// Re-exported for the tests written against this module before the kit was split up.
export { arbTensor, randomTensor, Rng, tensorBits };

export const CHAIN_OPS = [
  "Conv", "Relu", "LeakyRelu", "Add", "MatMul", "Transpose", "Reshape", "BatchNormalization", "Concat", "Dropout",
] as const;
export type ChainOp = (typeof CHAIN_OPS)[number];

export interface GraphArbOptions {
  /** Ops the chain may use (default: all of CHAIN_OPS). With none, graphs have no nodes. */
  readonly ops?: readonly ChainOp[];
  /** Most nodes in the chain (default 8). */
  readonly maxNodes?: number;
  /** Whether the time axis is the symbol T (default: either). */
  readonly symbolic?: boolean;
  /** Odd names, node names, metadata, quantized inputs and extra constants (default true). */
  readonly extras?: boolean;
}

/** A random quantization annotation fitting a shape (per tensor, per channel or fixed point). */
export function randomQuant(rng: Rng, shape: readonly Dim[]): Quant {
  const scale = () => rng.pick([0.05, 1 / 3, 2 ** -20, 1e-7, 0.5, 1.7976931348623157e308]);
  const choice = rng.int(0, 2);
  if (choice === 0) return { kind: "affine", scale: [scale()], zeroPoint: [rng.int(-128, 255)] };
  const d0 = shape[0];
  if (choice === 1 && typeof d0 === "number" && d0 > 0 && d0 <= 8) {
    const s = Array.from({ length: d0 }, scale);
    return { kind: "affine", scale: s, zeroPoint: s.map(() => rng.int(-3, 3)), axis: 0 };
  }
  return { kind: "fixed", intBits: rng.int(0, 7), fracBits: rng.int(0, 24) };
}

/** Random attribute values of every kind (for nodes of test-only ops). */
export function arbAttrValue(): fc.Arbitrary<AttrValue> {
  const num = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(NaN, -0, Infinity, -Infinity, 5e-324, 1e21, -9223372036854775807, 0.1),
  );
  const dim: fc.Arbitrary<Dim> = fc.oneof(
    fc.nat(100),
    fc.constantFrom("T", "2*T+1", "floor((T+1)/2)", "T-3", "floor((T+5)/4)+1", "S+T").map(parseDim),
  );
  return fc.oneof(
    num,
    fc.string({ unit: "binary" }),
    fc.array(fc.integer(), { maxLength: 5 }),
    fc.array(num, { maxLength: 5 }),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.array(dim, { maxLength: 4 }),
    arbAnyTensor(),
  );
}

interface Value {
  readonly name: string;
  readonly type: TensorType;
}

interface Step {
  readonly op: ChainOp;
  readonly seed: number;
}

/** Random graphs over CHAIN_OPS whose types follow the ONNX shape rules. */
export function arbGraph(options: GraphArbOptions = {}): fc.Arbitrary<Graph> {
  const ops = options.ops ?? CHAIN_OPS;
  const step: fc.Arbitrary<Step> = fc.record({ op: fc.constantFrom(...(ops.length ? ops : CHAIN_OPS)), seed: fc.integer() });
  return fc
    .record({
      seed: fc.integer(),
      symbolic: options.symbolic === undefined ? fc.boolean() : fc.constant(options.symbolic),
      steps: ops.length ? fc.array(step, { maxLength: options.maxNodes ?? 8 }) : fc.constant([] as Step[]),
    })
    .map(({ seed, symbolic, steps }) => buildGraph(seed, symbolic, steps, options.extras ?? true));
}

const ODD_NAMES = ["onnx::Conv_12", "/enc/conv.0/Conv_output_0", "12", "with space", 'quote"d', "ω", "%pct", "a,b"];

class ChainBuilder {
  readonly nodes: Node[] = [];
  readonly types: Record<string, TensorType> = {};
  readonly constants: Record<string, Tensor> = {};
  readonly pool: Value[] = [];
  private count = 0;

  constructor(readonly rng: Rng, readonly extras: boolean) {}

  fresh(base: string): string {
    const k = this.count++;
    return this.extras && this.rng.chance(0.15) ? `${this.rng.pick(ODD_NAMES)}#${k}` : `${base}${k}`;
  }

  constant(rng: Rng, shape: readonly number[], dtype: DType = "f32"): string {
    const name = this.fresh("w");
    const t = randomTensor(rng, dtype, shape);
    this.constants[name] = t;
    this.types[name] = { dtype, shape: [...shape] };
    return name;
  }

  node(op: string, inputs: string[], attrs: Attrs, outTypes: (TensorType | undefined)[], rng: Rng): Value {
    const outputs = outTypes.map((t) => (t ? this.fresh("v") : ""));
    outputs.forEach((o, k) => {
      if (o) this.types[o] = outTypes[k]!;
    });
    const name = this.extras && rng.chance(0.2) ? rng.pick([`node_${this.count}`, `${op}/${this.count}`, ""]) : outputs[0]!;
    this.nodes.push({ name, op, inputs, outputs, attrs });
    const v = { name: outputs[0]!, type: outTypes[0]! };
    this.pool.push(v);
    return v;
  }
}

function buildGraph(seed: number, symbolic: boolean, steps: readonly Step[], extras: boolean): Graph {
  const rng = new Rng(seed);
  const b = new ChainBuilder(rng, extras);
  const T: Dim = symbolic ? sym("T") : rng.int(4, 9);
  const xName = extras && rng.chance(0.3) ? rng.pick(ODD_NAMES) : "x";
  const xType: TensorType = { dtype: "f32", shape: [1, rng.int(1, 4), T] };
  b.types[xName] = xType;
  const inputs = [xName];
  let cur: Value = { name: xName, type: xType };
  b.pool.push(cur);

  for (const s of steps) cur = applyStep(b, s, cur);

  const outputs = [cur.name];
  if (b.pool.length > 2 && rng.chance(0.3)) {
    const extra = rng.pick(b.pool);
    if (extra.name && !outputs.includes(extra.name)) outputs.push(extra.name);
  }
  let meta: Record<string, string> | undefined;
  if (extras) {
    // A second input of any dtype, possibly quantized, passed straight through.
    if (rng.chance(0.5)) {
      const dtype = rng.pick(DTYPES);
      const shape = [rng.pick<Dim>([T, 3, parseDim("2*T+1")]), parseDim(rng.pick(["floor((T+3)/4)", "1", "S"]))];
      const name = "aux";
      b.types[name] = { dtype, shape, ...(rng.chance(0.5) && /^[iu]/.test(dtype) ? { quant: randomQuant(rng, shape) } : {}) };
      inputs.push(name);
      outputs.push(name);
    }
    // Constants of random dtypes that are graph outputs of their own.
    for (let k = rng.int(0, 3); k > 0; k--) {
      const dtype = rng.pick(DTYPES);
      const shape = rng.chance(0.2) ? rng.pick([[17], [5, 5]]) : Array.from({ length: rng.int(0, 3) }, () => rng.int(0, 4));
      const name = b.constant(rng, shape, dtype);
      if (/^[iu]/.test(dtype) && rng.chance(0.5)) b.types[name] = { ...b.types[name]!, quant: randomQuant(rng, shape) };
      outputs.push(name);
    }
    if (rng.chance(0.5)) meta = rng.chance(0.2) ? {} : { producer_name: "pytorch", opset: String(rng.int(7, 21)), "odd key": 'va"l\nue' };
  }
  const name = extras ? rng.pick(["main", "g", "encoder.v1", "my graph"]) : "main";
  const g: Graph = { name, inputs, outputs, nodes: b.nodes, types: b.types, constants: b.constants };
  return makeGraph(meta ? { ...g, meta } : g);
}

const f32 = (shape: readonly Dim[]): TensorType => ({ dtype: "f32", shape });

/** Adds one node for a step (a Relu when the step's op does not fit the current shape). */
function applyStep(b: ChainBuilder, s: Step, cur: Value): Value {
  const rng = new Rng(s.seed);
  const [n, c, l] = cur.type.shape as [Dim, Dim, Dim];
  const num = (d: Dim): d is number => !isSymbolic(d);
  const relu = () => b.node("Relu", [cur.name], {}, [cur.type], rng);
  switch (s.op) {
    case "Relu":
      return relu();
    case "LeakyRelu": {
      const attrs: Attrs = rng.chance(0.7) ? { alpha: rng.pick([0.01, 0.1, 1, 1e-7, 2.5, rng.next()]) } : {};
      return b.node("LeakyRelu", [cur.name], attrs, [cur.type], rng);
    }
    case "Dropout": {
      const mask: TensorType | undefined = rng.chance(0.5) ? { dtype: "bool", shape: cur.type.shape } : undefined;
      const attrs: Attrs = rng.chance(0.3) ? { ratio: rng.pick([0.1, 0.5, 0]) } : {};
      return b.node("Dropout", [cur.name], attrs, [cur.type, mask], rng);
    }
    case "Add": {
      const same = b.pool.filter((v) => v.name && v.type.dtype === "f32" && sameShape(v.type.shape, cur.type.shape));
      let other: string;
      if (same.length > 1 && rng.chance(0.5)) other = rng.pick(same).name;
      else {
        const shapes: number[][] = [[1]];
        if (num(c)) shapes.push([c, 1]);
        if (num(l)) shapes.push([l]);
        other = b.constant(rng, rng.pick(shapes));
      }
      const ins = rng.chance(0.5) ? [cur.name, other] : [other, cur.name];
      return b.node("Add", ins, {}, [cur.type], rng);
    }
    case "Conv": {
      if (!num(c)) return relu();
      const group = c % 2 === 0 && rng.chance(0.3) ? 2 : 1;
      const m = group * rng.int(1, 2);
      let k = rng.int(1, 3);
      const d = rng.int(1, 2), st = rng.int(1, 2), p0 = rng.int(0, 2), p1 = rng.int(0, 2);
      if (num(l) && l + p0 + p1 - d * (k - 1) - 1 < 0) k = 1;
      const w = b.constant(rng, [m, c / group, k]);
      const ins = [cur.name, w];
      if (rng.chance(0.5)) ins.push(b.constant(rng, [m]));
      const attrs: Record<string, AttrValue> = { dilations: [d], group, pads: [p0, p1], strides: [st] };
      if (rng.chance(0.3)) attrs.kernel_shape = [k];
      const len = addDim(floorDivDim(addDim(l, p0 + p1 - d * (k - 1) - 1), st), 1);
      return b.node("Conv", ins, attrs, [f32([n, m, len])], rng);
    }
    case "BatchNormalization": {
      if (!num(c)) return relu();
      const ins = [cur.name, ...[0, 1, 2, 3].map(() => b.constant(rng, [c]))];
      const attrs: Record<string, AttrValue> = { epsilon: rng.pick([1e-5, 1e-3, 0.001, 1]) };
      if (rng.chance(0.3)) attrs.momentum = 0.9;
      return b.node("BatchNormalization", ins, attrs, [cur.type], rng);
    }
    case "MatMul": {
      const k = rng.int(1, 4);
      if (num(l)) return b.node("MatMul", [cur.name, b.constant(rng, [l, k])], {}, [f32([n, c, k])], rng);
      if (num(c)) return b.node("MatMul", [b.constant(rng, [k, c]), cur.name], {}, [f32([n, k, l])], rng);
      return relu();
    }
    case "Transpose": {
      const perm = rng.pick([[0, 2, 1], [2, 1, 0], [1, 0, 2], [0, 1, 2], [1, 2, 0]]);
      const dimsIn = cur.type.shape;
      if (rng.chance(0.2)) return b.node("Transpose", [cur.name], {}, [f32([...dimsIn].reverse())], rng);
      return b.node("Transpose", [cur.name], { perm }, [f32(perm.map((p) => dimsIn[p]!))], rng);
    }
    case "Reshape": {
      let shape: Dim[];
      if (num(c) && c % 2 === 0) shape = [n, c / 2, mulDim(l, 2)];
      else if (num(c) || num(l)) shape = [n, 1, mulDim(c, l)];
      else return relu();
      const attrs: Record<string, AttrValue> = { shape };
      if (rng.chance(0.2)) attrs.allowzero = 0;
      return b.node("Reshape", [cur.name], attrs, [f32(shape)], rng);
    }
    case "Concat": {
      const axis = rng.int(0, 2);
      const fits = b.pool.filter((v) => v.name && v.type.dtype === "f32" && v.type.shape.length === 3 &&
        v.type.shape.every((d, i) => i === axis || sameShape([d], [cur.type.shape[i]!])));
      const other = rng.pick(fits.length ? fits : [cur]);
      const ins = rng.chance(0.3) ? [cur.name, other.name, cur.name] : [cur.name, other.name];
      const shape = [...cur.type.shape];
      shape[axis] = ins.map((i) => (i === cur.name ? cur.type : other.type).shape[axis]!).reduce((a, x) => addDim(a, x), 0 as Dim);
      return b.node("Concat", ins, { axis: rng.chance(0.3) ? axis - 3 : axis }, [f32(shape)], rng);
    }
  }
}

function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => {
    const e = b[i]!;
    return typeof d === "number" || typeof e === "number" ? d === e : JSON.stringify(d) === JSON.stringify(e);
  });
}
