// Data calibration: runs input samples through the float graph in the interpreter and records,
// for every float value (graph inputs and every node output), the range an observer chooses,
// and optionally per-channel means (axis 1) for the quantize pass's bias correction.
//
// Inputs are any iterable of input records, so data from a folder of .pb files
// (readCalibrationDir) and synthetic inputs (src/analyses/calibration/synthetic) plug in the same way.
import type { Graph } from "../../../ir/graph.js";
import type { Tensor } from "../../../ir/types.js";
import { unfuseTableActivations } from "../../../ir/unfuse-activations.js";
import { runGraph } from "../../runtime/interpreter.js";
import { withFastEngine } from "../../runtime/fast/index.js";
import { minMaxObserver, type Observer, type ValueObserver, type ValueRange } from "./observers.js";

export interface CalibratedRange extends ValueRange {
  /** Mean per channel (axis 1) over all samples, when asked for. */
  readonly channelMean?: readonly number[];
  /** How many input samples produced this value (fewer than the samples when a branch did not run). */
  readonly inputs?: number;
  /** The smallest and largest finite values seen, before the observer chose the range (which always contains 0). */
  readonly observedMin?: number;
  readonly observedMax?: number;
}

export interface CalibrationResult {
  readonly observer: string;
  /** Number of samples run. */
  readonly samples: number;
  /** Range of every observed float value, by value name. */
  readonly ranges: Readonly<Record<string, CalibratedRange>>;
}

export interface CalibrateOptions {
  /** How ranges are chosen (default min/max). */
  readonly observer?: Observer;
  /** Also record per-channel means (for bias correction). Default true. */
  readonly channelMeans?: boolean;
  /** Called after each sample: (done, total) where total is known when the inputs are an array. */
  readonly onProgress?: (done: number, total: number | undefined) => void;
  /** Run the heavy kernels on the fast engine (src/runtime/fast: the same numbers, faster). Default true. */
  readonly fastEngine?: boolean;
}

class ChannelMean {
  sums: Float64Array | undefined;
  count = 0;
  add(t: Tensor): void {
    if (t.shape.length < 2) return;
    const C = t.shape[1]!, N = t.shape[0]!, plane = t.data.length / (N * C);
    if (!this.sums) this.sums = new Float64Array(C);
    if (this.sums.length !== C) return;
    const d = t.data as Float32Array;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        let s = 0;
        const o = (n * C + c) * plane;
        for (let i = o; i < o + plane; i++) s += d[i]!;
        this.sums[c] += s;
      }
    }
    this.count += N * plane;
  }
  mean(): number[] | undefined {
    return this.sums && this.count > 0 ? Array.from(this.sums, (s) => s / this.count) : undefined;
  }
}

/**
 * Calibrates `graph` (a float graph) on the given input samples: the range of every float value,
 * and of the input of every fused activation that is no clamp (the `<output>.preact` value the
 * quantize pass gives it, ir/unfuse-activations.ts), which int8 needs for its table.
 */
export function calibrate(fusedGraph: Graph, inputs: Iterable<Readonly<Record<string, Tensor>>>, options: CalibrateOptions = {}): CalibrationResult {
  const graph = unfuseTableActivations(fusedGraph);
  const observer = options.observer ?? minMaxObserver();
  const wantMeans = options.channelMeans ?? true;
  const obs = new Map<string, ValueObserver>();
  const means = new Map<string, ChannelMean>();
  // Per value: the samples that produced it, and the extremes seen (for thin-calibration warnings).
  const seen = new Map<string, { inputs: number; min: number; max: number }>();
  const see = (name: string, t: Tensor) => {
    if (t.dtype !== "f32" && t.dtype !== "f64") return;
    let o = obs.get(name);
    if (!o) obs.set(name, (o = observer.create()));
    o.observe(t.data as Float32Array);
    let s = seen.get(name);
    if (!s) seen.set(name, (s = { inputs: 0, min: Infinity, max: -Infinity }));
    s.inputs++;
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
    }
    if (wantMeans) {
      let m = means.get(name);
      if (!m) means.set(name, (m = new ChannelMean()));
      m.add(t);
    }
  };
  const total = Array.isArray(inputs) ? inputs.length : undefined;
  let done = 0;
  withFastEngine(options.fastEngine, () => {
    for (const sample of inputs) {
      for (const name of graph.inputs) if (sample[name]) see(name, sample[name]!);
      runGraph(graph, sample, {
        onNode: (node, outs) => node.outputs.forEach((o, k) => {
          if (o && outs[k]) see(o, outs[k]!);
        }),
      });
      done++;
      options.onProgress?.(done, total);
    }
  });
  if (done === 0) throw new Error("calibration needs at least one input sample");
  const ranges: Record<string, CalibratedRange> = {};
  for (const [name, o] of obs) {
    const s = seen.get(name)!;
    const r = { ...o.range(), inputs: s.inputs, ...(s.min <= s.max ? { observedMin: s.min, observedMax: s.max } : {}) };
    const mean = means.get(name)?.mean();
    ranges[name] = mean ? { ...r, channelMean: mean } : r;
  }
  return { observer: observer.name, samples: done, ranges };
}

/** JSON text of a calibration result (what `--calibration` can also read back). */
export function calibrationToJson(r: CalibrationResult): string {
  return JSON.stringify(r);
}

export function calibrationFromJson(text: string): CalibrationResult {
  const v = JSON.parse(text) as CalibrationResult;
  if (!v || typeof v !== "object" || typeof v.ranges !== "object") throw new Error("not a calibration result (no ranges)");
  return v;
}
