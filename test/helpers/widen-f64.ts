// A graph and its inputs widened from float32 to float64, for tests that measure what a pass does
// to the numbers apart from the float32 rounding of evaluating it: the interpreter sums float32
// data in float32 (docs/fast-engine.md) and float64 data in double, so running both graphs
// widened leaves only the pass's own error (e.g. folded weights rounded to float32).
import { makeGraph, type Graph } from "../../ir/graph.js";
import { castTensor } from "../../ir/kernels/elementwise-cast.js";
import type { Tensor } from "../../ir/types.js";

/** The tensor as f64 when it is f32 (exactly: every float is a double); otherwise unchanged. */
export function widenTensor(t: Tensor): Tensor {
  return t.dtype === "f32" ? castTensor(t, "f64") : t;
}

/** The graph with every f32 value and constant made f64. */
export function widenGraph(g: Graph): Graph {
  const types = Object.fromEntries(Object.entries(g.types).map(([k, t]) => [k, t.dtype === "f32" ? { ...t, dtype: "f64" as const } : t]));
  const constants = Object.fromEntries(Object.entries(g.constants).map(([k, t]) => [k, widenTensor(t)]));
  return makeGraph({ ...g, types, constants });
}
