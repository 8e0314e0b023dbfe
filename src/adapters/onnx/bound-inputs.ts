// The inputs an import bound to constants (`--bind NAME=VALUE`, the import option `bind`),
// remembered in the graph's metadata so that readers of input folders can tell a tensor for a
// bound input from a stray file: a folder made for the unspecialized model still holds them.
// A set that gives a bound input the same value fits the graph (the tensor is dropped); one
// that gives another value belongs to another specialization (`neonc run` and `check` refuse
// it; a calibration folder skips it and says so).
import type { Graph } from "../../../ir/graph.js";
import { toNumbers, type Tensor } from "../../../ir/types.js";

const META_KEY = "neonc.bound";

/** A bound input's value: its shape and its elements as numbers. */
export interface BoundValue {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/** The metadata entry that records `bound` (name -> the tensor it was bound to). */
export function boundInputsMeta(bound: ReadonlyMap<string, Tensor>): Record<string, string> {
  if (bound.size === 0) return {};
  const record: Record<string, BoundValue> = {};
  for (const [name, t] of bound) record[name] = { shape: [...t.shape], values: toNumbers(t) };
  return { [META_KEY]: JSON.stringify(record) };
}

/** The inputs `graph` was bound at import, by name (empty when none). */
export function boundInputsOf(graph: Graph): ReadonlyMap<string, BoundValue> {
  const text = graph.meta?.[META_KEY];
  return new Map(text ? Object.entries(JSON.parse(text) as Record<string, BoundValue>) : []);
}

/** True when `t` holds the bound value (the same elements; shapes may differ by 1s, as a scalar and [1] do). */
export function holdsBoundValue(t: Tensor, bound: BoundValue): boolean {
  const got = toNumbers(t);
  return got.length === bound.values.length && got.every((v, i) => v === bound.values[i]);
}

/** The bound value in words, for messages: `16000`, `[1, 2]`. */
export function describeBound(values: readonly number[]): string {
  return values.length === 1 ? String(values[0]) : `[${values.join(", ")}]`;
}
