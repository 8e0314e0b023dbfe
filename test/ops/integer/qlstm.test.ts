// QLSTM and QGRU (integer-only LSTM/GRU) in the interpreter and the quantize pass:
// - the kernels equal a plain transcription of the arithmetic in docs/quantization.md
//   ("Integer LSTM/GRU"), bit for bit, on random integer graphs (fast-check);
// - with `rnn=integer` the pass lowers LSTM/GRU to them and the result tracks the float layer
//   within 6 steps of the hidden state's scale (measured worst: 3.3 steps over 60 random layers
//   of T <= 12, about 3 over T = 50; see the numbers in the doc), property-tested over shapes,
//   directions, both GRU reset variants and sequence lengths;
// - the cell-state calibration and the errors of the type rule (the form of the lowering and its
//   fallbacks to hybrid are golden fixtures: test/passes/quantize/golden/rnn-*.ir);
// - lstm_encoder: SQNR of float vs hybrid vs integer LSTMs.
import { nodeHost } from "../../../src/adapters/node-host.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sym } from "../../../ir/dim.js";
import { multiplyByQuantizedMultiplier, ROUNDINGS, type Rounding } from "../../../ir/fixed-point.js";
import type { Graph, Node } from "../../../ir/graph.js";
import { fromNumbers, tensorType, type Tensor, type TensorType } from "../../../ir/types.js";
import { verifyGraph } from "../../../ir/verify.js";
import { getOp } from "../../../ir/registry.js";
import { resolveAttrs } from "../../../ir/op.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { encodeTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { runPipeline } from "../../../passes/index.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { calibrateRnnStates, cellRangeKey, cellShiftFor, DEFAULT_CELL_SHIFT } from "../../../passes/quantize/lower-rnn.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../../src/adapters/onnx/data-dir.js";
import { sqnrReport } from "../../../src/analyses/calibration/sqnr.js";
import { gateTable, lookupQ15, sigmoid } from "../../../ir/kernels/integer-rnn.js";
import { GraphBuilder, Rng, seededTensor } from "../../../src/testing/index.js";
import { qrnnGraph, qrnnInputs, type QRnnCase } from "../../helpers/qrnn-graphs.js";
import { sharedPath } from "../../helpers/shared.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { neoncInProcess } from "../../app/cli/helpers.js";

// ---- the arithmetic of docs/quantization.md, written out element by element -----------------

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
const c16 = (v: number) => clamp(v, -32768, 32767);
const rshr = (v: number, n: number) => Math.floor((v + 2 ** (n - 1)) / 2 ** n);
function lut(t: readonly number[], v: number): number {
  const u = v + 32768, k = Math.floor(u / 128), r = u % 128;
  return t[k]! + Math.floor(((t[k + 1]! - t[k]!) * r + 64) / 128);
}

/** Y, Y_h (, Y_c) of a QLSTM/QGRU node on its input tensors, from the definitions alone. */
function reference(n: Node, ins: readonly (Tensor | undefined)[]): number[][] {
  const a = resolveAttrs(getOp(n.op), n.attrs) as Record<string, any>;
  const lstm = n.op === "QLSTM";
  const [X, W, R, Bt, seq, h0, c0] = ins;
  const [T, B, I] = X!.shape as number[];
  const H = a.hidden_size as number, G = (lstm ? 4 : 3) * H, D = a.direction === "bidirectional" ? 2 : 1;
  const rnd = a.rounding as Rounding, zx = a.x_zero_point as number, zh = a.h_zero_point as number;
  const M = (v: number, m: number, s: number) => multiplyByQuantizedMultiplier(v, m, s, rnd);
  const x = X!.data, w = W!.data, r = R!.data, bias = Bt?.data;
  const Y = new Array<number>(T! * D * B! * H).fill(zh), YH = new Array<number>(D * B! * H).fill(zh), YC = new Array<number>(D * B! * H).fill(0);
  for (let d = 0; d < D; d++) {
    const rev = a.direction === "reverse" || d === 1;
    for (let b = 0; b < B!; b++) {
      const len = seq ? Number(seq.data[b]) : T!;
      const h = Array.from({ length: H }, (_, k) => (h0 ? Number(h0.data[(d * B! + b) * H + k]) : zh));
      const c = Array.from({ length: H }, (_, k) => (c0 ? Number(c0.data[(d * B! + b) * H + k]) : 0));
      for (let s = 0; s < len; s++) {
        const t = rev ? len - 1 - s : s;
        // Halves of gate row j: input side on x, recurrent side on `hv` (h, or r*h for QGRU's h rows).
        const xh = (j: number) => {
          let acc = bias ? Number(bias[d * 2 * G + j]) : 0;
          for (let k = 0; k < I!; k++) acc += Number(w[(d * G + j) * I! + k]) * (Number(x[(t * B! + b) * I! + k]) - zx);
          return M(acc | 0, a.x_multiplier[d * G + j], a.x_shift[d * G + j]);
        };
        const rh = (j: number, hv: readonly number[]) => {
          let acc = bias ? Number(bias[d * 2 * G + G + j]) : 0;
          for (let k = 0; k < H; k++) acc += Number(r[(d * G + j) * H + k]) * (hv[k]! - zh);
          return M(acc | 0, a.h_multiplier[d * G + j], a.h_shift[d * G + j]);
        };
        const pre = (j: number) => c16(xh(j) + rh(j, h));
        const next = new Array<number>(H);
        if (lstm) {
          for (let k = 0; k < H; k++) {
            const i = lut(a.sigmoid_table, pre(k)), o = lut(a.sigmoid_table, pre(H + k));
            const f = lut(a.sigmoid_table, pre(2 * H + k)), g = lut(a.tanh_table, pre(3 * H + k));
            c[k] = c16(rshr(f * c[k]!, 15) + rshr(i * g, 30 - a.cell_shift));
            next[k] = clamp(zh + M(o * lut(a.cell_tanh_table, c[k]!), a.out_multiplier, a.out_shift), -128, 127);
          }
        } else {
          const z = Array.from({ length: H }, (_, k) => lut(a.sigmoid_table, pre(k)));
          const rg = Array.from({ length: H }, (_, k) => lut(a.sigmoid_table, pre(H + k)));
          const rhScaled = h.map((v, k) => zh + rshr((v - zh) * rg[k]!, 15));
          for (let k = 0; k < H; k++) {
            const ph = a.linear_before_reset ? c16(xh(2 * H + k) + rshr(rg[k]! * c16(rh(2 * H + k, h)), 15)) : c16(xh(2 * H + k) + rh(2 * H + k, rhScaled));
            const nn = lut(a.tanh_table, ph);
            next[k] = clamp(zh + M((32768 - z[k]!) * nn, a.out_multiplier, a.out_shift) + rshr(z[k]! * (h[k]! - zh), 15), -128, 127);
          }
        }
        for (let k = 0; k < H; k++) {
          h[k] = next[k]!;
          Y[((t * D + d) * B! + b) * H + k] = h[k]!;
        }
      }
      if (len > 0) {
        for (let k = 0; k < H; k++) {
          YH[(d * B! + b) * H + k] = h[k]!;
          YC[(d * B! + b) * H + k] = c[k]!;
        }
      }
    }
  }
  return lstm ? [Y, YH, YC] : [Y, YH];
}

const arbCase = fc.record({
  op: fc.constantFrom("QLSTM" as const, "QGRU" as const),
  direction: fc.constantFrom("forward" as const, "reverse" as const, "bidirectional" as const),
  B: fc.integer({ min: 1, max: 3 }),
  I: fc.integer({ min: 1, max: 9 }),
  H: fc.integer({ min: 1, max: 7 }),
  rounding: fc.constantFrom(...ROUNDINGS),
  linearBeforeReset: fc.boolean(),
  bias: fc.boolean(),
  withLens: fc.boolean(),
  initialH: fc.boolean(),
  initialC: fc.boolean(),
  cellShift: fc.integer({ min: 0, max: 15 }),
  minus128: fc.boolean(),
  T: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe("QLSTM and QGRU compute the documented integer arithmetic", () => {
  it("their gate tables stay within the documented error of the functions", () => {
    // Worst over every int16 input: sigmoid 3.9e-5, tanh 1.2e-4 on Q3.12; on the cell's grid the
    // segments widen with the cell's range: tanh 3.9e-4 at s = 11 (|c| < 16), 3.4e-5 at s = 14.
    for (const [fn, bits, bound] of [[sigmoid, 12, 4e-5], [Math.tanh, 12, 1.2e-4], [Math.tanh, 11, 4e-4], [Math.tanh, 14, 3.5e-5]] as const) {
      const t = Int32Array.from(gateTable(fn, bits));
      let worst = 0;
      for (let v = -32768; v <= 32767; v++) worst = Math.max(worst, Math.abs(lookupQ15(t, v) / 32768 - fn(v / 2 ** bits)));
      expect(worst).toBeLessThan(bound);
      expect(worst).toBeGreaterThan(bound / 4);
    }
  });

  it("equal an element-by-element transcription of the definitions, bit for bit (property)", () => {
    let steps = 0;
    fc.assert(fc.property(arbCase, (p) => {
      const rng = new Rng(p.seed);
      const lens = p.withLens ? Array.from({ length: p.B }, () => rng.int(0, p.T)) : undefined;
      const c: QRnnCase = { ...p, lens };
      const g = qrnnGraph([c]);
      const inputs = qrnnInputs(g, p.T, p.seed + 1);
      const got = runGraph(g, inputs);
      const n = g.nodes[0]!;
      const ins = n.inputs.map((v) => (v ? inputs[v] ?? g.constants[v] : undefined));
      const want = reference(n, ins);
      n.outputs.forEach((o, k) => expect(Array.from(got[o]!.data as Int8Array), `${n.op} output ${k}`).toEqual(want[k]));
      steps += p.T;
    }), { numRuns: 60 });
    expect(steps).toBeGreaterThan(100);
  });
});

// ---- the quantize pass: float LSTM/GRU -> QLSTM/QGRU ----------------------------------------

/** Uniform in [-scale, scale). */
const randn = (rng: Rng, shape: number[], scale = 1): Tensor => seededTensor(rng, "f32", shape, { values: { min: -scale, max: scale } });

interface FloatCase {
  readonly op: "LSTM" | "GRU";
  readonly direction: string;
  readonly lbr: number;
  readonly I: number;
  readonly H: number;
  readonly B: number;
  readonly T: number;
  /** Weight scale (times 1/sqrt(fan-in)). */
  readonly ws: number;
  readonly lens: boolean;
  readonly seed: number;
}

/** A float LSTM/GRU layer (constant W, R, B; initial states as constants) and calibration data. */
function floatLayer(c: FloatCase): { g: Graph; data: Record<string, Tensor>[] } {
  const rng = new Rng(c.seed);
  const G = c.op === "LSTM" ? 4 : 3, D = c.direction === "bidirectional" ? 2 : 1;
  const b = new GraphBuilder("rnn");
  const x = b.input("x", tensorType("f32", [sym("T"), c.B, c.I]));
  const w = b.constant("W", randn(rng, [D, G * c.H, c.I], c.ws / Math.sqrt(c.I)));
  const r = b.constant("R", randn(rng, [D, G * c.H, c.H], c.ws / Math.sqrt(c.H)));
  const bias = b.constant("B", randn(rng, [D, 2 * G * c.H], 0.5));
  const seq = c.lens ? b.constant("lens", fromNumbers("i32", [c.B], Array.from({ length: c.B }, () => rng.int(0, c.T)))) : "";
  const h0 = b.constant("h0", randn(rng, [D, c.B, c.H], 0.5));
  const extra = c.op === "LSTM" ? [b.constant("c0", randn(rng, [D, c.B, c.H], 1))] : [];
  const outs = b.node(c.op, [x, w, r, bias, seq, h0, ...extra], { hidden_size: c.H, direction: c.direction, ...(c.op === "GRU" ? { linear_before_reset: c.lbr } : {}) }, "rnn", G === 4 ? 3 : 2);
  const data = Array.from({ length: 3 }, () => ({ x: randn(rng, [c.T, c.B, c.I], 2) }));
  return { g: b.build([x], outs), data };
}

function integerOf(g: Graph, data: Record<string, Tensor>[]): Graph {
  return quantizeGraph(g, { ...calibrate(g, data).ranges, ...calibrateRnnStates(g, data) }, { rnn: "integer" });
}

function scaleOf(t: TensorType): number {
  if (t.quant?.kind !== "affine") throw new Error("not an affine quantized type");
  return t.quant.scale[0]!;
}

/** Largest |float - integer| of every output (Y, Y_h, Y_c), in steps of the hidden state's scale. */
function errorSteps(g: Graph, q: Graph, input: Record<string, Tensor>): number[] {
  const a = runGraph(g, input), b = runGraph(q, input);
  const node = q.nodes.find((n) => n.op === "QLSTM" || n.op === "QGRU")!;
  const s = scaleOf(q.types[node.outputs[0]!]!);
  return g.outputs.map((o) => {
    const f = a[o]!.data as Float32Array, h = b[o]!.data as Float32Array;
    let m = 0;
    for (let i = 0; i < f.length; i++) m = Math.max(m, Math.abs(f[i]! - h[i]!));
    return m / s;
  });
}

describe("quantize with rnn=integer", () => {
  for (const [op, direction, lbr] of [["LSTM", "forward", 0], ["LSTM", "bidirectional", 0], ["GRU", "reverse", 0], ["GRU", "bidirectional", 1]] as const) {
    it(`${op} ${direction}${op === "GRU" ? ` linear_before_reset=${lbr}` : ""} tracks the float layer over 50 steps`, () => {
      const { g, data } = floatLayer({ op, direction, lbr, I: 16, H: 32, B: 2, T: 50, ws: 1.5, lens: false, seed: 11 });
      const q = integerOf(g, data);
      verifyGraph(q);
      expect(q.nodes.map((n) => n.op)).toEqual(["Quantize", `Q${op}`, ...g.outputs.map(() => "Dequantize")]);
      const steps = errorSteps(g, q, data[0]!);
      console.log(`${op} ${direction}: max |float - integer| in steps of the hidden scale: ${steps.map((s) => s.toFixed(2)).join(", ")}`);
      for (const s of steps) expect(s).toBeLessThanOrEqual(6);
      // The cell state's scale is a power of two chosen from the recorded range.
      if (op === "LSTM") expect(scaleOf(q.types[q.nodes[1]!.outputs[2]!]!)).toBe(2 ** -(q.nodes[1]!.attrs.cell_shift as number));
    });
  }

  it("tracks the float layer on random shapes, directions, reset variants and sequence lengths (property)", () => {
    let worst = 0;
    fc.assert(fc.property(fc.record({
      op: fc.constantFrom("LSTM" as const, "GRU" as const),
      direction: fc.constantFrom("forward", "reverse", "bidirectional"),
      lbr: fc.constantFrom(0, 1),
      I: fc.integer({ min: 1, max: 12 }), H: fc.integer({ min: 1, max: 12 }), B: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 1, max: 12 }),
      ws: fc.double({ min: 0.5, max: 2.5, noNaN: true }), lens: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }),
    }), (c) => {
      const { g, data } = floatLayer(c);
      const q = integerOf(g, data);
      verifyGraph(q);
      expect(q.nodes.some((n) => n.op === `Q${c.op}`)).toBe(true);
      const steps = errorSteps(g, q, data[0]!);
      worst = Math.max(worst, ...steps);
      for (const s of steps) expect(s).toBeLessThanOrEqual(6);
    }), { numRuns: 40 });
    console.log(`random layers: worst |float - integer| = ${worst.toFixed(2)} steps`);
  });

  it("chooses the cell scale from the recorded cell range, else from Y_c, else 2^-11", () => {
    expect([cellShiftFor(0.9), cellShiftFor(1), cellShiftFor(1.01), cellShiftFor(5.47), cellShiftFor(16), cellShiftFor(1e6), cellShiftFor(0)]).toEqual([15, 15, 14, 12, 11, 0, 15]);
    const { g, data } = floatLayer({ op: "LSTM", direction: "forward", lbr: 0, I: 4, H: 6, B: 2, T: 20, ws: 2.5, lens: false, seed: 5 });
    const ranges = calibrate(g, data).ranges;
    const states = calibrateRnnStates(g, data);
    const key = cellRangeKey(g.nodes[0]!);
    const cell = states[key]!, yc = ranges[g.outputs[2]!]!;
    // Every step's cell state, so at least the final one's range.
    expect(cell.min).toBeLessThanOrEqual(yc.min);
    expect(cell.max).toBeGreaterThanOrEqual(yc.max);
    const shiftOf = (r: Record<string, { min: number; max: number }>) => quantizeGraph(g, r, { rnn: "integer" }).nodes.find((n) => n.op === "QLSTM")!.attrs.cell_shift;
    expect(shiftOf({ ...ranges, ...states })).toBe(cellShiftFor(Math.max(-cell.min, cell.max)));
    expect(shiftOf(ranges)).toBe(cellShiftFor(2 * Math.max(-yc.min, yc.max)));
    const noYc = { ...ranges };
    delete noYc[g.outputs[2]!];
    expect(shiftOf(noYc)).toBe(DEFAULT_CELL_SHIFT);
  });

  it("records cell ranges when the pass calibrates on a folder (quantize{rnn=integer,calibration=DIR})", () => {
    const { g, data } = floatLayer({ op: "LSTM", direction: "bidirectional", lbr: 0, I: 3, H: 4, B: 1, T: 8, ws: 2, lens: false, seed: 9 });
    const dir = mkdtempSync(path.join(tmpdir(), "neonc-qlstm-"));
    data.forEach((s, k) => writeFileSync(path.join(dir, `s${k}.input.pb`), encodeTensorFile(s.x!, "x")));
    const q = runPipeline(g, `quantize{rnn=integer,calibration=${dir}}`, { log: () => {}, host: nodeHost() });
    const n = q.nodes.find((m) => m.op === "QLSTM")!;
    const cell = calibrateRnnStates(g, data)[cellRangeKey(g.nodes[0]!)]!;
    expect(n.attrs.cell_shift).toBe(cellShiftFor(Math.max(-cell.min, cell.max)));
    expect(runPipeline(g, `quantize{rnn=hybrid,calibration=${dir}}`, { log: () => {}, host: nodeHost() }).nodes.map((m) => m.op)).toContain("HybridLSTM");
    // The old boolean option still means what it meant: hybrid_rnn=false leaves the layer in float.
    expect(runPipeline(g, `quantize{hybrid_rnn=false,calibration=${dir}}`, { log: () => {}, host: nodeHost() }).nodes.map((m) => m.op)).toContain("LSTM");
  });
});

describe("the QLSTM/QGRU type rule refuses what it does not compute", () => {
  const g = qrnnGraph([{ op: "QLSTM", direction: "forward", B: 1, I: 3, H: 2, rounding: "gemmlowp", bias: true, initialH: false, initialC: false, cellShift: 11, minus128: false, T: 4, seed: 1 }]);
  const n = g.nodes[0]!;
  const def = getOp("QLSTM");
  const infer = (attrs: Record<string, unknown>, types = n.inputs.map((v) => g.types[v])) =>
    () => def.infer(types, resolveAttrs(def, { ...n.attrs, ...attrs } as Node["attrs"]), { numOutputs: 3, constant: () => undefined });
  it("with one clear sentence each", () => {
    expect(infer({ layout: 1 })).toThrow("QLSTM supports layout 0 (time-major X [T,B,I]) only, not layout 1");
    expect(infer({ sigmoid_table: gateTable(sigmoid, 12).slice(1) })).toThrow(/sigmoid_table must have 513 entries/);
    expect(infer({ x_multiplier: [1 << 30], x_shift: [0] })).toThrow(/x_multiplier has 1 values, expected 8/);
    expect(infer({ x_multiplier: [1 << 30] })).toThrow("x_multiplier has 1 values but x_shift has 8");
    expect(infer({ cell_shift: 16 })).toThrow(/cell_shift must be an integer in \[0, 15\]/);
    expect(infer({ rounding: "up" })).toThrow(/rounding must be one of/);
    const f32x = [tensorType("f32", [4, 1, 3]), ...n.inputs.slice(1).map((v) => g.types[v])];
    expect(infer({}, f32x)).toThrow("QLSTM input X must be i8, got f32");
    expect(() => getOp("QGRU").infer([g.types[n.inputs[0]!]], resolveAttrs(getOp("QGRU"), {}), { numOutputs: 2, constant: () => undefined })).toThrow("QGRU needs inputs X, W and R");
  });
  it("the command line takes --rnn with --int8 only, and only its three modes", async () => {
    const m = path.join(tmpdir(), "no-such-model.onnx");
    let r = await neoncInProcess("check", m, "--rnn", "integer", "--target", "c99");
    expect([r.code, r.stderr.trim()]).toEqual([2, "neonc: --rnn only applies to int8 quantization; add --int8"]);
    r = await neoncInProcess("check", m, "--int8", "--rnn", "int", "--target", "c99");
    expect([r.code, r.stderr.trim()]).toEqual([2, "neonc: option '--rnn <mode>' argument 'int' is invalid; allowed choices are hybrid, integer, float"]);
  });
  it("has no ONNX export, and says why", () => {
    expect(() => exportOnnx(g)).toThrow("cannot export node y (QLSTM) to ONNX: QLSTM has no standard ONNX form (ONNX's LSTM/GRU are float only); quantize with rnn=hybrid to export the model");
  });
});

const models = sharedPath("models");

describe.runIf(models !== undefined)("lstm_encoder: float vs hybrid vs integer LSTMs", () => {
  it("both int8 modes keep the logits above 30 dB SQNR", () => {
    const dir = path.join(models!, "lstm_encoder");
    const g = runPipeline(importOnnxFile(path.join(dir, "model.onnx")), "-O1", { log: () => {}, host: nodeHost() });
    const cal = [...readCalibrationDir(path.join(dir, "test_data_set_0"), g)];
    const ranges = { ...calibrate(g, cal).ranges, ...calibrateRnnStates(g, cal) };
    const both = [...readCalibrationDir(dir, g)];
    const rows = (["hybrid", "integer"] as const).map((rnn) => {
      const q = quantizeGraph(g, ranges, { rnn });
      const rep = sqnrReport(g, q, both);
      const lstm = rep.layers.filter((l) => l.op === "LSTM").map((l) => `${l.intOp} ${l.sqnrDb.toFixed(1)} dB`);
      return { rnn, out: rep.outputs[0]!.sqnrDb, lstm, bytes: rep.modelBytesInt, floatBytes: rep.modelBytesFloat };
    });
    console.log(rows.map((r) => `${r.rnn}: logits ${r.out.toFixed(1)} dB; ${r.lstm.join(", ") || "LSTM outputs in float"}; ${r.bytes} constant bytes`).join("\n"), `\nfloat: ${rows[0]!.floatBytes} constant bytes`);
    for (const r of rows) expect(r.out).toBeGreaterThan(30);
  });
});
