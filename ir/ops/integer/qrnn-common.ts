// What QLSTM and QGRU share: their attributes, the type rule, and the validation that turns
// attributes into the kernels' integer parameters (ir/kernels/qint-rnn*.ts).
//
// The integer recurrent ops mirror the float ONNX ops (ir/ops/recurrent) in layout 0 only:
//   X [T, B, I] int8 (zero point x_zero_point), W [D, G*H, I] and R [D, G*H, H] int8 symmetric
//   (one scale per gate row, folded into the per-row multipliers), B [D, 2*G*H] int32 =
//   [input-side bias (scale s_x s_w[row]), recurrent-side bias (scale s_h s_r[row])],
//   sequence_lens [B] int32, initial_h [D, B, H] int8 on the hidden state's grid.
//   Y [T, D, B, H] and Y_h [D, B, H] int8 with the hidden state's scale and zero point.
// Each gate's pre-activation is the sum of two halves, each requantized to Q3.12 with its own
// per-row multiplier (x_multiplier/x_shift for sum W (x - zp_x) + b_x, h_multiplier/h_shift for
// sum R (h - zp_h) + b_h) and the node's rounding, then clamped to int16. Gates are 513-entry
// Q0.15 tables with linear interpolation (sigmoid_table, tanh_table). out_multiplier/out_shift
// take a Q0.30 product to the hidden state's int8 grid.
//
// Not supported (the quantize pass leaves such layers hybrid): layout 1, activations other than
// the defaults, clip, peepholes and input_forget (LSTM).
import { mulDim, dimToString, dimEquals, addDim, type Dim } from "../../dim.js";
import { checkRounding, checkZeroPoint } from "./common.js";
import { int, ints, str } from "../../op.js";
import { tensorType, type TensorType } from "../../types.js";
import { numDirections } from "../recurrent/common.js";
import type { Tensor } from "../../types.js";
import type { QRnnParams, RowScale } from "../../kernels/integer-rnn.js";
import { TABLE_SIZE } from "../../kernels/integer-rnn.js";

export const qrnnAttrs = {
  hidden_size: int(),
  direction: str("forward"),
  /** Only 0 (time-major) is supported; the attribute exists so a layout-1 node is refused by name. */
  layout: int(0),
  x_zero_point: int(0),
  h_zero_point: int(0),
  rounding: str("gemmlowp"),
  x_multiplier: ints([]),
  x_shift: ints([]),
  h_multiplier: ints([]),
  h_shift: ints([]),
  out_multiplier: int(0),
  out_shift: int(0),
  sigmoid_table: ints([]),
  tanh_table: ints([]),
};

export interface QRnnAttrs {
  readonly hidden_size: number | undefined;
  readonly direction: string;
  readonly layout: number;
  readonly x_zero_point: number;
  readonly h_zero_point: number;
  readonly rounding: string;
  readonly x_multiplier: readonly number[];
  readonly x_shift: readonly number[];
  readonly h_multiplier: readonly number[];
  readonly h_shift: readonly number[];
  readonly out_multiplier: number;
  readonly out_shift: number;
  readonly sigmoid_table: readonly number[];
  readonly tanh_table: readonly number[];
}

/** Slots beyond the common six: LSTM's initial_c (int16). */
export interface QRnnFamily {
  readonly op: string;
  readonly gates: number;
  /** LSTM: initial_c input and Y_c output, int16. */
  readonly cell: boolean;
}

function shapeStr(s: readonly Dim[]): string {
  return `[${s.map(dimToString).join(",")}]`;
}

function expect(what: string, t: TensorType | undefined, dtype: string, want: readonly Dim[]): void {
  if (!t) return;
  if (t.dtype !== dtype) throw new Error(`${what} must be ${dtype}, got ${t.dtype}`);
  if (t.shape.length !== want.length || !t.shape.every((d, i) => dimEquals(d, want[i]!))) {
    throw new Error(`${what} has shape ${shapeStr(t.shape)}, expected ${shapeStr(want)}`);
  }
}

export function checkTable(t: readonly number[], name: string): Int32Array {
  if (t.length !== TABLE_SIZE) throw new Error(`${name} must have ${TABLE_SIZE} entries (Q0.15 values at 512 segments of the int16 input), got ${t.length}`);
  for (const v of t) if (!Number.isInteger(v) || v < -32768 || v > 32767) throw new Error(`${name} entry ${v} is outside int16`);
  return Int32Array.from(t);
}

function checkMultiplier(m: number, s: number, name: string): void {
  if (m !== 0 && (!Number.isInteger(m) || m < 2 ** 30 || m >= 2 ** 31)) throw new Error(`${name} ${m} is outside [2^30, 2^31)`);
  if (!Number.isInteger(s) || s < -31 || s > 30) throw new Error(`${name} shift ${s} is outside [-31, 30]`);
}

function rowScale(m: readonly number[], s: readonly number[], rows: number | undefined, name: string, rounding: string): RowScale {
  if (m.length !== s.length) throw new Error(`${name}_multiplier has ${m.length} values but ${name}_shift has ${s.length}`);
  if (rows !== undefined && m.length !== rows) throw new Error(`${name}_multiplier has ${m.length} values, expected ${rows} (one per gate row and direction)`);
  for (let i = 0; i < m.length; i++) checkMultiplier(m[i]!, s[i]!, `${name}_multiplier`);
  return { multiplier: m, shift: s, rounding: checkRounding(rounding) };
}

/** The validated integer parameters both kernels take. `rows` = D * G * H when known. */
export function qrnnParams(a: QRnnAttrs, rows: number | undefined) {
  checkZeroPoint(a.x_zero_point, "i8", "x_zero_point");
  checkZeroPoint(a.h_zero_point, "i8", "h_zero_point");
  checkMultiplier(a.out_multiplier, a.out_shift, "out_multiplier");
  return {
    x: rowScale(a.x_multiplier, a.x_shift, rows, "x", a.rounding),
    h: rowScale(a.h_multiplier, a.h_shift, rows, "h", a.rounding),
    sigmoid: checkTable(a.sigmoid_table, "sigmoid_table"),
    tanh: checkTable(a.tanh_table, "tanh_table"),
  };
}

/** The kernel parameters both ops take, validated, for a node with these inputs and numOutputs outputs. */
export function qrnnKernelParams(fam: QRnnFamily, inputs: readonly (Tensor | undefined)[], a: QRnnAttrs, numOutputs: number): QRnnParams {
  const H = a.hidden_size ?? inputs[2]!.shape[2]!;
  const D = numDirections(a.direction);
  const p = qrnnParams(a, D * fam.gates * H);
  return {
    hidden: H, directions: D, direction: a.direction, xZeroPoint: a.x_zero_point, hZeroPoint: a.h_zero_point, x: p.x, h: p.h,
    outMultiplier: a.out_multiplier, outShift: a.out_shift, sigmoid: p.sigmoid, tanh: p.tanh, numOutputs,
  };
}

/** The type rule: returns Y, Y_h (and Y_c for LSTM), as many as the node has outputs. */
export function inferQRnn(fam: QRnnFamily, inputs: readonly (TensorType | undefined)[], a: QRnnAttrs, numOutputs: number): TensorType[] {
  const [x, w, r, b, seq, h0, c0] = inputs;
  if (!x || !w || !r) throw new Error(`${fam.op} needs inputs X, W and R`);
  if (a.layout !== 0) throw new Error(`${fam.op} supports layout 0 (time-major X [T,B,I]) only, not layout ${a.layout}`);
  if (x.dtype !== "i8") throw new Error(`${fam.op} input X must be i8, got ${x.dtype}`);
  if (x.shape.length !== 3) throw new Error(`${fam.op} input X must have rank 3, got ${shapeStr(x.shape)}`);
  if (w.shape.length !== 3 || r.shape.length !== 3) throw new Error(`${fam.op} inputs W and R must have rank 3, got ${shapeStr(w.shape)} and ${shapeStr(r.shape)}`);
  const D = numDirections(a.direction);
  const [T, B, I] = x.shape as [Dim, Dim, Dim];
  const H: Dim = a.hidden_size ?? r.shape[2]!;
  const G = fam.gates;
  expect(`${fam.op} input W`, w, "i8", [D, mulDim(H, G), I]);
  expect(`${fam.op} input R`, r, "i8", [D, mulDim(H, G), H]);
  expect(`${fam.op} input B`, b, "i32", [D, mulDim(H, 2 * G)]);
  expect(`${fam.op} input sequence_lens`, seq, "i32", [B]);
  const state: Dim[] = [D, B, H];
  expect(`${fam.op} input initial_h`, h0, "i8", state);
  if (fam.cell) expect(`${fam.op} input initial_c`, c0, "i16", state);
  else if (inputs.length > 6 && inputs[6]) throw new Error(`${fam.op} takes at most 6 inputs`);
  qrnnParams(a, typeof H === "number" ? D * G * H : undefined);
  const out = [tensorType("i8", [T, D, B, H]), tensorType("i8", state), tensorType("i16", state)];
  return out.slice(0, fam.cell ? numOutputs : Math.min(numOutputs, 2));
}

/** The export hook: standard ONNX has no integer LSTM/GRU whose numbers these would keep. */
export function noOnnxForm(op: string): never {
  throw new Error(`${op} has no standard ONNX form (ONNX's LSTM/GRU are float only); quantize with rnn=hybrid to export the model`);
}

/** Multiply-accumulates: the input and recurrent products of every step and direction. */
export function qrnnMacs(fam: QRnnFamily, inputs: readonly (TensorType | undefined)[], a: QRnnAttrs): Dim {
  const x = inputs[0]!, r = inputs[2]!;
  const H = a.hidden_size ?? r.shape[2]!;
  if (typeof H !== "number") throw new Error(`${fam.op} hidden size ${dimToString(H)} is not a constant`);
  const perStep = mulDim(addDim(x.shape[2]!, H), numDirections(a.direction) * fam.gates * H);
  return mulDim(mulDim(perStep, x.shape[1]!), x.shape[0]!);
}
