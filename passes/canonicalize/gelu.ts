// GELU as one op: before opset 20 ONNX has no Gelu, so PyTorch exports nn.GELU() as its formula,
//   erf:  x * (Erf(x / sqrt(2)) + 1) * 0.5
//   tanh: 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x * x * x)))   (approximate="tanh")
// five to nine element-wise nodes, each a pass over the data with a temporary. The rule writes
// either as Gelu(x) {approximate}, which has its own C, int8 table and gradient.
//
// The product may be associated in any order, halved by Mul(0.5) or Div(2), x/sqrt(2) written as
// Mul by 1/sqrt(2), and x^3 as Pow(x, 3) or x*x*x. Constants must match within CONSTANT_RTOL
// (./match.ts); every intermediate value must be read by the pattern alone.
import type { Node } from "../../ir/graph.js";
import { typesEqual } from "../../ir/types.js";
import { isComputeFloat } from "../float-constants.js";
import { ensure, rule, type GraphView, type Rule } from "../patterns.js";
import { factorsOf, near, otherThanConstant, privateProducer, scalarOf } from "./match.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const KAPPA = 0.044715;

interface GeluMatch {
  readonly x: string;
  readonly approximate: "none" | "tanh";
  readonly nodes: Node[];
}

/** `v` = Erf(x / sqrt(2)) + 1, its nodes private: the nodes, else undefined. */
function erfTerm(g: GraphView, v: string, x: string): Node[] | undefined {
  const add = privateProducer(g, v, "Add");
  const e = add && otherThanConstant(g, add, 1);
  const erf = e !== undefined ? privateProducer(g, e, "Erf") : undefined;
  if (!add || !erf) return undefined;
  const u = erf.inputs[0]!;
  if (!g.hasSingleUse(u)) return undefined;
  const f = factorsOf(g, u);
  if (f.nodes.length === 0 || f.values.length !== 1 || f.values[0] !== x || !near(f.scale, Math.SQRT1_2)) return undefined;
  return [add, erf, ...f.nodes];
}

/** `v` = 1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)), its nodes private: the nodes, else undefined. */
function tanhTerm(g: GraphView, v: string, x: string): Node[] | undefined {
  const add = privateProducer(g, v, "Add");
  const t = add && otherThanConstant(g, add, 1);
  const tanh = t !== undefined ? privateProducer(g, t, "Tanh") : undefined;
  if (!add || !tanh) return undefined;
  const u = tanh.inputs[0]!;
  if (!g.hasSingleUse(u)) return undefined;
  const outer = factorsOf(g, u);
  if (outer.nodes.length === 0 || outer.values.length !== 1 || !near(outer.scale, SQRT_2_OVER_PI)) return undefined;
  const sum = privateProducer(g, outer.values[0]!, "Add");
  if (!sum) return undefined;
  const [a, b] = sum.inputs as [string, string];
  const w = a === x ? b : b === x ? a : undefined;
  if (w === undefined || !g.hasSingleUse(w)) return undefined;
  const cube = factorsOf(g, w);
  if (cube.nodes.length === 0 || !near(cube.scale, KAPPA)) return undefined;
  const nodes = [add, tanh, ...outer.nodes, sum, ...cube.nodes];
  if (cube.values.length === 3 && cube.values.every((c) => c === x)) return nodes;
  const pow = cube.values.length === 1 ? privateProducer(g, cube.values[0]!, "Pow") : undefined;
  if (pow && pow.inputs[0] === x && scalarOf(g, pow.inputs[1]!) === 3) return [...nodes, pow];
  return undefined;
}

/** The GELU whose last product is `root`, or undefined. */
function matchGelu(g: GraphView, root: Node): GeluMatch | undefined {
  const f = factorsOf(g, root.outputs[0]!);
  if (f.values.length !== 2 || !near(f.scale, 0.5)) return undefined;
  const [p, q] = f.values as [string, string];
  for (const [x, term] of [[p, q], [q, p]] as const) {
    const erf = erfTerm(g, term, x);
    if (erf) return { x, approximate: "none", nodes: [...f.nodes, ...erf] };
    const tanh = tanhTerm(g, term, x);
    if (tanh) return { x, approximate: "tanh", nodes: [...f.nodes, ...tanh] };
  }
  return undefined;
}

export const geluRule: Rule = rule(["Mul", "Div"], (root, g) => {
  const m = matchGelu(g, root);
  if (!m) return undefined;
  const out = root.outputs[0]!;
  ensure(isComputeFloat(g.type(m.x).dtype), `%${m.x} is ${g.type(m.x).dtype}`);
  ensure(typesEqual(g.type(out), g.type(m.x)), "the product broadcasts x to another shape");
  const rw = g.rewrite(root).absorb(...m.nodes.filter((n) => n !== root));
  const y = rw.op1("Gelu", [m.x], m.approximate === "tanh" ? { approximate: "tanh" } : {});
  return rw.explain(m.approximate === "tanh" ? "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) is Gelu(x) {approximate=tanh}" : "0.5 * x * (1 + erf(x / sqrt(2))) is Gelu(x)").replaceWith(y);
}, "gelu-spelled-out");
