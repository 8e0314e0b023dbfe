// The integer arithmetic shared by QLSTM and QGRU (ir/ops/integer/qlstm.ts, qgru.ts): their common
// parameters, gate tables with linear interpolation, the input and recurrent halves of each
// gate's pre-activation, and the step set-up (sequence lengths, step order, state offsets, state
// loads and stores). docs/quantization.md, "Integer
// LSTM/GRU", gives the whole definition; the C kernels (codegen/kernels/qint-lstm.ts, qint-gru.ts)
// reproduce these functions bit for bit.
//
// Number formats: gate pre-activations are int16 Q3.12 (value * 2^12, so [-8, 8)); gate outputs
// are int16 Q0.15 (value * 2^15, saturated at 32767); the LSTM cell is int16 Q(15-s).s.
//
// Accumulators are exact: products of centred int8 values are integers below 2^15, so the float64
// matrix-vector products of rnn-matmul.ts are exact integers (their sums stay far below 2^53),
// and so is the float32 GEMM of the input half on chunks of at most EXACT_K products (every
// partial sum below 2^24); the sums are then wrapped to int32 as a C int32 accumulator would be.
import { multiplyByQuantizedMultiplier, type Rounding } from "../fixed-point.js";
import { makeTensor, type Tensor } from "../types.js";
import { isReverse, sequenceLengths, stepOrder } from "./rnn-common.js";
import { sgemm } from "./gemm.js";
import { addMatVec } from "./rnn-matmul.js";

/** Products per float32 partial sum of the input GEMM: 512 * 255 * 128 < 2^24. */
const EXACT_K = 512;

/** Fractional bits of the gate pre-activations (Q3.12). */
export const GATE_FRAC_BITS = 12;
/** Fractional bits of gate outputs (Q0.15). */
export const Q15 = 15;
/** Entries of every gate table: 512 segments over the int16 input range, plus the end point. */
export const TABLE_SIZE = 513;
/** Input bits below the table index (65536 inputs / 512 segments). */
const SEG_BITS = 7;

export function clamp16(v: number): number {
  return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

export function clamp8(v: number): number {
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

/**
 * The table of fn over int16 inputs with `fracBits` fractional bits, in Q0.15:
 * T[k] = clamp16(round(2^15 * fn((128k - 32768) / 2^fracBits))) for k = 0..512.
 * Built at compile time (float is fine here); the kernels only read it.
 */
export function gateTable(fn: (x: number) => number, fracBits: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < TABLE_SIZE; k++) {
    const x = ((k << SEG_BITS) - 32768) / 2 ** fracBits;
    out.push(clamp16(Math.round(32768 * fn(x))));
  }
  return out;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The interpolated table value at int16 v: with u = v + 32768, segment k = u >> 7 and
 * fraction r = u & 127, T[k] + floor(((T[k+1] - T[k]) * r + 64) / 128). Integer only.
 */
export function lookupQ15(t: Int32Array, v: number): number {
  const u = v + 32768;
  const k = u >> SEG_BITS;
  const a = t[k]!;
  return a + ((((t[k + 1]! - a) * (u & 127)) + 64) >> SEG_BITS);
}

/** Rounding right shift by n >= 1 (ties towards +infinity): floor((v + 2^(n-1)) / 2^n). */
export function roundShift(v: number, n: number): number {
  return Math.floor((v + 2 ** (n - 1)) / 2 ** n);
}

/** Sizes and the step order of one run (time-major layout). */
export interface QRnnRun {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  readonly D: number;
  readonly lens: Int32Array;
  /** Per direction: flattened (t, b) pairs in the order the steps run. */
  readonly steps: readonly Int32Array[];
}

export function setupQRnn(x: Tensor, H: number, D: number, direction: string, seq: Tensor | undefined): QRnnRun {
  if (x.shape.length !== 3) throw new Error(`X must have rank 3, got [${x.shape.join(",")}]`);
  const [T, B, I] = x.shape as [number, number, number];
  const { lens, maxLen } = sequenceLengths(seq, B, T);
  const steps = Array.from({ length: D }, (_, d) => stepOrder({ B, lens, maxLen }, isReverse(direction, d)));
  return { T, B, I, H, D, lens, steps };
}

/** What both kernels start from: the run, Y and Y_h filled with h's zero point, W and R as floats, and B. */
export function startQRnn(inputs: readonly (Tensor | undefined)[], p: QRnnParams, gates: number) {
  const [X, W, R, Bias, seq] = inputs;
  const H = p.hidden, D = p.directions;
  const run = setupQRnn(X!, H, D, p.direction, seq);
  const y = makeTensor("i8", [run.T, D, run.B, H]);
  const yh = makeTensor("i8", [D, run.B, H]);
  (y.data as Int8Array).fill(p.hZeroPoint);
  (yh.data as Int8Array).fill(p.hZeroPoint);
  return { run, G: gates * H, y, yh, Wf: weightsF32(W!), Rf: weightsF64(R!), bias: Bias?.data as Int32Array | undefined };
}

/** Per-row requantization of one direction's gate rows: multipliers and shifts from offset d*rows. */
export interface RowScale {
  readonly multiplier: readonly number[];
  readonly shift: readonly number[];
  readonly rounding: Rounding;
}

/** The parameters QLSTM and QGRU share (validated by ir/ops/integer/qrnn-common.ts). */
export interface QRnnParams {
  readonly hidden: number;
  readonly directions: number;
  readonly direction: string;
  readonly xZeroPoint: number;
  readonly hZeroPoint: number;
  /** Input half: Q3.12 from the x accumulator, per gate row. */
  readonly x: RowScale;
  /** Recurrent half: Q3.12 from the h accumulator, per gate row. */
  readonly h: RowScale;
  /** M_out: a Q0.30 product to h's int8 grid. */
  readonly outMultiplier: number;
  readonly outShift: number;
  readonly sigmoid: Int32Array;
  readonly tanh: Int32Array;
  readonly numOutputs: number;
}

/**
 * The input half of every step's gate pre-activations for direction d, requantized to Q3.12 but
 * not yet clamped: out[r*G + j] = M_j(bias_x[j] + sum_k W[d,j,k] (x[r,k] - zp)) for the T*B rows
 * r of X (int32, saturated by the fixed-point multiply).
 */
export function inputHalf(x: Tensor, zp: number, W: Float32Array, bias: Int32Array | undefined, d: number, G: number, rs: RowScale): Int32Array {
  const [T, B, I] = x.shape as [number, number, number];
  const rows = T * B;
  const xd = x.data as Int8Array;
  const xc = new Float32Array(xd.length);
  for (let i = 0; i < xd.length; i++) xc[i] = xd[i]! - zp;
  const acc = new Float64Array(rows * G);
  const part = new Float32Array(rows * G);
  for (let k0 = 0; k0 < I; k0 += EXACT_K) {
    sgemm(false, true, rows, G, Math.min(EXACT_K, I - k0), 1, xc, k0, I, W, d * G * I + k0, I, 0, part, 0, G);
    for (let i = 0; i < part.length; i++) acc[i] += part[i]!;
  }
  const out = new Int32Array(rows * G);
  const bOff = d * 2 * G, mOff = d * G;
  const { multiplier: m, shift: s, rounding } = rs;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < G; j++) {
      const i = r * G + j;
      out[i] = multiplyByQuantizedMultiplier((acc[i]! + (bias ? bias[bOff + j]! : 0)) | 0, m[mOff + j]!, s[mOff + j]!, rounding);
    }
  }
  return out;
}

/**
 * The recurrent half of rows [j0, j0 + n) for one step: out[j - j0] = M_j(bias_h[j] +
 * sum_k R[d,j,k] hc[k]), hc the centred hidden state (Float64Array, exact integers).
 */
export function recurrentHalf(
  R: Float64Array, bias: Int32Array | undefined, d: number, G: number, H: number, j0: number, n: number,
  hc: Float64Array, acc: Float64Array, out: Int32Array, rs: RowScale,
): void {
  acc.fill(0, 0, n);
  addMatVec(R, (d * G + j0) * H, n, H, hc, 0, acc, 0);
  const bOff = d * 2 * G + G;
  for (let j = 0; j < n; j++) {
    const row = d * G + j0 + j;
    out[j] = multiplyByQuantizedMultiplier((acc[j]! + (bias ? bias[bOff + j0 + j]! : 0)) | 0, rs.multiplier[row]!, rs.shift[row]!, rs.rounding);
  }
}

/** Float copies of an int8 weight tensor (exact), for the matrix products. */
export function weightsF64(t: Tensor): Float64Array {
  return Float64Array.from(t.data as Int8Array);
}

export function weightsF32(t: Tensor): Float32Array {
  return Float32Array.from(t.data as Int8Array);
}

/** Element offset of a state [D, B, H] entry (d, b). */
export function stateOffset(run: QRnnRun, d: number, b: number): number {
  return (d * run.B + b) * run.H;
}

/** Element offset of Y[t, d, b, :]. */
export function yOffset(run: QRnnRun, t: number, d: number, b: number): number {
  return ((t * run.D + d) * run.B + b) * run.H;
}

/** Direction d's state [B*H] from an initial-state input [D, B, H], or `fill` when there is none. */
export function loadState(run: QRnnRun, d: number, state: Int32Array, init: Tensor | undefined, fill: number): void {
  const src = init?.data as Int8Array | Int16Array | undefined;
  for (let b = 0; b < run.B; b++) {
    const o = stateOffset(run, d, b);
    for (let k = 0; k < run.H; k++) state[b * run.H + k] = src ? src[o + k]! : fill;
  }
}

/** Direction d's final state [B*H] into out [D, B, H]; an entry with an empty sequence keeps out's value. */
export function storeState(run: QRnnRun, d: number, state: Int32Array, out: Int8Array | Int16Array): void {
  for (let b = 0; b < run.B; b++) {
    if (run.lens[b] === 0) continue;
    const o = stateOffset(run, d, b);
    for (let k = 0; k < run.H; k++) out[o + k] = state[b * run.H + k]!;
  }
}
