// QLSTM and QGRU in C, bit for bit against the interpreter on every rig: one integer-only graph
// with cases covering directions, batch > 1, hidden sizes off the NEON block of 4, input widths
// that leave 16/8-byte GEMM tails, sequence lengths (including 0), initial states as graph
// inputs, a -128 weight, zero multipliers and all four roundings; the generated code contains no
// floating point. Then the shared lstm_encoder quantized with rnn=integer (calibrated on its
// test_data_set_0): bit-exact on aarch64 (qemu) on both test sets, and on c99 through the
// command line (`neonc check --int8 --rnn integer`, which compares with the interpreter).
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Tensor } from "../../ir/types.js";
import { findKernel } from "../../codegen/kernel.js";
import "../../codegen/kernels/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { runPipeline } from "../../passes/index.js";
import { calibrate } from "../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { calibrateRnnStates } from "../../passes/quantize/lower-rnn.js";
import { qrnnGraph, qrnnInputs, type QRnnCase } from "../helpers/qrnn-graphs.js";
import { ALL_RIGS, checkBitExact, expectNoFloat, itOnRigs, requireModels, rigOrSkip } from "./helpers.js";
import { neoncInProcess } from "../app/cli/helpers.js";

const base = { T: "T", bias: true, initialH: false, initialC: false, cellShift: 11, minus128: false } as const;
const CASES: QRnnCase[] = [
  { ...base, op: "QLSTM", direction: "forward", B: 1, I: 33, H: 12, rounding: "gemmlowp", seed: 1 },
  { ...base, op: "QLSTM", direction: "reverse", B: 2, I: 5, H: 7, rounding: "tflite", lens: [4, 0], initialH: true, initialC: true, cellShift: 13, seed: 2 },
  { ...base, op: "QLSTM", direction: "bidirectional", B: 3, I: 17, H: 5, rounding: "rndnu", lens: [4, 2, 3], initialC: true, cellShift: 9, minus128: true, seed: 3 },
  { ...base, op: "QLSTM", direction: "forward", B: 1, I: 8, H: 16, rounding: "half-even", bias: false, initialH: true, cellShift: 15, seed: 4 },
  { ...base, op: "QGRU", direction: "forward", B: 2, I: 19, H: 9, rounding: "gemmlowp", linearBeforeReset: false, initialH: true, seed: 5 },
  { ...base, op: "QGRU", direction: "bidirectional", B: 1, I: 6, H: 4, rounding: "tflite", linearBeforeReset: true, seed: 6 },
  { ...base, op: "QGRU", direction: "reverse", B: 3, I: 32, H: 6, rounding: "rndnu", linearBeforeReset: true, lens: [1, 4, 0], initialH: true, minus128: true, seed: 7 },
  { ...base, op: "QGRU", direction: "bidirectional", B: 2, I: 3, H: 10, rounding: "half-even", linearBeforeReset: false, bias: false, lens: [2, 4], seed: 8 },
];
const G = qrnnGraph(CASES);
const SETS = [qrnnInputs(G, 11, 21), qrnnInputs(G, 4, 22)];
const REFS = SETS.map((s) => runGraph(G, s));
describe("QLSTM and QGRU C kernels match the interpreter bit for bit", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(G, target, rig, SETS, { expected: REFS, maxDims: { T: 16 } }));

  it("the cases are not trivial, and an empty sequence reports the zero point", () => {
    for (const o of G.outputs) expect(new Set(REFS[0]![o]!.data as Int8Array).size, o).toBeGreaterThan(4);
    // Entries with sequence length 0 keep the zero point in Y and report it as the final state.
    const yh = REFS[0]![G.outputs[4]!]!.data as Int8Array; // case 1 (QLSTM reverse, lens [4, 0]): Y_h [1, 2, 7]
    const zp = G.nodes[1]!.attrs.h_zero_point as number;
    expect(Array.from(yh.slice(7, 14))).toEqual(new Array(7).fill(zp));
  });

  it("has no floating point in the generated code (NEON and scalar)", () => {
    expectNoFloat(G, ["c99", "aarch64", "armv7", "aarch64+dotprod"], { T: 16 });
  });

  it("refuses what it cannot generate with a reason", () => {
    const k = findKernel("QLSTM")!;
    const n = G.nodes[0]!;
    const g = { ...G, constants: { ...G.constants } };
    delete (g.constants as Record<string, Tensor>)[n.inputs[1]!];
    expect(k.supports!(n, n.attrs, g)).toMatch(/W must be constant/);
  });
});

// A symbolic batch N (a batch-first model exported with a dynamic batch): the C reads N at run
// time and the arena holds the largest N and T together.
const NCASES: QRnnCase[] = [
  { ...base, op: "QLSTM", direction: "bidirectional", B: "N", I: 9, H: 6, rounding: "gemmlowp", initialH: true, initialC: true, seed: 31 },
  { ...base, op: "QGRU", direction: "reverse", B: "N", I: 5, H: 7, rounding: "tflite", linearBeforeReset: false, initialH: true, seed: 32 },
  { ...base, op: "QGRU", direction: "forward", B: "N", I: 20, H: 5, rounding: "rndnu", linearBeforeReset: true, seed: 33 },
];
const GN = qrnnGraph(NCASES);
const NSETS = [qrnnInputs(GN, 6, 41, 3), qrnnInputs(GN, 3, 42, 1), qrnnInputs(GN, 5, 43, 2)];
describe("QLSTM and QGRU with a symbolic batch N match the interpreter bit for bit", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(GN, target, rig, NSETS, { expected: NSETS.map((s) => runGraph(GN, s)), maxDims: { T: 6, N: 3 } }));
});

describe("lstm_encoder with integer LSTMs in C", () => {
  it("is bit-exact on aarch64 (qemu) on both test sets", (ctx) => {
    const dir = path.join(requireModels(), "lstm_encoder");
    const g = runPipeline(importOnnxFile(path.join(dir, "model.onnx")), "-O1", { log: () => {} });
    const cal = [...readCalibrationDir(path.join(dir, "test_data_set_0"), g)];
    const q = quantizeGraph(g, { ...calibrate(g, cal).ranges, ...calibrateRnnStates(g, cal) }, { rnn: "integer" });
    expect(q.nodes.filter((n) => n.op === "QLSTM")).toHaveLength(2);
    const sets = [...readCalibrationDir(dir, g)];
    const refs = sets.map((s) => runGraph(q, s));
    const rig = rigOrSkip(ctx, "aarch64", "qemu");
    checkBitExact(q, "aarch64", rig, sets, { expected: refs, maxDims: { T: 300 } });
  });

  it("is bit-exact on c99 through `neonc check --int8 --rnn integer` (max abs error 0 on the unseen set)", async (ctx) => {
    const dir = path.join(requireModels(), "lstm_encoder");
    rigOrSkip(ctx, "c99", "native");
    const r = await neoncInProcess("check", path.join(dir, "model.onnx"), "--int8", "--calibration", path.join(dir, "test_data_set_0"), "--rnn", "integer",
      "--target", "c99", "--input-dir", path.join(dir, "test_data_set_1"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/logits max abs error 0\.00e\+0/);
  });
});
