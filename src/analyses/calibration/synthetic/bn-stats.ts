// The BatchNorm-statistics loss of zero-shot calibration and its gradient.
//
// For every inference BatchNormalization whose input depends on the graph input, the batch
// statistics of that input (per channel, over every sample and position) should equal the
// running statistics the layer was trained with:
//   loss = sum over layers, channels c of (mu_c - running_mean_c)^2 + (var_c - running_var_c)^2
// with mu and var the biased (population) statistics over the M = samples * positions values.
// Its gradient with respect to one input value x of channel c is affine in x:
//   dL/dx = 2 (mu - rm) / M + 4 (var - rv) (x - mu) / M
import type { Graph } from "../../../../ir/graph.js";
import { makeTensor, numel, type Tensor } from "../../../../ir/types.js";
import type { FloatArray } from "../../autodiff/types.js";

export interface BnLayer {
  /** BatchNormalization node name (for reports). */
  readonly node: string;
  /** The value whose statistics are matched: the BatchNormalization's input. */
  readonly input: string;
  readonly runningMean: Float64Array;
  readonly runningVar: Float64Array;
}

/** Inference BatchNorms with constant per-channel running statistics, on values in `reachable`. */
export function findBatchNorms(g: Graph, reachable: ReadonlySet<string>): BnLayer[] {
  const out: BnLayer[] = [];
  for (const n of g.nodes) {
    if (n.op !== "BatchNormalization" || n.attrs.training_mode) continue;
    const [x, , , mean, variance] = n.inputs;
    const m = g.constants[mean ?? ""], v = g.constants[variance ?? ""];
    if (!x || !reachable.has(x) || !m || !v) continue;
    const channels = g.types[x]?.shape[1];
    // The old per-position form (spatial=0) has no per-channel statistics to match.
    if (m.data.length !== v.data.length || (typeof channels === "number" && m.data.length !== channels)) continue;
    out.push({ node: n.name, input: x, runningMean: Float64Array.from(m.data as FloatArray), runningVar: Float64Array.from(v.data as FloatArray) });
  }
  return out;
}

/** Per-channel sums of x and x^2 over a batch, accumulated sample by sample. */
export class BatchStats {
  readonly sum: Float64Array[];
  readonly sumSq: Float64Array[];
  readonly count: number[];

  constructor(readonly layers: readonly BnLayer[]) {
    this.sum = layers.map((l) => new Float64Array(l.runningMean.length));
    this.sumSq = layers.map((l) => new Float64Array(l.runningMean.length));
    this.count = layers.map(() => 0);
  }

  /** Adds one sample's BatchNorm inputs ([N, C, ...] each, in layer order). */
  add(values: readonly Tensor[]): void {
    values.forEach((t, l) => {
      const x = t.data as FloatArray;
      const N = t.shape[0]!, C = t.shape[1]!, plane = numel(t.shape.slice(2));
      const s = this.sum[l]!, q = this.sumSq[l]!;
      if (C !== s.length) throw new Error(`BatchNormalization ${this.layers[l]!.node} has ${s.length} channels, its input ${C}`);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          let a = 0, b = 0;
          for (let i = (n * C + c) * plane, end = i + plane; i < end; i++) {
            const v = x[i]!;
            a += v;
            b += v * v;
          }
          s[c] += a;
          q[c] += b;
        }
      }
      this.count[l] += N * plane;
    });
  }

  /** Batch mean and variance of layer l. */
  moments(l: number): { mean: Float64Array; variance: Float64Array } {
    const M = this.count[l]!, s = this.sum[l]!, q = this.sumSq[l]!;
    const mean = new Float64Array(s.length), variance = new Float64Array(s.length);
    for (let c = 0; c < s.length; c++) {
      mean[c] = s[c]! / M;
      variance[c] = Math.max(0, q[c]! / M - mean[c]! * mean[c]!);
    }
    return { mean, variance };
  }

  /** The loss, and per layer the coefficients (a, b) of dL/dx = a_c + b_c * x. */
  lossAndSlopes(): { loss: number; perLayer: number[]; a: Float64Array[]; b: Float64Array[] } {
    let loss = 0;
    const perLayer: number[] = [], a: Float64Array[] = [], b: Float64Array[] = [];
    this.layers.forEach((layer, l) => {
      const { mean, variance } = this.moments(l);
      const M = this.count[l]!, C = mean.length;
      const al = new Float64Array(C), bl = new Float64Array(C);
      let part = 0;
      for (let c = 0; c < C; c++) {
        const dm = mean[c]! - layer.runningMean[c]!, dv = variance[c]! - layer.runningVar[c]!;
        part += dm * dm + dv * dv;
        bl[c] = (4 * dv) / M;
        al[c] = (2 * dm) / M - bl[c]! * mean[c]!;
      }
      loss += part;
      perLayer.push(part);
      a.push(al);
      b.push(bl);
    });
    return { loss, perLayer, a, b };
  }
}

/** dL/dx for one sample's BatchNorm input x, from the layer's coefficients. */
export function statSeed(x: Tensor, a: Float64Array, b: Float64Array): Tensor {
  const g = makeTensor(x.dtype, x.shape);
  const G = g.data as FloatArray, X = x.data as FloatArray;
  const N = x.shape[0]!, C = x.shape[1]!, plane = numel(x.shape.slice(2));
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const ac = a[c]!, bc = b[c]!;
      for (let i = (n * C + c) * plane, end = i + plane; i < end; i++) G[i] = ac + bc * X[i]!;
    }
  }
  return g;
}
