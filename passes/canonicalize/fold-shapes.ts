// Shape-computation folding: Shape, Size and the integer arithmetic on their results
// (Gather, Concat, Mul, Unsqueeze ...) fold to constants once the dims they read are known,
// e.g. after a pass made a symbolic dim static. The values are tracked as Dim vectors through
// each op's `foldDims`, exactly as the frontend does at import.
import { isSymbolic, type Dim } from "../../ir/dim.js";
import { resolveAttrs } from "../../ir/op.js";
import { findOp } from "../../ir/registry.js";
import { fromNumbers, numel, toNumbers } from "../../ir/types.js";
import { rule, type GraphView, type Rule } from "../patterns.js";

/** Small integer vectors are tracked; bigger tensors are not shape arithmetic. */
const MAX_TRACKED = 64;

/** The element values of `value` as dims, when they are known (possibly symbolic). */
export function knownDims(g: GraphView, value: string, depth = 0): readonly Dim[] | undefined {
  if (!value || depth > 64) return undefined;
  const key = `dims:${value}`;
  if (g.memo.has(key)) return g.memo.get(key) as readonly Dim[] | undefined;
  let out: readonly Dim[] | undefined;
  const c = g.constant(value);
  if (c) {
    out = (c.dtype === "i64" || c.dtype === "i32") && c.shape.length <= 1 && c.data.length <= MAX_TRACKED ? toNumbers(c) : undefined;
  } else {
    const p = g.producer(value);
    const def = p ? findOp(p.op) : undefined;
    if (p && def?.foldDims) {
      const ins = p.inputs.map((i) => knownDims(g, i, depth + 1));
      const types = p.inputs.map((i) => (i ? g.type(i) : undefined));
      try {
        const res = def.foldDims(ins, resolveAttrs(def, p.attrs), types);
        out = res?.[p.outputs.indexOf(value)];
      } catch {
        out = undefined;
      }
    }
  }
  g.memo.set(key, out);
  return out;
}

export const foldShapesRule: Rule = rule("*", (node, g) => {
  const def = findOp(node.op);
  if (!def?.foldDims || node.outputs.length !== 1) return undefined;
  const o = node.outputs[0]!;
  const t = g.type(o);
  if (t.shape.some(isSymbolic) || (t.dtype !== "i64" && t.dtype !== "i32")) return undefined;
  const dims = knownDims(g, o);
  if (!dims || dims.some(isSymbolic) || dims.length !== numel(t.shape as number[])) return undefined;
  const b = g.rewrite(node);
  return b.explain(`shape computation folded to [${dims.join(", ")}]`).replaceWith(b.constant(o, fromNumbers(t.dtype, t.shape as number[], dims as number[])));
}, "fold-shape-computation");
