// Zero-shot calibration data (the Q-ASR / ZeroQ method): inputs synthesised so that the batch
// statistics at every BatchNormalization match its running statistics, for a quantizer to
// calibrate on when no real data is at hand.
//
// Start from seeded Gaussian noise shaped like the model's input (e.g. [1, 64, T] log-mel
// features at T = 200), run the float graph (before BatchNorm folding) up to the last
// BatchNorm input with a gradient tape, and move the inputs by Adam down the gradient of the
// BN-statistics loss (bn-stats.ts). Samples are run one at a time (the model's batch dim is
// usually fixed at 1) and their statistics pooled, so the batch of `count` samples is matched
// as a whole. Everything is seeded: the same graph, options and seed give the same inputs.
import { dimSymbols, dimToString, evalDim, isSymbolic } from "../../../../ir/dim.js";
import { isFloat } from "../../../../ir/dtype.js";
import { allNodes, type Graph } from "../../../../ir/graph.js";
import { makeTensor, type Tensor } from "../../../../ir/types.js";
import { backward, differentiableValues, forwardWithTape, pruneToTargets, unsupportedOps } from "../../autodiff/index.js";
import type { FloatArray } from "../../autodiff/types.js";
import { addInPlace } from "../../autodiff/grad-util.js";
import { ModelError } from "../../../../ir/errors.js";
import { withFastEngine } from "../../../runtime/fast/index.js";
import { Adam } from "./adam.js";
import { BatchStats, findBatchNorms, statSeed, type BnLayer } from "./bn-stats.js";
import { GaussianSource } from "./gaussian.js";

export interface SyntheticProgress {
  /** Steps done so far (1..steps). */
  readonly step: number;
  readonly steps: number;
  /** BN-statistics loss of the inputs before this step's update. */
  readonly loss: number;
  readonly elapsedMs: number;
}

export interface SyntheticOptions {
  /** Number of synthetic inputs (one batch whose pooled statistics are matched). Default 8. */
  readonly count?: number;
  /** Adam steps. Default 50. */
  readonly steps?: number;
  /** Adam learning rate (in input units: the features start as N(0, 1)). Default 0.2. */
  readonly lr?: number;
  /** Seed of the starting noise. Default 0. */
  readonly seed?: number;
  /**
   * Values of the symbolic dims of the inputs. Default {T: 200}; a symbol not given is 1 on
   * axis 0 (the batch) and 200 elsewhere.
   */
  readonly dims?: Readonly<Record<string, number>>;
  readonly onProgress?: (p: SyntheticProgress) => void;
  /**
   * Run the heavy kernels on the fast engine (src/runtime/fast; the same numbers, faster).
   * Default true; false keeps every kernel in TypeScript.
   */
  readonly fastEngine?: boolean;
}

export interface SyntheticResult {
  /** One record per sample: graph input name -> tensor. */
  readonly inputs: Record<string, Tensor>[];
  /** Loss of the starting noise and of the returned inputs. */
  readonly initialLoss: number;
  readonly finalLoss: number;
  /** Loss before each step, then the final loss (steps + 1 values). */
  readonly losses: number[];
  /** Final loss per BatchNorm layer, by node name. */
  readonly layerLosses: Record<string, number>;
  readonly batchNorms: number;
  readonly msPerStep: number;
}

/** The length of a symbolic axis of synthetic inputs when none is asked for. */
export const DEFAULT_SYNTHETIC_LENGTH = 200;
export const DEFAULT_STEPS = 50;

/** Synthetic calibration inputs for `graph` (see runSyntheticCalibration for the figures). */
export function synthesizeCalibrationInputs(graph: Graph, options: SyntheticOptions = {}): Record<string, Tensor>[] {
  return runSyntheticCalibration(graph, options).inputs;
}

/** Synthesises calibration inputs and reports how well their statistics match. */
export function runSyntheticCalibration(graph: Graph, options: SyntheticOptions = {}): SyntheticResult {
  return withFastEngine(options.fastEngine ?? true, () => synthesize(graph, options));
}

function synthesize(graph: Graph, options: SyntheticOptions): SyntheticResult {
  const count = options.count ?? 8, steps = options.steps ?? DEFAULT_STEPS, lr = options.lr ?? 0.2, seed = options.seed ?? 0;
  if (!Number.isInteger(count) || count < 1) throw new ModelError(`synthetic calibration needs a positive sample count, got ${count}`);
  if (!Number.isInteger(steps) || steps < 0) throw new ModelError(`synthetic calibration needs a non-negative step count, got ${steps}`);

  const reachable = differentiableValues(graph);
  const layers = findBatchNorms(graph, reachable);
  if (layers.length === 0) {
    const nested = allNodes(graph).filter((n) => n.op === "BatchNormalization").length - graph.nodes.filter((n) => n.op === "BatchNormalization").length;
    if (nested > 0) {
      throw new ModelError(`model ${graph.name} has its BatchNormalization statistics only inside If branches (${nested} node${nested === 1 ? "" : "s"}), which synthetic calibration does not differentiate through; calibrate on real data with --calibration DIR instead`);
    }
    throw new ModelError(`model ${graph.name} has no BatchNormalization statistics to match, so synthetic calibration cannot work on it (was BatchNorm folded already?); calibrate on real data with --calibration DIR instead`);
  }
  const g = pruneToTargets(graph, [...new Set(layers.map((l) => l.input))]);
  const missing = unsupportedOps(g);
  if (missing.length > 0) {
    throw new ModelError(`synthetic calibration needs gradients through ${missing.join(", ")}, which neonc cannot differentiate; calibrate on real data with --calibration DIR instead`);
  }

  const samples = startingNoise(graph, count, seed, options.dims ?? { T: DEFAULT_SYNTHETIC_LENGTH });
  const optimisers = samples.map((s) => graph.inputs.map((name) => new Adam(s[name]!.data.length, { lr })));
  const losses: number[] = [];
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    const tapes = samples.map((s) => forwardWithTape(g, s));
    const stats = new BatchStats(layers);
    for (const tape of tapes) stats.add(layers.map((l) => tape.values.get(l.input)!));
    const { loss, a, b } = stats.lossAndSlopes();
    losses.push(loss);
    tapes.forEach((tape, k) => {
      const grads = backward(tape, seedsFor(layers, tape.values, a, b));
      graph.inputs.forEach((name, i) => optimisers[k]![i]!.step(samples[k]![name]!.data as FloatArray, grads[name]!.data as FloatArray));
    });
    options.onProgress?.({ step: step + 1, steps, loss, elapsedMs: performance.now() - started });
  }
  const elapsed = performance.now() - started;

  const stats = new BatchStats(layers);
  for (const s of samples) {
    const tape = forwardWithTape(g, s);
    stats.add(layers.map((l) => tape.values.get(l.input)!));
  }
  const final = stats.lossAndSlopes();
  losses.push(final.loss);
  const layerLosses: Record<string, number> = {};
  layers.forEach((l, i) => { layerLosses[l.node] = final.perLayer[i]!; });
  return {
    inputs: samples, initialLoss: losses[0]!, finalLoss: final.loss, losses, layerLosses,
    batchNorms: layers.length, msPerStep: steps > 0 ? elapsed / steps : 0,
  };
}

/** dLoss/d(BatchNorm input) for one sample; a value feeding several BatchNorms sums its parts. */
function seedsFor(layers: readonly BnLayer[], values: ReadonlyMap<string, Tensor>, a: Float64Array[], b: Float64Array[]): Record<string, Tensor> {
  const seeds: Record<string, Tensor> = {};
  layers.forEach((l, i) => {
    const s = statSeed(values.get(l.input)!, a[i]!, b[i]!);
    const prev = seeds[l.input];
    if (prev) addInPlace(prev.data as FloatArray, s.data as FloatArray);
    else seeds[l.input] = s;
  });
  return seeds;
}

/** `count` samples of N(0, 1) noise shaped like the graph inputs, from one seeded stream. */
function startingNoise(g: Graph, count: number, seed: number, dims: Readonly<Record<string, number>>): Record<string, Tensor>[] {
  const shapes = g.inputs.map((name) => {
    const t = g.types[name]!;
    if (!isFloat(t.dtype) || (t.dtype !== "f32" && t.dtype !== "f64")) {
      throw new ModelError(`synthetic calibration can only make float inputs, but input "${name}" is ${t.dtype}; calibrate on real data with --calibration DIR instead`);
    }
    const shape = t.shape.map((d, axis) => {
      if (!isSymbolic(d)) return d;
      const env: Record<string, number> = {};
      for (const sym of dimSymbols(d)) env[sym] = dims[sym] ?? (axis === 0 ? 1 : DEFAULT_SYNTHETIC_LENGTH);
      const v = evalDim(d, env);
      if (!Number.isInteger(v) || v < 1) throw new ModelError(`input "${name}" dim ${axis} (${dimToString(d)}) is ${v} for the given dims; choose other values`);
      return v;
    });
    return { name, dtype: t.dtype, shape };
  });
  const noise = new GaussianSource(seed);
  return Array.from({ length: count }, () => {
    const s: Record<string, Tensor> = {};
    for (const { name, dtype, shape } of shapes) {
      const t = makeTensor(dtype, shape);
      noise.fill(t.data as FloatArray);
      s[name] = t;
    }
    return s;
  });
}
