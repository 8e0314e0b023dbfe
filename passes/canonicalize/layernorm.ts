// LayerNormalization as one op: below opset 17 ONNX has no LayerNormalization, so PyTorch (and
// others) export nn.LayerNorm as its formula,
//   m = ReduceMean(x, last axes); d = x - m; v = ReduceMean(d^2, same axes)
//   y = d / Sqrt(v + eps)  [* weight]  [+ bias]
// nine nodes, two of them full passes for the statistics. The rules write it as
// LayerNormalization {axis, epsilon}, which has a fused C kernel and an integer one.
//
// Recognized variants: d^2 as Pow(d, 2) (canonicalize makes it Mul(d, d) first) or Mul(d, d),
// with d written once or twice; Div by the Sqrt or Mul by its Reciprocal (Pow(., -1) and
// Pow(., 0.5) become those first); axes as an attribute or an input (import reads the input);
// the reduced axes must be the trailing ones with keepdims=1; epsilon is read from the graph.
// Without weight and bias the LayerNormalization gets a scale of ones; a following Mul / Add by
// a constant that broadcasts only over the normalized axes is then folded into its scale / bias
// by a second rule (which also applies to LayerNormalization nodes imported as such).
import type { Node } from "../../ir/graph.js";
import { normAxis } from "../../ir/shape-util.js";
import { typesEqual } from "../../ir/types.js";
import { expandTo } from "../../ir/ops/nn/layernorm.js";
import { floatTensor, isComputeFloat } from "../float-constants.js";
import { decline, ensure, rule, type GraphView, type Rule } from "../patterns.js";
import { privateProducer, scalarOf } from "./match.js";

interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepdims: number;
  readonly noop_with_empty_axes: number;
}

/** The first normalized axis when `mean` is a keepdims ReduceMean of x over trailing axes; else a reason. */
function trailingAxis(g: GraphView, mean: Node, x: string): number | string {
  const rank = g.type(x).shape.length;
  const a = g.attrs<ReduceAttrs>(mean);
  if (a.keepdims !== 1) return `ReduceMean ${mean.name} drops the reduced axes (keepdims=0)`;
  if (a.axes.length === 0) return `ReduceMean ${mean.name} reduces every axis`;
  const axes = [...new Set(a.axes.map((k) => normAxis(k, rank)))].sort((p, q) => p - q);
  const first = axes[0]!;
  if (axes[axes.length - 1] !== rank - 1 || axes.length !== rank - first) return `ReduceMean ${mean.name} reduces axes [${a.axes.join(", ")}], not the trailing ones`;
  return first;
}

/** Users of `v` all within `allowed`, and v no graph output. */
function readOnlyBy(g: GraphView, v: string, allowed: readonly Node[]): boolean {
  return !g.isGraphOutput(v) && g.users(v).every((u) => allowed.includes(u));
}

/** The Sub computing x - mean that `e` is: `d`'s own Sub, or a second one with the same operands. */
function sameDeviation(g: GraphView, e: string, sub: Node, mean: Node, sq: Node): Node | undefined {
  if (e === sub.outputs[0]) return sub;
  const other = g.producer(e);
  if (other?.op !== "Sub" || !readOnlyBy(g, e, [sq]) || other.inputs[0] !== sub.inputs[0]) return undefined;
  const m2 = other.inputs[1]!;
  if (m2 === mean.outputs[0]) return other;
  const mean2 = privateProducer(g, m2, "ReduceMean");
  return mean2 && mean2.inputs[0] === sub.inputs[0] && JSON.stringify(g.attrs(mean2)) === JSON.stringify(g.attrs(mean)) ? other : undefined;
}

export const layerNormRule: Rule = rule(["Div", "Mul"], (root, g) => {
  // y = d / s, or d * Reciprocal(s).
  let d: string, s: string;
  const nodes: Node[] = [];
  if (root.op === "Div") {
    [d, s] = root.inputs as [string, string];
  } else {
    const [a, b] = root.inputs as [string, string];
    const rb = privateProducer(g, b, "Reciprocal"), ra = privateProducer(g, a, "Reciprocal");
    const r = rb ?? ra;
    if (!r) return undefined;
    d = rb ? a : b;
    s = r.inputs[0]!;
    nodes.push(r);
  }
  const sub = g.producer(d);
  const sqrt = privateProducer(g, s, "Sqrt");
  if (sub?.op !== "Sub" || !sqrt) return undefined;
  const [x, m] = sub.inputs as [string, string];
  const mean = g.producer(m);
  if (mean?.op !== "ReduceMean" || mean.inputs[0] !== x) return undefined;
  // v + eps, either order.
  const add = privateProducer(g, sqrt.inputs[0]!, "Add");
  if (!add) return undefined;
  const [p, q] = add.inputs as [string, string];
  const epsOn = scalarOf(g, q) !== undefined ? 1 : scalarOf(g, p) !== undefined ? 0 : -1;
  if (epsOn < 0) return undefined;
  const eps = scalarOf(g, add.inputs[epsOn]!)!;
  const variance = privateProducer(g, add.inputs[1 - epsOn]!, "ReduceMean");
  if (!variance) return undefined;
  // d^2: Mul(e, e) or Pow(e, 2) with e = x - mean.
  const sq = g.producer(variance.inputs[0]!);
  if (!sq || !g.hasSingleUse(variance.inputs[0]!)) return undefined;
  const e = sq.op === "Mul" && sq.inputs[0] === sq.inputs[1] ? sq.inputs[0]! : sq.op === "Pow" && scalarOf(g, sq.inputs[1]!) === 2 ? sq.inputs[0]! : undefined;
  const dev2 = e !== undefined ? sameDeviation(g, e, sub, mean, sq) : undefined;
  if (!dev2) return undefined;

  // The pattern is there: from here on a mismatch is a reason worth printing.
  ensure(isComputeFloat(g.type(x).dtype), `%${x} is ${g.type(x).dtype}`);
  const axis = trailingAxis(g, mean, x);
  ensure(typeof axis === "number", () => axis as string);
  ensure(trailingAxis(g, variance, x) === axis, `the mean and the variance reduce different axes`);
  ensure(eps >= 0, `epsilon ${eps} is negative`);
  ensure(readOnlyBy(g, d, [sq, root, ...(dev2 === sub ? [] : [dev2])]), `%${d} (x - mean) is read outside the normalization`);
  ensure(readOnlyBy(g, m, [sub, dev2]), `%${m} (the mean) is read outside the normalization`);
  const out = root.outputs[0]!;
  ensure(typesEqual(g.type(out), g.type(x)), "the division broadcasts x to another shape");
  const norm = g.type(x).shape.slice(axis);
  ensure(norm.every((dim) => typeof dim === "number"), "the normalized dims are symbolic (a scale of ones needs their sizes)");
  const dtype = g.type(x).dtype as "f32" | "f64";
  const rank = g.type(x).shape.length;
  nodes.push(sub, mean, sqrt, add, variance, sq, ...(dev2 === sub ? [] : [dev2]));
  const rw = g.rewrite(root).absorb(...nodes);
  const shape = norm as number[];
  const ones = rw.constant(`${out}.scale`, floatTensor(dtype, shape, new Float64Array(shape.reduce((u, k) => u * k, 1)).fill(1)));
  const y = rw.op1("LayerNormalization", [x, ones], { axis: axis - rank, epsilon: eps });
  return rw.explain(`(x - mean) / sqrt(var + ${eps}) over the last ${rank - axis} axes is LayerNormalization`).replaceWith(y);
}, "layernorm-spelled-out");

/** The LayerNormalization producing `v` alone (its other outputs unread), or undefined. */
function plainLayerNorm(g: GraphView, v: string): Node | undefined {
  const ln = privateProducer(g, v, "LayerNormalization");
  return ln && ln.outputs.slice(1).every((o) => o === "" || g.useCount(o) === 0) ? ln : undefined;
}

/** LayerNormalization(x) * c and + c, c a constant over the normalized axes: folded into scale / bias. */
export const layerNormAffineRule: Rule = rule(["Mul", "Add"], (root, g) => {
  const [a, b] = root.inputs as [string, string];
  const lnA = plainLayerNorm(g, a), lnB = plainLayerNorm(g, b);
  const ln = lnA && g.isConstant(b) ? lnA : lnB && g.isConstant(a) ? lnB : undefined;
  if (!ln) return undefined;
  const c = g.constant(ln === lnA ? b : a)!;
  const x = ln.inputs[0]!;
  const xt = g.type(x);
  ensure(isComputeFloat(c.dtype) && c.dtype === xt.dtype, `the constant is ${c.dtype}, the LayerNormalization ${xt.dtype}`);
  ensure(typesEqual(g.type(root.outputs[0]!), g.type(ln.outputs[0]!)), `the ${root.op} broadcasts the normalized values to another shape`);
  const axis = normAxis(g.attrs<{ axis: number }>(ln).axis, xt.shape.length);
  const norm = xt.shape.slice(axis);
  ensure(norm.every((dim) => typeof dim === "number"), "the normalized dims are symbolic");
  const lead = c.shape.length - norm.length;
  ensure(c.shape.slice(0, Math.max(0, lead)).every((dim) => dim === 1), `the constant ${root.op === "Mul" ? "scale" : "shift"} varies over axes that are not normalized`);
  const [scaleName, biasName] = [ln.inputs[1]!, ln.inputs[2] ?? ""];
  const scale = g.constant(scaleName), bias = biasName ? g.constant(biasName) : undefined;
  if (!scale || (biasName && !bias)) return decline(`the LayerNormalization's ${!scale ? "scale" : "bias"} is computed at run time`);
  const shape = norm as number[];
  const cv = expandTo({ ...c, shape: c.shape.slice(Math.max(0, lead)) }, shape);
  const sv = expandTo(scale, shape), bv = bias ? expandTo(bias, shape) : undefined;
  const n = cv.length;
  const dtype = xt.dtype as "f32" | "f64";
  const rw = g.rewrite(root).absorb(ln);
  const cName = ln === lnA ? b : a;
  // A scale of ones times c is c, and 0 + c is c: the model's own weight or bias constant is
  // used as it is when it already fits the LayerNormalization's scale / bias (no leading dims).
  const reuse = lead <= 0 && Array.prototype.every.call(root.op === "Mul" ? sv : bv ?? [], (v: number) => v === (root.op === "Mul" ? 1 : 0));
  let newScale = scaleName, newBias: string;
  if (root.op === "Mul") {
    newScale = reuse ? cName : rw.constant(`${scaleName}.scaled`, floatTensor(dtype, shape, Float64Array.from({ length: n }, (_, i) => sv[i]! * cv[i]!)));
    newBias = bv ? rw.constant(`${biasName}.scaled`, floatTensor(dtype, shape, Float64Array.from({ length: n }, (_, i) => bv[i]! * cv[i]!))) : "";
  } else {
    newBias = reuse ? cName : rw.constant(`${biasName || `${ln.outputs[0]}.bias`}.shifted`, floatTensor(dtype, shape, Float64Array.from({ length: n }, (_, i) => (bv ? bv[i]! : 0) + cv[i]!)));
  }
  const y = rw.op1("LayerNormalization", newBias ? [x, newScale, newBias] : [x, newScale], ln.attrs);
  return rw.explain(`the ${root.op === "Mul" ? "scale" : "shift"} is folded into LayerNormalization ${ln.name}'s ${root.op === "Mul" ? "scale" : "bias"}`).replaceWith(y);
}, "layernorm-affine");
