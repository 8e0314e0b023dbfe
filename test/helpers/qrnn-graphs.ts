// Random integer-only QLSTM / QGRU graphs for the tests of test/ops/integer/qlstm.test.ts and
// test/codegen/qint-rnn.test.ts: int8 X, initial_h and (QLSTM) int16 initial_c as graph inputs,
// int8 weights (optionally with a -128, which moves the NEON GEMM off its paired-product path),
// int32 biases, per-row multipliers drawn around realistic scales (some rows zero), every
// rounding, and tables built by the pass's own gateTable.
import { quantizeMultiplier, type Rounding } from "../../ir/fixed-point.js";
import type { Graph } from "../../ir/graph.js";
import { dimSymbols, sym, type Dim } from "../../ir/dim.js";
import { fromNumbers, tensorType, type Tensor } from "../../ir/types.js";
import { GATE_FRAC_BITS, gateTable, sigmoid } from "../../ir/kernels/integer-rnn.js";
import { GraphBuilder, Rng } from "../../src/testing/index.js";

export interface QRnnCase {
  readonly op: "QLSTM" | "QGRU";
  readonly direction: "forward" | "reverse" | "bidirectional";
  /** A static batch, or "N" (symbolic; no constant lens then). */
  readonly B: number | "N";
  readonly I: number;
  readonly H: number;
  readonly rounding: Rounding;
  readonly linearBeforeReset?: boolean;
  readonly bias: boolean;
  /** Constant sequence lengths (each at most the shortest T the case runs with), or none. */
  readonly lens?: readonly number[];
  readonly initialH: boolean;
  readonly initialC: boolean;
  readonly cellShift: number;
  readonly minus128: boolean;
  /** T as a number, or symbolic (the C tests bind it per input set). */
  readonly T: number | "T";
  readonly seed: number;
}

const D = (c: QRnnCase) => (c.direction === "bidirectional" ? 2 : 1);

function ints(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + Math.floor(rng.next() * (hi - lo + 1)));
}

/** Multipliers of reals drawn log-uniformly in [lo, hi]; about one row in 9 is zero. */
function multipliers(rng: Rng, n: number, lo: number, hi: number): { m: number[]; s: number[] } {
  const q = Array.from({ length: n }, () => (rng.next() < 0.11 ? { multiplier: 0, shift: 0 } : quantizeMultiplier(lo * (hi / lo) ** rng.next())));
  return { m: q.map((x) => x.multiplier), s: q.map((x) => x.shift) };
}

/** Adds one case's node (and its inputs and constants, names prefixed by `p`) to a builder. */
export function addQRnn(b: GraphBuilder, c: QRnnCase, p: string): { inputs: string[]; outputs: string[] } {
  const rng = new Rng(c.seed);
  const G = (c.op === "QLSTM" ? 4 : 3) * c.H, nd = D(c);
  const T: Dim = c.T === "T" ? sym("T") : c.T;
  const B: Dim = c.B === "N" ? sym("N") : c.B;
  if (c.lens && typeof B !== "number") throw new Error("constant sequence lengths need a static batch");
  const x = b.input(`${p}x`, tensorType("i8", [T, B, c.I]));
  const w = ints(rng, nd * G * c.I, -127, 127), r = ints(rng, nd * G * c.H, -127, 127);
  if (c.minus128) w[3] = -128;
  const wN = b.constant(`${p}W`, fromNumbers("i8", [nd, G, c.I], w));
  const rN = b.constant(`${p}R`, fromNumbers("i8", [nd, G, c.H], r));
  const bN = c.bias ? b.constant(`${p}B`, fromNumbers("i32", [nd, 2 * G], ints(rng, nd * 2 * G, -30000, 30000))) : "";
  const seq = c.lens ? b.constant(`${p}lens`, fromNumbers("i32", [B as number], c.lens)) : "";
  const h0 = c.initialH ? b.input(`${p}h0`, tensorType("i8", [nd, B, c.H])) : "";
  const c0 = c.op === "QLSTM" && c.initialC ? b.input(`${p}c0`, tensorType("i16", [nd, B, c.H])) : "";
  const xm = multipliers(rng, nd * G, 0.002, 0.2), hm = multipliers(rng, nd * G, 0.002, 0.2);
  const sh = 0.004 + 0.02 * rng.next();
  const out = quantizeMultiplier(2 ** -30 / sh);
  const attrs: Record<string, number | string | number[]> = {
    hidden_size: c.H, direction: c.direction, rounding: c.rounding,
    x_zero_point: ints(rng, 1, -128, 127)[0]!, h_zero_point: ints(rng, 1, -128, 127)[0]!,
    x_multiplier: xm.m, x_shift: xm.s, h_multiplier: hm.m, h_shift: hm.s, out_multiplier: out.multiplier, out_shift: out.shift,
    sigmoid_table: gateTable(sigmoid, GATE_FRAC_BITS), tanh_table: gateTable(Math.tanh, GATE_FRAC_BITS),
  };
  if (c.op === "QLSTM") {
    attrs.cell_shift = c.cellShift;
    attrs.cell_tanh_table = gateTable(Math.tanh, c.cellShift);
  } else {
    attrs.linear_before_reset = c.linearBeforeReset ? 1 : 0;
  }
  const inputs = [x, wN, rN, bN, seq, h0, ...(c.op === "QLSTM" ? [c0] : [])];
  while (inputs[inputs.length - 1] === "") inputs.pop();
  const outputs = b.node(c.op, inputs, attrs, `${p}y`, c.op === "QLSTM" ? 3 : 2);
  return { inputs: [x, h0, c0].filter((v) => v), outputs };
}

/** One graph holding every case (inputs and outputs of each, in order). */
export function qrnnGraph(cases: readonly QRnnCase[]): Graph {
  const b = new GraphBuilder("qrnn");
  const parts = cases.map((c, k) => addQRnn(b, c, cases.length > 1 ? `c${k}_` : ""));
  return b.build(parts.flatMap((p) => p.inputs), parts.flatMap((p) => p.outputs));
}

/** Random inputs of a qrnnGraph for sequence length T (and batch N where it is symbolic). */
export function qrnnInputs(g: Graph, T: number, seed: number, N = 1): Record<string, Tensor> {
  const rng = new Rng(seed);
  const out: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const t = g.types[name]!;
    const shape = t.shape.map((d) => (typeof d === "number" ? d : dimSymbols(d).has("N") ? N : T));
    const n = shape.reduce((a, d) => a * d, 1);
    out[name] = fromNumbers(t.dtype, shape, t.dtype === "i16" ? ints(rng, n, -20000, 20000) : ints(rng, n, -128, 127));
  }
  return out;
}
