// Swish (SiLU) as one op: PyTorch exports x * sigmoid(x) as Mul(x, Sigmoid(x)) (and
// x * sigmoid(a * x) with a scalar Mul inside), since ONNX had no Swish before opset 24. The
// rule writes it as Swish(x) {alpha}, one element-wise op with its own C, int8 table and
// gradient, instead of two passes over the data and a temporary. The ONNX exporter writes it
// back as Sigmoid and Mul.
import type { Node } from "../../ir/graph.js";
import { typesEqual } from "../../ir/types.js";
import { isComputeFloat } from "../float-constants.js";
import { decline, ensure, rule, type GraphView, type Rule } from "../patterns.js";

/** The scalar constant of a Mul(x, c) or Mul(c, x) producing `v` from x, or undefined. */
function scaleOf(v: string, x: string, g: GraphView): number | undefined {
  const m = g.producer(v);
  if (m?.op !== "Mul" || !g.hasSingleUse(v)) return undefined;
  const [a, b] = m.inputs as [string, string];
  const c = a === x ? b : b === x ? a : undefined;
  const t = c !== undefined ? g.constant(c) : undefined;
  return t && t.data.length === 1 ? Number(t.data[0]) : undefined;
}

/** For one operand order of the Mul: the Sigmoid of x (possibly of alpha * x) it multiplies x by. */
function sigmoidOf(x: string, s: string, g: GraphView): { sigmoid: Node; alpha: number; inner?: Node } | undefined {
  const sig = g.producer(s);
  if (sig?.op !== "Sigmoid") return undefined;
  const arg = sig.inputs[0]!;
  if (arg === x) return { sigmoid: sig, alpha: 1 };
  const alpha = scaleOf(arg, x, g);
  return alpha === undefined ? undefined : { sigmoid: sig, alpha, inner: g.producer(arg) };
}

export const swishRule: Rule = rule("Mul", (mul, g) => {
  const [a, b] = mul.inputs as [string, string];
  const m = sigmoidOf(a, b, g) ?? sigmoidOf(b, a, g);
  if (!m) return undefined;
  const x = m.sigmoid.outputs[0] === b ? a : b;
  ensure(isComputeFloat(g.type(x).dtype), `%${x} is ${g.type(x).dtype}`);
  const s = m.sigmoid.outputs[0]!;
  if (!g.hasSingleUse(s) || g.isGraphOutput(s)) return decline(`%${s} (the Sigmoid output) is read elsewhere too`);
  const out = mul.outputs[0]!;
  ensure(typesEqual(g.type(out), g.type(x)), "the Mul broadcasts x to another shape");
  const rw = g.rewrite(mul).absorb(m.sigmoid, ...(m.inner ? [m.inner] : []));
  const y = rw.op1("Swish", [x], m.alpha === 1 ? {} : { alpha: m.alpha });
  return rw.explain(m.alpha === 1 ? "x * Sigmoid(x) is Swish(x)" : `x * Sigmoid(${m.alpha} * x) is Swish(x) {alpha=${m.alpha}}`).replaceWith(y);
}, "mul-sigmoid-to-swish");
