// The quantize pass on log filterbank energies (./lower-log-energy.ts): random STFT-like front
// ends (two Convs of random weights, moved to [frames, bins], squared, summed, through a random
// nonnegative bank, floored by a Clip or an added eps, Log) become one QLogEnergy with int16 halves from 16x16 Convs and
// keep the numbers: every output within one output step of the float graph's on the int16 input
// and weights and the int8 bank.
// A bank with a negative weight is no log energy; a half another node reads stays int8.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sym } from "../../../ir/dim.js";
import type { Graph } from "../../../ir/graph.js";
import { tensorType, type Tensor } from "../../../ir/types.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { quantizeWeightsTo } from "../../../passes/quantize/params.js";
import { roundHalfEven } from "../../../ir/kernels/onnx-quant-round.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { GraphBuilder, Rng, seededTensor } from "../../../src/testing/index.js";
import { sqnrDb } from "../../../src/testing/metrics.js";
import { importOnnxFile, readTensorFile } from "../../../src/adapters/onnx/index.js";
import { quantizeModel } from "../../../src/index.js";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface FrontEnd {
  readonly K: number;
  readonly M: number;
  readonly L: number;
  readonly stride: number;
  readonly eps: number;
  readonly seed: number;
  readonly im: boolean;
  /** How the log is kept finite: Log(Clip(E, eps)) or Log(E + eps). */
  readonly floor: "clip" | "add";
}

function frontEnd(p: FrontEnd, opts: { negativeBank?: boolean; sharedHalf?: boolean } = {}): Graph {
  const rng = new Rng(p.seed);
  const b = new GraphBuilder("front");
  const x = b.input("x", tensorType("f32", [1, 1, sym("T")]));
  const w = (name: string) => b.constant(name, seededTensor(rng, "f32", [p.K, 1, p.L], { values: { min: -1, max: 1 } }));
  const half = (name: string) => {
    const [c] = b.node("Conv", [x, w(`w${name}`)], { kernel_shape: [p.L], strides: [p.stride] }, `${name}`);
    const [t] = b.node("Transpose", [c!], { perm: [0, 2, 1] }, `${name}t`);
    return t!;
  };
  const re = half("re");
  const [r2] = b.node("Mul", [re, re], {}, "r2");
  let power = r2!;
  if (p.im) {
    const im = half("im");
    const [i2] = b.node("Mul", [im, im], {}, "i2");
    [power] = b.node("Add", [r2!, i2!], {}, "p") as [string];
  }
  const bank = seededTensor(rng, "f32", [p.K, p.M], { values: { min: 0, max: 1 } });
  if (opts.negativeBank) (bank.data as Float32Array)[0] = -0.5;
  const [e] = b.node("MatMul", [power, b.constant("bank", bank)], {}, "e");
  const [c] = p.floor === "clip" ? b.node("Clip", [e!], { min: p.eps }, "c") : b.node("Add", [e!, b.constant("eps", { dtype: "f32", shape: [], data: new Float32Array([p.eps]) })], {}, "c");
  const [y] = b.node("Log", [c!], {}, "y");
  const outs = [y!];
  if (opts.sharedHalf) outs.push(b.node("Relu", [re], {}, "other")[0]!);
  return b.build([x], outs);
}

const samples = (seed: number, n: number, T: number): Record<string, Tensor>[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ x: seededTensor(rng, "f32", [1, 1, T], { values: { min: -(i + 1) / n, max: (i + 1) / n } }) }));
};

/**
 * `g` with the Convs' weights and the bank replaced by their int16 and int8 values (per channel,
 * per column, as the pass quantizes them) and a function rounding an input to x's int16 grid in `q`.
 */
function roundedReference(g: Graph, q: Graph): { graph: Graph; input(t: Tensor): Tensor } {
  const constants = { ...g.constants };
  for (const [name, axis, bits] of [["wre", 0, 16], ["wim", 0, 16], ["bank", 1, 8]] as const) {
    const t = g.constants[name];
    if (!t) continue;
    const qw = quantizeWeightsTo(bits, t.data as Float32Array, t.shape as number[], axis, true);
    const inner = axis === 0 ? t.shape.slice(1).reduce<number>((a, d) => a * (d as number), 1) : 1;
    const C = t.shape[axis] as number;
    constants[name] = { ...t, data: Float32Array.from(qw.q, (v, i) => v * qw.scales[Math.floor(i / inner) % C]!) };
  }
  const xq = q.nodes.find((n) => n.op === "Quantize" && n.inputs[0] === "x" && n.attrs.out_dtype === "i16")!;
  const sx = xq.attrs.scale as number, zx = xq.attrs.zero_point as number;
  const input = (t: Tensor): Tensor => ({ ...t, data: Float32Array.from(t.data as Float32Array, (v) => (Math.max(-32768, Math.min(32767, roundHalfEven(v / sx) + zx)) - zx) * sx) });
  return { graph: { ...g, constants }, input };
}

const arbFrontEnd = fc.record({
  K: fc.integer({ min: 2, max: 12 }), M: fc.integer({ min: 1, max: 6 }), L: fc.integer({ min: 2, max: 16 }),
  stride: fc.integer({ min: 1, max: 4 }), eps: fc.double({ min: 1e-4, max: 0.1, noNaN: true }), seed: fc.integer({ min: 1, max: 1000 }), im: fc.boolean(),
  floor: fc.constantFrom("clip" as const, "add" as const),
});

describe("quantize: log energies", () => {
  it("become one QLogEnergy with int16 halves within one output step of the float log energy", () => {
    fc.assert(fc.property(arbFrontEnd, (p) => {
      const g = frontEnd(p);
      const data = samples(p.seed, 6, 64);
      // No bias correction: the reference has no bias to correct.
      const q = quantizeGraph(g, calibrate(g, data).ranges, { biasCorrection: false });
      const ops = q.nodes.map((n) => n.op);
      expect(ops.filter((o) => o === "QLogEnergy")).toHaveLength(1);
      expect(ops.filter((o) => ["QMul", "QAdd", "QMatMul", "QLookup"].includes(o))).toEqual([]);
      const convs = q.nodes.filter((n) => n.op === "QConv");
      expect(convs.map((n) => n.attrs.out_dtype)).toEqual(p.im ? ["i16", "i16"] : ["i16"]);
      expect(convs.map((n) => [q.types[n.inputs[0]!]!.dtype, q.types[n.inputs[1]!]!.dtype])).toEqual(convs.map(() => ["i16", "i16"]));
      const yq = q.types["y.q"]!.quant;
      if (yq?.kind !== "affine") throw new Error("y.q is not affine");
      const step = yq.scale[0]!, zy = yq.zeroPoint[0]!;
      // The rounded weights can move an energy beyond the range calibration saw: it clips there.
      const clip = (v: number) => Math.max((-128 - zy) * step, Math.min((127 - zy) * step, v));
      // Against the float graph on what the integer graph starts from (the int16 input and
      // weights, the int8 bank): what the int16 halves, the exact power and sums and the log add.
      const ref = roundedReference(g, q);
      for (const s of data) {
        const f = runGraph(ref.graph, { x: ref.input(s["x"]!) })["y"]!.data as Float32Array, r = runGraph(q, s)["y"]!.data as Float32Array;
        f.forEach((v, i) => expect(Math.abs(clip(v) - r[i]!), `output ${i}: ${r[i]} vs ${v} (step ${step})`).toBeLessThanOrEqual(1 * step));
      }
    }), { numRuns: 40 });
  });

  it("leaves a bank with a negative weight to the ops one by one; takes a half another node reads at int8", () => {
    const p: FrontEnd = { K: 4, M: 2, L: 4, stride: 2, eps: 0.01, seed: 5, im: true, floor: "clip" };
    for (const opts of [{ negativeBank: true }, { sharedHalf: true }]) {
      const g = frontEnd(p, opts);
      const q = quantizeGraph(g, calibrate(g, samples(1, 4, 32)).ranges);
      const ops = q.nodes.map((n) => n.op);
      if (opts.negativeBank) expect(ops).not.toContain("QLogEnergy");
      // A half read elsewhere stays int8: the group takes both halves requantized to one int16 scale.
      if (opts.sharedHalf) {
        expect(ops).toContain("QLogEnergy");
        expect(q.nodes.filter((n) => n.op === "QConv").map((n) => n.attrs.out_dtype)).toEqual(["i8", "i8"]);
        expect(q.nodes.filter((n) => n.op === "Requantize").map((n) => n.attrs.out_dtype)).toEqual(["i16", "i16"]);
      }
    }
  });
});

describe("quantize: a log-mel front end exported from PyTorch", () => {
  // test/fixtures/models/logmel_frontend: the STFT as two strided Convs, Pow, a Transpose, the mel
  // MatMul and log(mel + 1e-6). Op by op (8-bit power) its int8 output had -0.5 dB SQNR.
  it("is one QLogEnergy with the Transpose on the int16 halves, and its int8 output keeps 40 dB SQNR", () => {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/models/logmel_frontend");
    const g = importOnnxFile(path.join(dir, "model.onnx"));
    const q = quantizeModel(g, { quantize: { calibration: dir }, log: () => {} }).graph;
    expect(q.nodes.map((n) => n.op).sort()).toEqual(["Dequantize", "QConv", "QConv", "QLogEnergy", "Quantize", "Transpose", "Transpose"]);
    for (const k of [0, 1]) {
      const x = readTensorFile(path.join(dir, `test_data_set_${k}`, "input_0.pb")).tensor;
      const want = readTensorFile(path.join(dir, `test_data_set_${k}`, "output_0.pb")).tensor;
      const got = runGraph(q, { [q.inputs[0]!]: x })[q.outputs[0]!]!;
      expect(sqnrDb(Array.from(want.data as Float32Array), Array.from(got.data as Float32Array)), `set ${k}`).toBeGreaterThanOrEqual(40);
    }
  });
});
