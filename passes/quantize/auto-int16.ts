// Automatic mixed precision: which layers to run in the 16x8 mode (int16 inputs, int8 weights).
// The graph is quantized all-int8 first; every layer with a 16x8 form (Conv, MatMul, Gemm: the
// int16x8 trait) whose output SQNR against the
// float graph (measured on the given samples) is below the threshold is chosen. The SQNR of a
// layer includes the error its inputs bring, which is what a user of the model sees.
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import type { CalibratedRange } from "../../src/analyses/calibration/calibrate.js";
import { sqnrReport } from "../../src/analyses/calibration/sqnr.js";
import { has16x8Form } from "../../ir/traits.js";
import { quantizeGraph, type QuantizeGraphOptions } from "./index.js";
import { unfuseTableActivations } from "../../ir/unfuse-activations.js";

/** Node names of the layers whose int8 SQNR is below `thresholdDb`. */
export function chooseInt16Layers(
  input: Graph, ranges: Readonly<Record<string, CalibratedRange>>, samples: readonly Readonly<Record<string, Tensor>>[],
  thresholdDb: number, options: QuantizeGraphOptions = {},
): string[] {
  if (samples.length === 0) return [];
  const graph = unfuseTableActivations(input);
  const q = quantizeGraph(graph, ranges, { ...options, int16: new Set(), explain: undefined });
  const report = sqnrReport(graph, q, samples);
  // 16x8 needs constant weights: a MatMul of two activations is never a candidate.
  const constWeights = new Set(graph.nodes.filter((n) => n.inputs[1] !== undefined && graph.constants[n.inputs[1]] !== undefined).map((n) => n.name));
  return report.layers.filter((l) => has16x8Form(l.op) && constWeights.has(l.node) && l.sqnrDb < thresholdDb).map((l) => l.node);
}
