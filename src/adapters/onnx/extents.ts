// Bounds of the lengths an ONNX model computes at run time (extents, ir/dim.ts).
//
// `Range(0, ReduceMax(lengths))` has a length no shape gives: the importer names it (len1) and
// needs an upper bound over the model's symbolic dims to size buffers. The bound is the dim the
// extent first meets: a node whose input has the extent on an axis where its output, aligned from
// the last axis as broadcasting aligns them, has another dim (a padding mask [N,len1] broadcast
// against or reshaped to [N,1,1,T] meets T). At run time the extent must then equal that dim (or
// be 1, in a broadcast), so the bound is tight; the interpreter and the C check it. A Slice up to
// the extent (x[:, :len1]) bounds it by the sliced dim.
import { asExtent, dimExtents, dimEquals, PENDING_BOUND, type Dim } from "../../../ir/dim.js";
import type { TensorType } from "../../../ir/types.js";

interface NodeTypes {
  readonly ins: readonly (TensorType | undefined)[];
  readonly outs: readonly TensorType[];
  readonly op: string;
}

/** True when d mentions no extent at all. */
function extentFree(d: Dim): boolean {
  return dimExtents(d).size === 0 && !dimEquals(d, PENDING_BOUND);
}

/**
 * The bound of every extent that shapes a value, from the types of the first import pass (nodes in
 * order). `fail` gets one sentence for an extent that meets no other dim.
 */
export function extentBounds(nodes: readonly NodeTypes[], made: ReadonlyMap<string, string>, fail: (msg: string) => never): Map<string, Dim> {
  const bounds = new Map<string, Dim>();
  const used = new Set<string>();
  for (const n of nodes) {
    for (const t of [...n.ins, ...n.outs]) for (const d of t?.shape ?? []) for (const name of dimExtents(d).keys()) used.add(name);
    for (const x of n.ins) {
      if (!x) continue;
      x.shape.forEach((d, i) => {
        const e = asExtent(d);
        if (!e || bounds.has(e.name)) return;
        const fromEnd = x.shape.length - i;
        for (const o of n.outs) {
          const od = o.shape[o.shape.length - fromEnd];
          if (od === undefined || od === 1 || !extentFree(od)) continue;
          bounds.set(e.name, od);
          return;
        }
      });
    }
    // A Slice's output is no longer than its input on each axis: x[:, :len1] of [N,T] bounds len1 by T.
    if (n.op === "Slice" && n.ins[0] && n.outs[0]) {
      n.outs[0].shape.forEach((d, i) => {
        const e = asExtent(d);
        const xd = n.ins[0]!.shape[i];
        if (e && !bounds.has(e.name) && xd !== undefined && extentFree(xd)) bounds.set(e.name, xd);
      });
    }
  }
  for (const name of used) {
    if (!bounds.has(name)) {
      fail(`${made.get(name) ?? name}: its value is a length computed at run time (${name}) that never meets a symbolic dim bounding it; neonc needs such a bound to size buffers`);
    }
  }
  return bounds;
}
