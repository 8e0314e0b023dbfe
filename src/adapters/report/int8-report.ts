// The quantization report's data (what --report-json writes and the HTML page shows): per layer
// the SQNR of the int8 model against the float one, weight bytes before and after, and MACs;
// the end-to-end SQNR; the sizes; and how the model was quantized.
//
// The measurement itself is sqnrReport (src/analyses/calibration/sqnr.ts); this module only names, sums
// and shapes it. SQNRs are null in JSON where the int8 output is exact (infinite SQNR).
import type { Graph } from "../../../ir/graph.js";
import type { Tensor } from "../../../ir/types.js";
import { sqnrReport } from "../../analyses/calibration/sqnr.js";
import { floatNodesOf, type FloatNode } from "../../analyses/calibration/quantized-values.js";
import type { CalibrationWarning } from "../../analyses/calibration/thin.js";

export interface Int8ReportLayer {
  /** Float node name and op, the value it computes, and the integer op that replaced it. */
  readonly node: string;
  readonly op: string;
  readonly value: string;
  readonly intOp: string;
  /** null when the int8 output equals the float one on every sample. */
  readonly sqnrDb: number | null;
  readonly weightBytesFloat: number;
  readonly weightBytesInt8: number;
  readonly macs: number;
}

export interface Int8Report {
  readonly model: string;
  readonly quantization: ReportQuantization;
  /** Samples both models ran on to measure SQNR. */
  readonly samples: number;
  readonly endToEnd: {
    /** The lowest SQNR over the graph outputs (null when all are exact). */
    readonly sqnrDb: number | null;
    readonly outputs: readonly { readonly name: string; readonly sqnrDb: number | null }[];
  };
  readonly size: {
    /** Bytes of every constant of each graph (the weights the generated code holds). */
    readonly weightBytesFloat: number;
    readonly weightBytesInt8: number;
    /** int8 / float. */
    readonly ratio: number;
  };
  /** MACs of one run on the first sample's shapes, summed over the layers. */
  readonly macs: number;
  /** Op histogram of the int8 graph (shows what stayed in float). */
  readonly ops: Readonly<Record<string, number>>;
  readonly layers: readonly Int8ReportLayer[];
  /** Nodes the int8 graph computes in float (between a Dequantize and a Quantize), and why. */
  readonly floatNodes: readonly FloatNode[];
  /** Calibration that looks under-sampled: few inputs, one-sided ranges before a Sigmoid/Tanh/Softmax. */
  readonly calibrationWarnings: readonly CalibrationWarning[];
}

/** How the model was quantized, as the report states it. */
export interface ReportQuantization {
  readonly calibration: string;
  readonly calibrationSamples: number;
  readonly observer: string;
  readonly rounding: string;
  readonly perChannel: boolean;
  readonly seed?: number;
  readonly summary: string;
}

export interface ReportSource extends ReportQuantization {
  readonly model: string;
  readonly float: Graph;
  readonly int8: Graph;
  readonly samples: readonly Readonly<Record<string, Tensor>>[];
  /** What the calibration's ranges look like (calibrationWarnings); none when not given. */
  readonly calibrationWarnings?: readonly CalibrationWarning[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Runs both graphs on the samples and assembles the report. */
export function buildInt8Report(src: ReportSource): Int8Report {
  if (src.samples.length === 0) throw new Error("the quantization report needs at least one input sample to compare the models on");
  const r = sqnrReport(src.float, src.int8, src.samples);
  const layers: Int8ReportLayer[] = r.layers.map((l) => ({
    node: l.node, op: l.op, value: l.value, intOp: l.intOp, sqnrDb: finite(l.sqnrDb),
    weightBytesFloat: l.weightBytesFloat, weightBytesInt8: l.weightBytesInt, macs: l.macs,
  }));
  const outputs = r.outputs.map((o) => ({ name: o.name, sqnrDb: finite(o.sqnrDb) }));
  const worst = Math.min(...r.outputs.map((o) => o.sqnrDb));
  const ops: Record<string, number> = {};
  for (const n of src.int8.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  return {
    model: src.model,
    quantization: {
      calibration: src.calibration, calibrationSamples: src.calibrationSamples, observer: src.observer,
      rounding: src.rounding, perChannel: src.perChannel, ...(src.seed !== undefined ? { seed: src.seed } : {}), summary: src.summary,
    },
    samples: r.samples,
    endToEnd: { sqnrDb: finite(worst), outputs },
    size: { weightBytesFloat: r.modelBytesFloat, weightBytesInt8: r.modelBytesInt, ratio: r.modelBytesFloat > 0 ? r.modelBytesInt / r.modelBytesFloat : 1 },
    macs: layers.reduce((s, l) => s + l.macs, 0),
    ops,
    layers,
    floatNodes: floatNodesOf(src.int8.meta),
    calibrationWarnings: src.calibrationWarnings ?? [],
  };
}
