// Layout-only ops: double transposes, reshape of reshape, squeeze/unsqueeze pairs, and views
// that give back the type they started from.
//
// Views (the `view` trait: Reshape, Squeeze, Unsqueeze, Flatten, Identity) only relabel the dims
// of row-major data, so a chain of them whose result has the same type as a value earlier in
// the chain is that value.
import type { Dim } from "../../ir/dim.js";
import type { Node } from "../../ir/graph.js";
import { isView } from "../../ir/traits.js";
import { typesEqual } from "../../ir/types.js";
import { decline, replace, rule, type GraphView, type Rule } from "../patterns.js";

/** Resolved perm of a Transpose on a rank-r input (default: reversed). */
function permOf(g: GraphView, n: Node): number[] {
  const r = g.type(n.inputs[0]!).shape.length;
  const p = g.attrs<{ perm?: readonly number[] }>(n).perm;
  return p ? p.map((a) => (a < 0 ? a + r : a)) : Array.from({ length: r }, (_, i) => r - 1 - i);
}

export const transposeRules: Rule[] = [
  rule("Transpose", (node, g) => {
    const p = permOf(g, node);
    if (!p.every((a, i) => a === i)) return undefined;
    return replace(node, node.inputs[0]!);
  }, "identity-transpose"),

  rule("Transpose", (node, g) => {
    const inner = g.producer(node.inputs[0]!);
    if (inner?.op !== "Transpose") return undefined;
    // y = T(x, p1), z = T(y, p2): z axis i is y axis p2[i], which is x axis p1[p2[i]].
    const p1 = permOf(g, inner);
    const p2 = permOf(g, node);
    const perm = p2.map((i) => p1[i]!);
    const x = inner.inputs[0]!;
    if (perm.every((a, i) => a === i)) return replace(node, x);
    const b = g.rewrite(node).absorb(inner);
    return b.explain("merged with the Transpose before it").replaceWith(b.op1("Transpose", [x], { perm }));
  }, "transpose-of-transpose"),
];

/** The values a view chain passes through, nearest first (the node's own input first). */
function viewAncestors(g: GraphView, node: Node): string[] {
  const out: string[] = [];
  let v = node.inputs[0]!;
  for (let depth = 0; depth < 32; depth++) {
    out.push(v);
    const p = g.producer(v);
    if (!p || !isView(p.op)) break;
    v = p.inputs[0]!;
  }
  return out;
}

export const viewRules: Rule[] = [
  rule(isView, (node, g) => {
    const want = g.type(node.outputs[0]!);
    const anc = viewAncestors(g, node);
    // The farthest ancestor with the same type removes the most nodes.
    for (let k = anc.length - 1; k >= 0; k--) {
      if (typesEqual(g.type(anc[k]!), want)) return replace(node, anc[k]!);
    }
    return undefined;
  }, "view-round-trip"),

  rule("Reshape", (node, g) => {
    const inner = g.producer(node.inputs[0]!);
    if (!inner || !isView(inner.op) || inner.op === "Identity") return undefined;
    const x = inner.inputs[0]!;
    const a = g.attrs<{ shape: readonly Dim[]; allowzero: number }>(node);
    // A 0 copies a dim of the (inner) input, which changes with the input: spell the result out.
    const shape = !a.allowzero && a.shape.some((d) => d === 0) ? g.type(node.outputs[0]!).shape : a.shape;
    if (g.type(x).quant) return decline("the input is quantized (per-axis parameters may not follow)");
    const b = g.rewrite(node).absorb(inner);
    return b.explain(`reads %${x} directly`).replaceWith(b.op1("Reshape", [x], { ...node.attrs, shape: [...shape] }));
  }, "reshape-of-view"),
];
