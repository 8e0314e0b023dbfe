// Algebraic rewrite tables: small rules written as data, `{ op: "Mul", args: [$("x"), splat(1)],
// commutative: true, result: "x" }`, turned into pattern rules by `algebraic(table)`.
//
// An argument matcher captures the value (`$("x")`), or tests it (`splat(1)`: a constant whose
// elements all equal 1, `producedBy("Transpose")`...). The result is a captured value, or a
// function building a new one. Replacing by a capture is only done when the types agree, so a
// constant that broadcasts (x:[4] * ones:[2,4]) declines instead of changing the shape.
import type { Node } from "../ir/graph.js";
import { typeToString, typesEqual } from "../ir/types.js";
import { decline, replace, type GraphView, type RewriteBuilder, type Rule } from "./patterns.js";
import { rule } from "./patterns.js";

/** True, or why the value does not match. */
export type ValueTest = (value: string, g: GraphView) => true | string;

export interface ArgMatcher {
  readonly capture?: string;
  readonly test?: ValueTest;
}

export type Captures = Readonly<Record<string, string>> & { readonly node: Node };

export interface AlgebraicRule {
  /** Shown by --explain: "x*1". */
  readonly name: string;
  readonly op: string;
  readonly args: readonly ArgMatcher[];
  /** For binary ops: also try the arguments swapped. */
  readonly commutative?: boolean;
  /** Extra condition on the whole match. */
  readonly when?: (m: Captures, g: GraphView) => true | string;
  /** A capture name, or a builder returning the replacement value. */
  readonly result: string | ((m: Captures, b: RewriteBuilder, g: GraphView) => string);
}

/** Matches any value and names it. */
export function $(name: string, test?: ValueTest): ArgMatcher {
  return { capture: name, test };
}

/** A constant whose elements all equal `v` (any numeric dtype). */
export function splat(v: number): ArgMatcher {
  return { test: (value, g) => (isSplat(g, value, v) ? true : `%${value} is not a constant splat of ${v}`) };
}

/** True when `value` is a constant whose elements all equal v. */
export function isSplat(g: GraphView, value: string, v: number): boolean {
  const t = g.constant(value);
  if (!t || t.data.length === 0 || t.dtype === "string") return false;
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (Number(d[i]) !== v) return false;
  return true;
}

/** A value produced by one of `ops`. */
export function producedBy(...ops: string[]): ValueTest {
  return (value, g) => {
    const p = g.producer(value);
    return p && ops.includes(p.op) ? true : `%${value} is not produced by ${ops.join(" or ")}`;
  };
}

/** Turns a table into rules (one per entry, named after it). */
export function algebraic(table: readonly AlgebraicRule[]): Rule[] {
  return table.map((entry) =>
    rule(entry.op, (node, g) => {
      const orders = entry.commutative && node.inputs.length === 2 ? [[0, 1], [1, 0]] : [node.inputs.map((_, k) => k)];
      let why = "";
      for (const order of orders) {
        const m = matchArgs(entry, node, order, g);
        if (typeof m === "string") {
          why ||= m;
          continue;
        }
        if (entry.when) {
          const ok = entry.when(m, g);
          if (ok !== true) {
            why ||= ok;
            continue;
          }
        }
        if (typeof entry.result === "string") {
          const v = m[entry.result];
          if (v === undefined) throw new Error(`algebraic rule ${entry.name}: result '${entry.result}' is not captured`);
          const out = node.outputs[0]!;
          if (!typesEqual(g.type(v), g.type(out))) {
            why ||= `the result would have type ${typeToString(g.type(v))}, not ${typeToString(g.type(out))} (the constant broadcasts)`;
            continue;
          }
          return replace(node, v);
        }
        const b = g.rewrite(node);
        return b.replaceWith(entry.result(m, b, g));
      }
      return why ? decline(why) : undefined;
    }, entry.name),
  );
}

function matchArgs(entry: AlgebraicRule, node: Node, order: readonly number[], g: GraphView): Captures | string {
  if (node.inputs.length !== entry.args.length) return `${node.op} has ${node.inputs.length} inputs, the pattern ${entry.args.length}`;
  const caps: Record<string, string> = {};
  for (let k = 0; k < entry.args.length; k++) {
    const a = entry.args[k]!;
    const v = node.inputs[order[k]!]!;
    if (!v) return `input ${order[k]} is absent`;
    if (a.test) {
      const ok = a.test(v, g);
      if (ok !== true) return ok;
    }
    if (a.capture) {
      if (caps[a.capture] !== undefined && caps[a.capture] !== v) return `the two '${a.capture}' are different values`;
      caps[a.capture] = v;
    }
  }
  return Object.assign(caps, { node }) as Captures;
}
