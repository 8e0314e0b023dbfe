// The calibration inputs of the integer convolutions the scaled Winograd scheme may take: the
// graph runs in the interpreter on a few calibration samples, and the input of every 1-D QConv
// with 8-bit activations is kept, per value name, for the rule to pick its input scales from.
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import type { InputSample } from "../../src/analyses/calibration/samples.js";
import { visitValues } from "../calibration-samples.js";

/** The tensors each candidate QConv input takes over `samples` (at most `limit` of them). */
export function captureConvInputs(graph: Graph, samples: Iterable<InputSample>, limit: number, onSample: () => void = () => {}): Map<string, Tensor[]> {
  const wanted = new Set<string>();
  for (const n of graph.nodes) {
    if (n.op !== "QConv") continue;
    const x = n.inputs[0]!, t = graph.types[x]!;
    if (t.shape.length === 3 && (t.dtype === "i8" || t.dtype === "u8")) wanted.add(x);
  }
  const kept = new Map<string, Tensor[]>();
  visitValues(graph, samples, limit, wanted, (name, t) => {
    if (!kept.has(name)) kept.set(name, []);
    kept.get(name)!.push(t);
  }, onSample);
  return kept;
}
