// Helpers for the rules that recognize what exporters decompose (LayerNorm, GELU, HardSwish):
// scalar constants compared with a stated tolerance, products flattened into their factors, and
// the check that a matched chain's intermediate values are read by nothing outside the chain.
import type { Node } from "../../ir/graph.js";
import type { GraphView } from "../patterns.js";

/**
 * Relative tolerance for the constants of a decomposed op (sqrt(2), 1/6, sqrt(2/pi), 0.044715...).
 * 1e-6 is about 8 f32 ulps: it accepts every f32 rounding of the constant and a decimal of it
 * written to 7 significant digits, and nothing that computes a visibly different function
 * (0.79788 for sqrt(2/pi) is 6e-6 away and is declined).
 */
export const CONSTANT_RTOL = 1e-6;

/** Whether `got` is `want` within CONSTANT_RTOL. */
export function near(got: number, want: number): boolean {
  return Math.abs(got - want) <= CONSTANT_RTOL * Math.abs(want);
}

/** The value of a constant whose elements are all equal (a scalar or a splat), else undefined. */
export function scalarOf(g: GraphView, v: string): number | undefined {
  const t = g.constant(v);
  if (!t || t.data.length === 0 || t.dtype === "string" || typeof t.data[0] === "bigint") return undefined;
  const x = Number(t.data[0]);
  for (let i = 1; i < t.data.length; i++) if (Number(t.data[i]) !== x) return undefined;
  return x;
}

/** The producer of v when it is an `op` node whose output nothing else reads. */
export function privateProducer(g: GraphView, v: string, op: string): Node | undefined {
  const p = g.producer(v);
  return p?.op === op && g.hasSingleUse(v) ? p : undefined;
}

/** The factors of a product: constant scalars multiplied into `scale`, the other values listed. */
export interface Factors {
  scale: number;
  readonly values: string[];
  /** The Mul / Div nodes the product was read through (to be absorbed). */
  readonly nodes: Node[];
}

/**
 * Flattens the product that makes `v`: a Mul, or a Div by a scalar constant, whose output only
 * this product reads is opened up into its operands.
 * `v` itself is opened whatever its uses (it is the rule's root or already known private).
 */
export function factorsOf(g: GraphView, v: string): Factors {
  const out: Factors = { scale: 1, values: [], nodes: [] };
  const visit = (w: string, top: boolean): void => {
    const c = scalarOf(g, w);
    if (c !== undefined) {
      out.scale *= c;
      return;
    }
    const p = g.producer(w);
    // Bounded: the spellings recognized have at most five factors.
    const open = p && (top || g.hasSingleUse(w)) && out.nodes.length < 8;
    if (open && p.op === "Mul" && p.inputs.length === 2) {
      out.nodes.push(p);
      visit(p.inputs[0]!, false);
      visit(p.inputs[1]!, false);
      return;
    }
    if (open && p.op === "Div") {
      const d = scalarOf(g, p.inputs[1]!);
      if (d !== undefined && d !== 0) {
        out.nodes.push(p);
        out.scale /= d;
        visit(p.inputs[0]!, false);
        return;
      }
    }
    out.values.push(w);
  };
  visit(v, true);
  return out;
}

/** Removes one occurrence of `v` from `list`; false when it is not there. */
export function takeOne(list: string[], v: string): boolean {
  const i = list.indexOf(v);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/**
 * The other operand of a two-input node whose one operand is a scalar constant near `want`
 * (either order when `commutative`), or undefined.
 */
export function otherThanConstant(g: GraphView, n: Node, want: number, commutative = true): string | undefined {
  const [a, b] = n.inputs as [string, string];
  if (n.inputs.length !== 2) return undefined;
  const cb = scalarOf(g, b);
  if (cb !== undefined && near(cb, want)) return a;
  const ca = scalarOf(g, a);
  if (commutative && ca !== undefined && near(ca, want)) return b;
  return undefined;
}
