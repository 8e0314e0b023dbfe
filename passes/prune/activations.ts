// Input statistics for activation-aware pruning (Wanda: |w| times the norm of the input it
// multiplies): the float graph runs in the interpreter on calibration samples, and for each
// Conv, MatMul and Gemm the sum of squares of every input channel (a Conv's axis 1, a MatMul's
// or Gemm's last axis) is accumulated over all samples and positions.
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import type { InputSample } from "../../src/analyses/calibration/samples.js";
import { visitValues } from "../calibration-samples.js";

const OPS = new Set(["Conv", "MatMul", "Gemm"]);

/** Per value feeding a Conv/MatMul/Gemm: the L2 norm of each of its input channels over `samples` (at most `limit`). */
export function inputChannelNorms(graph: Graph, samples: Iterable<InputSample>, limit: number): Map<string, Float64Array> {
  const channelAxis = new Map<string, boolean>();
  for (const n of graph.nodes) if (OPS.has(n.op)) channelAxis.set(n.inputs[0]!, n.op === "Conv");
  const sums = new Map<string, Float64Array>();
  visitValues(graph, samples, limit, new Set(channelAxis.keys()), (name: string, t: Tensor) => {
    const conv = channelAxis.get(name)!, shape = t.shape;
    const C = conv ? shape[1]! : shape[shape.length - 1]!;
    const inner = conv ? shape.slice(2).reduce((p, d) => p * d, 1) : 1;
    if (!sums.has(name)) sums.set(name, new Float64Array(C));
    const s = sums.get(name)!;
    const d = t.data as unknown as ArrayLike<number>;
    for (let i = 0; i < d.length; i++) s[Math.floor(i / inner) % C]! += d[i]! * d[i]!;
  });
  return new Map([...sums].map(([k, v]) => [k, v.map(Math.sqrt)]));
}
