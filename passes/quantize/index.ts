// The `quantize` pass: a float graph (after -O1) becomes an integer-only graph: int8 activations
// (per tensor, asymmetric by default), int8 symmetric weights (per output channel by default),
// int32 biases and accumulators, fixed-point requantization with an explicit rounding, fused
// Relu/Clip as clamps, unary functions as 256-entry tables. Quantize nodes appear at the
// graph inputs and Dequantize nodes at its outputs; ops that cannot be lowered (or are listed in
// keep_float, e.g. the final LogSoftmax) stay in float between a Dequantize and a Quantize.
//
// Activation ranges come from calibration (see ./calibration-source.ts). docs/quantization.md
// has the details and the numbers.
import type { Graph } from "../../ir/graph.js";
import { ROUNDINGS } from "../../ir/fixed-point.js";
import { OBSERVER_NAMES } from "../../src/calibration/observers.js";
import type { CalibratedRange } from "../../src/calibration/calibrate.js";
import { definePass, describeNode } from "../pass.js";
import { boolOption, enumOption, intOption, stringOption } from "../options.js";
import { attachedCalibration, NO_CALIBRATION_MESSAGE, resolveCalibration } from "./calibration-source.js";

export { attachCalibration, attachedCalibration, registerCalibrationSource, type CalibrationSource, type SourceOptions } from "./calibration-source.js";
export type { QuantizedValue } from "./lowering.js";
import { Lowering, type QuantizedValue } from "./lowering.js";
import { LOWERINGS } from "./lower-ops.js";

/** Metadata key of the float-name -> int-version map the pass records (for SQNR reports). */
export const QUANTIZED_VALUES_META = "neonc.quantized-values";

const INTEGER_OPS = new Set(["QConv", "QMatMul", "QAdd", "QMul", "QConcat", "QLookup", "Requantize", "Quantize"]);

export const quantize = definePass({
  name: "quantize",
  doc: "Lowers a float graph to integer-only int8 ops with fixed-point requantization, from calibrated ranges.",
  options: {
    calibration: stringOption("", "ranges: a folder of input .pb files, a .json result, a registered source (synthetic), or ranges attached to the graph"),
    observer: enumOption(OBSERVER_NAMES, "minmax", "how a folder's activation ranges are chosen"),
    samples: intOption(100, "largest number of calibration samples read from a folder", { min: 1 }),
    seed: intOption(0, "seed handed to a generated calibration source (synthetic)"),
    per_channel: boolOption(true, "int8 weights with one scale per output channel (else one per tensor)"),
    symmetric: boolOption(false, "symmetric int8 activations (zero point 0)"),
    rounding: enumOption(ROUNDINGS, "gemmlowp", "rounding of every requantization"),
    keep_float: stringOption("LogSoftmax|Softmax", "op types left in float, separated by '|'"),
    bias_correction: boolOption(false, "correct biases for the mean error of quantized weights (needs calibration channel means)"),
  },
  run(graph, ctx) {
    const o = ctx.options;
    if (graph.nodes.some((n) => INTEGER_OPS.has(n.op))) {
      ctx.log("the graph is already quantized; left unchanged");
      return graph;
    }
    const keep = new Set(o.keep_float.split(/[|\s]+/).filter(Boolean));
    if (!graph.nodes.some((n) => LOWERINGS[n.op] && !keep.has(n.op))) return graph;
    if (o.calibration === "" && !attachedCalibration(graph)) {
      ctx.log(NO_CALIBRATION_MESSAGE);
      return graph;
    }
    const cal = resolveCalibration(graph, o.calibration, { observer: o.observer, samples: o.samples, seed: o.seed, log: ctx.log });
    return quantizeGraph(graph, cal.ranges, {
      perChannel: o.per_channel, symmetric: o.symmetric, rounding: o.rounding, biasCorrection: o.bias_correction, keepFloat: keep,
      explain: ctx.explaining ? (node, op, fired, message) => ctx.explain({ node, op, rule: "lower", fired, message }) : undefined,
    });
  },
});

export interface QuantizeGraphOptions {
  readonly perChannel?: boolean;
  readonly symmetric?: boolean;
  readonly rounding?: (typeof ROUNDINGS)[number];
  readonly biasCorrection?: boolean;
  readonly keepFloat?: ReadonlySet<string>;
  readonly explain?: (node: string, op: string, fired: boolean, message: string) => void;
}

/** The pass's work on explicit ranges (library use and tests). */
export function quantizeGraph(graph: Graph, ranges: Readonly<Record<string, CalibratedRange>>, options: QuantizeGraphOptions = {}): Graph {
  const keep = options.keepFloat ?? new Set(["LogSoftmax", "Softmax"]);
  const L = new Lowering(graph, ranges, {
    perChannel: options.perChannel ?? true, symmetric: options.symmetric ?? false,
    rounding: options.rounding ?? "gemmlowp", biasCorrection: options.biasCorrection ?? false,
  });
  for (const n of graph.nodes) {
    const lower = keep.has(n.op) ? undefined : LOWERINGS[n.op];
    const why = lower ? lower(n, L) : keep.has(n.op) ? "its op type is kept in float" : "no integer lowering for this op";
    if (why === undefined) {
      options.explain?.(n.name, n.op, true, `lowered to integers`);
      continue;
    }
    options.explain?.(n.name, n.op, false, `${describeNode(n)} stays in float: ${why}`);
    L.keepFloat(n);
  }
  const map: Record<string, QuantizedValue> = {};
  for (const [v, q] of L.intOf) if (!graph.constants[v]) map[v] = { int: q.name, scale: q.params.scale, zeroPoint: q.params.zeroPoint };
  return L.finish({ [QUANTIZED_VALUES_META]: JSON.stringify(map) });
}

/** `-int8`: the float clean-up, then quantize (with its default options: ranges attached to the graph). */
export const int8Preset = {
  name: "int8",
  doc: "integer-only int8: -O1, then quantize",
  pipeline: "-O1,quantize",
  maxRounds: 2,
} as const;
