// Test oracle: a deliberately plain, step-by-step RNN/GRU/LSTM written straight from the ONNX
// equations, on nested arrays in time-major layout, sharing no code with the kernels.
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { maxAbsDiff, Rng } from "../../../src/testing/index.js";

export type Act = [name: string, alpha?: number, beta?: number];

const ACT: Record<string, (x: number, a: number, b: number) => number> = {
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: (x) => Math.tanh(x),
  Relu: (x) => Math.max(0, x),
  HardSigmoid: (x, a, b) => Math.min(Math.max(a * x + b, 0), 1),
  LeakyRelu: (x, a) => (x >= 0 ? x : a * x),
  ThresholdedRelu: (x, a) => (x > a ? x : 0),
  ScaledTanh: (x, a, b) => a * Math.tanh(b * x),
  Affine: (x, a, b) => a * x + b,
  Elu: (x, a) => (x >= 0 ? x : a * (Math.exp(x) - 1)),
  Softsign: (x) => x / (1 + Math.abs(x)),
  Softplus: (x) => Math.log(1 + Math.exp(x)),
};

export interface NaiveSpec {
  kind: "LSTM" | "GRU" | "RNN";
  H: number;
  direction: "forward" | "reverse" | "bidirectional";
  /** Activations of each direction with their alpha/beta (already resolved). */
  acts: Act[][];
  clip?: number;
  inputForget?: boolean;
  linearBeforeReset?: boolean;
}

/** Inputs as nested arrays: X[t][b][i], W[d][row][i], R[d][row][h], Bias[d][k], h0/c0[d][b][h], P[d][k]. */
export interface NaiveInputs {
  X: number[][][];
  W: number[][][];
  R: number[][][];
  Bias?: number[][];
  seq?: number[];
  h0?: number[][][];
  c0?: number[][][];
  P?: number[][];
}

export interface NaiveOutputs {
  Y: number[][][][];
  Yh: number[][][];
  Yc: number[][][];
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

export function naiveRnn(spec: NaiveSpec, inp: NaiveInputs): NaiveOutputs {
  const T = inp.X.length;
  const B = inp.X[0]!.length;
  const H = spec.H;
  const D = spec.direction === "bidirectional" ? 2 : 1;
  const G = spec.kind === "LSTM" ? 4 : spec.kind === "GRU" ? 3 : 1;
  const zeros = () => new Array<number>(H).fill(0);
  const Y = Array.from({ length: T }, () => Array.from({ length: D }, () => Array.from({ length: B }, zeros)));
  const Yh = Array.from({ length: D }, () => Array.from({ length: B }, zeros));
  const Yc = Array.from({ length: D }, () => Array.from({ length: B }, zeros));
  const clip = (x: number) => (spec.clip === undefined ? x : Math.min(spec.clip, Math.max(-spec.clip, x)));

  for (let d = 0; d < D; d++) {
    const reverse = spec.direction === "reverse" || d === 1;
    const fn = spec.acts[d]!.map(([name, a, b]) => (x: number) => ACT[name]!(clip(x), a ?? 0, b ?? 0));
    const W = inp.W[d]!;
    const R = inp.R[d]!;
    const bias = (j: number) => (inp.Bias ? inp.Bias[d]![j]! : 0);
    const wb = (g: number, k: number) => bias(g * H + k);
    const rb = (g: number, k: number) => bias(G * H + g * H + k);
    for (let b = 0; b < B; b++) {
      let h = inp.h0 ? [...inp.h0[d]![b]!] : zeros();
      let c = inp.c0 ? [...inp.c0[d]![b]!] : zeros();
      const L = inp.seq ? inp.seq[b]! : T;
      for (let s = 0; s < L; s++) {
        const t = reverse ? L - 1 - s : s;
        const x = inp.X[t]![b]!;
        // Pre-activation of gate g, unit k, without the recurrent term.
        const xw = (g: number, k: number) => dot(W[g * H + k]!, x) + wb(g, k);
        const hr = (g: number, k: number, hv: number[]) => dot(R[g * H + k]!, hv);
        const nh = zeros();
        if (spec.kind === "RNN") {
          for (let k = 0; k < H; k++) nh[k] = fn[0]!(xw(0, k) + hr(0, k, h) + rb(0, k));
        } else if (spec.kind === "GRU") {
          const z = zeros(), r = zeros();
          for (let k = 0; k < H; k++) {
            z[k] = fn[0]!(xw(0, k) + hr(0, k, h) + rb(0, k));
            r[k] = fn[0]!(xw(1, k) + hr(1, k, h) + rb(1, k));
          }
          const rh = h.map((v, k) => r[k]! * v);
          for (let k = 0; k < H; k++) {
            const pre = spec.linearBeforeReset
              ? xw(2, k) + r[k]! * (hr(2, k, h) + rb(2, k))
              : xw(2, k) + hr(2, k, rh) + rb(2, k);
            const hh = fn[1]!(pre);
            nh[k] = (1 - z[k]!) * hh + z[k]! * h[k]!;
          }
        } else {
          const P = inp.P?.[d];
          const nc = zeros();
          for (let k = 0; k < H; k++) {
            const i = fn[0]!(xw(0, k) + hr(0, k, h) + rb(0, k) + (P ? P[k]! * c[k]! : 0));
            const f = spec.inputForget ? 1 - i : fn[0]!(xw(2, k) + hr(2, k, h) + rb(2, k) + (P ? P[2 * H + k]! * c[k]! : 0));
            const cc = fn[1]!(xw(3, k) + hr(3, k, h) + rb(3, k));
            nc[k] = f * c[k]! + i * cc;
            const o = fn[0]!(xw(1, k) + hr(1, k, h) + rb(1, k) + (P ? P[H + k]! * nc[k]! : 0));
            nh[k] = o * fn[2]!(nc[k]!);
          }
          c = nc;
        }
        h = nh;
        Y[t]![d]![b] = [...h];
      }
      if (L > 0) {
        Yh[d]![b] = h;
        Yc[d]![b] = c;
      }
    }
  }
  return { Y, Yh, Yc };
}

/** Seeded numbers in [lo, hi) (neonc/testing's Rng). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  const r = new Rng(seed);
  return (lo = -1, hi = 1) => r.uniform(lo, hi);
}

/** A nested array of the given shape filled by f. */
export function nested(shape: number[], f: () => number): any {
  return shape.length === 1 ? Array.from({ length: shape[0]! }, f) : Array.from({ length: shape[0]! }, () => nested(shape.slice(1), f));
}

export function shapeOf(a: unknown): number[] {
  return Array.isArray(a) ? [a.length, ...shapeOf(a[0])] : [];
}

export function toTensor(a: unknown, dtype: "f32" | "f64" | "i32" = "f32"): Tensor {
  return fromNumbers(dtype, shapeOf(a), (a as number[]).flat(Infinity as 1) as number[]);
}

/** Swaps the first two axes of a nested array (time-major <-> batch-major). */
export function swap01<T>(a: T[][]): T[][] {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

/** Largest absolute difference between a tensor and a nested array of the same shape. */
export function maxDiff(t: Tensor, want: unknown): number {
  expectShape(t, shapeOf(want));
  return maxAbsDiff(t, (want as number[]).flat(Infinity as 1) as number[]);
}

function expectShape(t: Tensor, shape: number[]): void {
  if (t.shape.join(",") !== shape.join(",")) throw new Error(`shape [${t.shape}] differs from the oracle's [${shape}]`);
}
