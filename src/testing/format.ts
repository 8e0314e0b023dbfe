// Readable text of the data in a counterexample: tensors as nested lists (numbers written as
// in IR text), cut short past a limit so a large input cannot drown the report.
import { isPackedFloat } from "../../ir/dtype.js";
import { tensorToF64 } from "../../ir/float-formats.js";
import type { Graph } from "../../ir/graph.js";
import { MAX_LITERAL_ELEMENTS } from "../../ir/text/index.js";
import { formatF32, formatNumber, formatValueName } from "../../ir/text/literals.js";
import type { Tensor } from "../../ir/types.js";

/** Elements printed before a tensor is cut short. */
export const MAX_PRINTED_ELEMENTS = 256;

function elementTexts(t: Tensor, limit: number): string[] {
  const n = Math.min(t.data.length, limit);
  const out = new Array<string>(n);
  if (isPackedFloat(t.dtype)) {
    const v = tensorToF64(t);
    for (let i = 0; i < n; i++) out[i] = formatNumber(v[i]!);
  } else {
    const d = t.data as ArrayLike<unknown>;
    for (let i = 0; i < n; i++) {
      const x = d[i];
      out[i] = typeof x === "number" ? (t.dtype === "f32" ? formatF32(x) : t.dtype === "bool" ? (x ? "true" : "false") : formatNumber(x)) : typeof x === "string" ? JSON.stringify(x) : String(x);
    }
  }
  return out;
}

/** The tensor as nested lists following its shape, e.g. [[1, 2], [3, 4]]. */
export function formatTensorList(t: Tensor, limit = MAX_PRINTED_ELEMENTS): string {
  const total = t.data.length;
  const texts = elementTexts(t, limit);
  if (total > limit) return `[${texts.join(", ")}, ... (${total - limit} more, ${total} in all, row-major)]`;
  let k = 0;
  const nest = (axis: number): string => {
    if (axis === t.shape.length) return texts[k++]!;
    const parts: string[] = [];
    for (let i = 0; i < t.shape[axis]!; i++) parts.push(nest(axis + 1));
    return `[${parts.join(", ")}]`;
  };
  return nest(0);
}

/** One line per tensor: `%x: f32[1,2,3] = [[[...]]]`. */
export function formatTensors(tensors: Readonly<Record<string, Tensor>>, limit = MAX_PRINTED_ELEMENTS): string {
  return Object.entries(tensors)
    .map(([name, t]) => `${formatValueName(name)}: ${t.dtype}[${t.shape.join(",")}] = ${formatTensorList(t, limit)}`)
    .join("\n");
}

/**
 * The constants that IR text writes in base64 (more than MAX_LITERAL_ELEMENTS elements), as
 * lists, so a reader of a counterexample can see the weights; empty when there are none.
 */
export function formatLargeConstants(g: Graph, limit = MAX_PRINTED_ELEMENTS): string {
  const big = Object.fromEntries(Object.entries(g.constants).filter(([, t]) => t.data.length > MAX_LITERAL_ELEMENTS && t.dtype !== "string"));
  return formatTensors(big, limit);
}
