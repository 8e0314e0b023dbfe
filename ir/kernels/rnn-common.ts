// Set-up shared by the RNN, GRU and LSTM kernels: sizes, layouts, sequence lengths, the input
// projection of all time steps, initial states, the order of the time steps and output storage
// (the sequence lengths and the step order serve the integer QLSTM/QGRU too, ./qint-rnn.ts).
//
// Everything is computed in float64 and stored in the node's dtype. Offsets are computed from
// layout strides instead of transposing, so batch-major (layout 1) tensors are read and
// written in place.
import type { Activation } from "./rnn-activation-kinds.js";
import { makeTensor, type Tensor } from "../types.js";
import { sgemm } from "./gemm.js";
import { matmulABt } from "./rnn-matmul.js";

/** The attributes all three ops share; each kernel's options add its own. */
export interface RnnOptions {
  readonly hidden: number;
  readonly direction: string;
  /** Per direction: the op's activation functions in ONNX order (RNN [f], GRU [f, g], LSTM [f, g, h]). */
  readonly acts: readonly (readonly Activation[])[];
  readonly clip: number | undefined;
  readonly layout: number;
  readonly numOutputs: number;
}

export interface RnnRun {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  /** Number of directions (1 or 2). */
  readonly D: number;
  readonly batchMajor: boolean;
  /** Valid length of each batch entry (T when sequence_lens is absent). */
  readonly lens: Int32Array;
  readonly maxLen: number;
  /** X in its stored order: row (t, b) starts at xRow(t, b) * I. */
  readonly x: Tensor;
}

export function toF64(t: Tensor): Float64Array {
  const d = t.data;
  if (d instanceof Float64Array) return d;
  if (d instanceof Float32Array) return Float64Array.from(d);
  throw new Error(`expected a float tensor, got ${t.dtype}`);
}

/**
 * The valid length of each of the B batch entries, from sequence_lens (each checked to be in
 * [0, T]) or T for all when it is absent, and the longest.
 */
export function sequenceLengths(seq: Tensor | undefined, B: number, T: number): { lens: Int32Array; maxLen: number } {
  const lens = new Int32Array(B).fill(T);
  if (seq) {
    if (seq.data.length !== B) throw new Error(`sequence_lens has ${seq.data.length} entries, the batch is ${B}`);
    for (let b = 0; b < B; b++) {
      const v = Number(seq.data[b]);
      if (!(v >= 0 && v <= T)) throw new Error(`sequence_lens[${b}] = ${v} is outside [0, ${T}]`);
      lens[b] = v;
    }
  }
  let maxLen = 0;
  for (let b = 0; b < B; b++) if (lens[b]! > maxLen) maxLen = lens[b]!;
  return { lens, maxLen };
}

function setupRun(x: Tensor, hidden: number, D: number, layout: number, seq: Tensor | undefined): RnnRun {
  if (x.shape.length !== 3) throw new Error(`X must have rank 3, got [${x.shape.join(",")}]`);
  const batchMajor = layout === 1;
  const T = batchMajor ? x.shape[1]! : x.shape[0]!;
  const B = batchMajor ? x.shape[0]! : x.shape[1]!;
  const I = x.shape[2]!;
  return { T, B, I, H: hidden, D, batchMajor, ...sequenceLengths(seq, B, T), x };
}

/** What every kernel starts from: the run, its zeroed outputs, and R, B, initial_h in float64. */
export interface RnnStart {
  readonly run: RnnRun;
  readonly out: RnnOutputs;
  /** The storage of out.y. */
  readonly Y: Float32Array | Float64Array;
  readonly W: Tensor;
  readonly r: Float64Array;
  readonly bias: Float64Array | undefined;
  readonly initH: Float64Array | undefined;
}

/**
 * Reads the inputs the three ops share (X, W, R, B?, sequence_lens?, initial_h?) and allocates
 * Y and `numStates` final-state outputs.
 */
export function startRnn(inputs: readonly (Tensor | undefined)[], o: RnnOptions, numStates: number): RnnStart {
  const [X, W, R, Bias, seq, h0] = inputs;
  const run = setupRun(X!, o.hidden, o.acts.length, o.layout, seq);
  const out = allocOutputs(run, X!.dtype, numStates);
  return {
    run, out, Y: out.y.data as Float32Array | Float64Array, W: W!,
    r: toF64(R!), bias: Bias ? toF64(Bias) : undefined, initH: h0 ? toF64(h0) : undefined,
  };
}

/**
 * The steps of one direction as flattened (t, b) pairs: every entry's step s before any step
 * s + 1; entry b takes lens[b] steps, and a reverse direction starts at its own last valid time
 * lens[b] - 1, not at T - 1.
 */
export function stepOrder(run: Pick<RnnRun, "B" | "lens" | "maxLen">, reverse: boolean): Int32Array {
  const { B, lens, maxLen } = run;
  let count = 0;
  for (let b = 0; b < B; b++) count += lens[b]!;
  const steps = new Int32Array(2 * count);
  let i = 0;
  for (let s = 0; s < maxLen; s++) {
    for (let b = 0; b < B; b++) {
      const len = lens[b]!;
      if (s >= len) continue;
      steps[i++] = reverse ? len - 1 - s : s;
      steps[i++] = b;
    }
  }
  return steps;
}

/** Row index of time step t of batch entry b in X (and in the input projection). */
export function xRow(run: RnnRun, t: number, b: number): number {
  return run.batchMajor ? b * run.T + t : t * run.B + b;
}

/** Element offset of Y[t, d, b, :] (or Y[b, t, d, :] for layout 1). */
export function yOffset(run: RnnRun, t: number, d: number, b: number): number {
  return run.batchMajor ? ((b * run.T + t) * run.D + d) * run.H : ((t * run.D + d) * run.B + b) * run.H;
}

/** Element offset of a state Y_h[d, b, :] (or Y_h[b, d, :] for layout 1). */
export function stateOffset(run: RnnRun, d: number, b: number): number {
  return run.batchMajor ? (b * run.D + d) * run.H : (d * run.B + b) * run.H;
}

/**
 * X·W_d^T for every (t, b) row: [rows, gates*H] with rows in X's stored order. f32 models go
 * through the shared sgemm (the result is then widened once); f64 ones use a local product.
 */
export function inputProjection(run: RnnRun, W: Tensor, d: number, gh: number): Float64Array {
  const rows = run.T * run.B;
  const x = run.x.data;
  const w = W.data;
  if (x instanceof Float32Array && w instanceof Float32Array) {
    const out32 = new Float32Array(rows * gh);
    sgemm(false, true, rows, gh, run.I, 1, x, 0, run.I, w, d * gh * run.I, run.I, 0, out32, 0, gh);
    return Float64Array.from(out32);
  }
  const out = new Float64Array(rows * gh);
  matmulABt(toF64(run.x), rows, run.I, toF64(W), d * gh * run.I, gh, out);
  return out;
}

/** Wb + Rb of direction d (gates*H values), zeros when B is absent. */
export function combinedBias(bias: Float64Array | undefined, d: number, gh: number): Float64Array {
  const out = new Float64Array(gh);
  if (!bias) return out;
  const off = d * 2 * gh;
  for (let j = 0; j < gh; j++) out[j] = bias[off + j]! + bias[off + gh + j]!;
  return out;
}

/** Initial state of direction d as [B*H] (zeros when the input is absent). */
export function initialState(run: RnnRun, init: Float64Array | undefined, d: number): Float64Array {
  const s = new Float64Array(run.B * run.H);
  if (!init) return s;
  for (let b = 0; b < run.B; b++) {
    const o = stateOffset(run, d, b);
    s.set(init.subarray(o, o + run.H), b * run.H);
  }
  return s;
}

/** Whether direction d runs backwards in time. */
export function isReverse(direction: string, d: number): boolean {
  return direction === "reverse" || (direction === "bidirectional" && d === 1);
}

export interface RnnOutputs {
  readonly y: Tensor;
  readonly states: Tensor[];
}

/** Zeroed Y and final-state tensors (zeros are the ONNX value past a sequence's length). */
function allocOutputs(run: RnnRun, dtype: Tensor["dtype"], numStates: number): RnnOutputs {
  const { T, B, D, H, batchMajor } = run;
  const y = makeTensor(dtype, batchMajor ? [B, T, D, H] : [T, D, B, H]);
  const states: Tensor[] = [];
  for (let i = 0; i < numStates; i++) states.push(makeTensor(dtype, batchMajor ? [B, D, H] : [D, B, H]));
  return { y, states };
}

/** Copies batch entry b's new hidden state (row b of h) into Y at time t of direction d. */
export function storeStep(run: RnnRun, h: Float64Array, Y: Float32Array | Float64Array, t: number, d: number, b: number): void {
  const hb = b * run.H;
  Y.set(h.subarray(hb, hb + run.H), yOffset(run, t, d, b));
}

/**
 * Stores the final state of direction d. An entry whose sequence is empty gets zeros, as in
 * onnxruntime (its state never advanced past the initial value).
 */
export function storeFinalState(run: RnnRun, state: Float64Array, d: number, out: Tensor): void {
  const dst = out.data as Float64Array | Float32Array;
  for (let b = 0; b < run.B; b++) {
    if (run.lens[b] === 0) continue;
    dst.set(state.subarray(b * run.H, (b + 1) * run.H), stateOffset(run, d, b));
  }
}
