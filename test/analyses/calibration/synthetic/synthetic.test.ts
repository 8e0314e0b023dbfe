// Zero-shot synthetic calibration: the BN-statistics loss and its gradient, determinism, the
// error for models without BatchNorm, and the real asr-digits model (12 unfolded BatchNorms).
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../../ir/graph.js";
import { makeTensor, tensorType, type Tensor } from "../../../../ir/types.js";
import { forwardWithTape, backward, differentiableValues } from "../../../../src/analyses/autodiff/index.js";
import { BatchStats, findBatchNorms, statSeed } from "../../../../src/analyses/calibration/synthetic/bn-stats.js";
import { runSyntheticCalibration, synthesizeCalibrationInputs } from "../../../../src/analyses/calibration/synthetic/index.js";
import { ModelError } from "../../../../ir/errors.js";
import { importOnnxFile } from "../../../../src/adapters/onnx/index.js";
import { GraphBuilder } from "../../../../src/testing/graph-builder.js";
import { resolveCalibration } from "../../../../passes/quantize/calibration-source.js";
import { SILENT_PROGRESS } from "../../../../passes/pass.js";
import { Rng } from "../../../../src/testing/rng.js";
import { sharedPath } from "../../../helpers/shared.js";
import { randomF64 } from "./gradcheck.js";

interface Stats { readonly mean: Tensor; readonly variance: Tensor }

/**
 * x [1, 3, T] -> Conv(k3, pads 1) -> BN -> Relu -> depthwise Conv(stride 2) -> BN -> LogSoftmax,
 * with random weights; `stats` gives each BN's running statistics (default mean 0, var 1).
 */
function smallNet(dtype: "f32" | "f64", withBn = true, stats: readonly Stats[] = []): Graph {
  const rng = new Rng(42);
  const t = (shape: number[], lo = -1, hi = 1): Tensor => {
    const r = randomF64(rng, shape, lo, hi);
    return dtype === "f64" ? r : makeTensor(dtype, shape, Float32Array.from(r.data as Float64Array));
  };
  const filled = (v: number) => makeTensor(dtype, [4], (dtype === "f64" ? Float64Array : Float32Array).from([v, v, v, v]));
  const b = new GraphBuilder("small");
  const x = b.input("x", tensorType(dtype, [1, 3, { c: 0, terms: [{ coef: 1, atom: { kind: "sym", name: "T" } }] }]));
  let k = 0;
  const bn = (v: string, hint: string) => {
    if (!withBn) return v;
    const st = stats[k++];
    const ins = [v, b.constant(`${hint}.s`, t([4], 0.5, 1.5)), b.constant(`${hint}.b`, t([4])),
      b.constant(`${hint}.m`, st?.mean ?? filled(0)), b.constant(`${hint}.v`, st?.variance ?? filled(1))];
    return b.node("BatchNormalization", ins, {}, hint)[0]!;
  };
  const [c1] = b.node("Conv", [x, b.constant("w1", t([4, 3, 3])), b.constant("b1", t([4]))], { pads: [1, 1] }, "c1");
  const [r1] = b.node("Relu", [bn(c1!, "bn1")], {}, "r1");
  const [c2] = b.node("Conv", [r1!, b.constant("w2", t([4, 1, 3]))], { group: 4, strides: [2], pads: [1, 1] }, "c2");
  const [y] = b.node("LogSoftmax", [bn(c2!, "bn2")], { axis: 1 }, "y");
  return b.build([x], [y!]);
}

/**
 * smallNet with running statistics measured on "training data" (noise with per-channel offsets
 * and scales, unlike the N(0, 1) start), layer by layer as training would leave them: the
 * targets are then reachable, as in a real model.
 */
function trainedNet(dtype: "f32" | "f64"): Graph {
  const rng = new Rng(99);
  const data = Array.from({ length: 4 }, () => {
    const d = randomF64(rng, [1, 3, 24]);
    const v = d.data as Float64Array;
    for (let i = 0; i < v.length; i++) v[i] = 1.5 * v[i]! + [0.8, -0.5, 0.2][Math.floor(i / 24)]!;
    return dtype === "f64" ? d : makeTensor(dtype, d.shape, Float32Array.from(v));
  });
  const stats: Stats[] = [];
  for (let l = 0; l < 2; l++) {
    const g = smallNet(dtype, true, stats);
    const layers = findBatchNorms(g, differentiableValues(g));
    const acc = new BatchStats(layers);
    for (const d of data) {
      const tape = forwardWithTape(g, { x: d });
      acc.add(layers.map((m) => tape.values.get(m.input)!));
    }
    const { mean, variance } = acc.moments(l);
    const Arr = dtype === "f64" ? Float64Array : Float32Array;
    stats.push({ mean: makeTensor(dtype, [4], Arr.from(mean)), variance: makeTensor(dtype, [4], Arr.from(variance)) });
  }
  return smallNet(dtype, true, stats);
}

describe("BatchNorm-statistics loss", () => {
  it("its gradient through the network matches finite differences", () => {
    const g = smallNet("f64");
    const layers = findBatchNorms(g, differentiableValues(g));
    expect(layers.map((l) => l.node)).toEqual(["bn1", "bn2"]);
    const rng = new Rng(1);
    const xs = [randomF64(rng, [1, 3, 7]), randomF64(rng, [1, 3, 7])];
    const lossOf = (samples: Tensor[]) => {
      const stats = new BatchStats(layers);
      for (const s of samples) {
        const tape = forwardWithTape(g, { x: s });
        stats.add(layers.map((l) => tape.values.get(l.input)!));
      }
      return stats.lossAndSlopes();
    };
    const { a, b } = lossOf(xs);
    const grads = xs.map((s) => {
      const tape = forwardWithTape(g, { x: s });
      const seeds = Object.fromEntries(layers.map((l, i) => [l.input, statSeed(tape.values.get(l.input)!, a[i]!, b[i]!)]));
      return backward(tape, seeds).x!.data as Float64Array;
    });
    const h = 1e-6;
    for (const k of [0, 1]) {
      for (const i of [0, 5, 11, 20]) {
        const at = (d: number) => {
          const p = xs.map((s) => makeTensor("f64", s.shape, (s.data as Float64Array).slice()));
          (p[k]!.data as Float64Array)[i] += d;
          return lossOf(p).loss;
        };
        const num = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(num - grads[k]![i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(num)));
      }
    }
  });
});

describe("synthesizeCalibrationInputs", () => {
  it("lowers the loss, reports progress and shapes inputs by dims", () => {
    const seen: number[] = [];
    const r = runSyntheticCalibration(trainedNet("f32"), { count: 3, steps: 40, lr: 0.1, seed: 5, dims: { T: 16 }, onProgress: (p) => seen.push(p.step) });
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(r.inputs).toHaveLength(3);
    expect(r.inputs[0]!.x!.shape).toEqual([1, 3, 16]);
    expect(r.batchNorms).toBe(2);
    expect(r.losses).toHaveLength(41);
    expect(r.finalLoss).toBeLessThan(r.initialLoss / 20);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const g = smallNet("f32");
    const run = (seed: number) => synthesizeCalibrationInputs(g, { count: 2, steps: 5, seed, dims: { T: 10 } });
    const a = run(3), b = run(3), c = run(4);
    expect(Buffer.from((a[1]!.x!.data as Float32Array).buffer)).toEqual(Buffer.from((b[1]!.x!.data as Float32Array).buffer));
    expect(Array.from(a[0]!.x!.data as Float32Array)).not.toEqual(Array.from(c[0]!.x!.data as Float32Array));
  });

  it("says a model without BatchNorm cannot be calibrated this way and suggests real data", () => {
    const g = smallNet("f32", false);
    expect(() => synthesizeCalibrationInputs(g)).toThrow(ModelError);
    expect(() => synthesizeCalibrationInputs(g)).toThrow(/no BatchNormalization statistics.*--calibration DIR/);
  });
});

describe("the quantize pass's synthetic calibration source", () => {
  it("calibrates every float value on synthesised inputs, the same for the same seed", () => {
    const g = trainedNet("f32");
    const logs: string[] = [];
    const request = { observer: "minmax", samples: 2, seed: 9 } as const;
    const ctx = { host: {}, progress: SILENT_PROGRESS, log: (m: string) => logs.push(m), pipelineInput: undefined };
    const r = resolveCalibration(g, "synthetic", request, ctx);
    expect(r.result.samples).toBe(2);
    expect(r.samples.length).toBe(2);
    for (const v of ["x", "c1", "bn1", "r1", "c2", "bn2", "y"]) expect(r.result.ranges[v], v).toBeDefined();
    expect(r.summary).toMatch(/2 inputs matched to 2 BatchNorm statistics/);
    // Remembered per graph and request; a copy of the graph calibrates again, to the same ranges.
    expect(resolveCalibration(g, "synthetic", request, ctx)).toBe(r);
    expect(resolveCalibration({ ...g }, "synthetic", request, ctx).result.ranges).toEqual(r.result.ranges);
  });
});

const digits = sharedPath("asr-digits");

describe.runIf(digits)("synthetic calibration of asr-digits (12 BatchNorms, unfolded)", () => {
  it("a few Adam steps cut the BN-statistics loss several-fold, deterministically", () => {
    const g = importOnnxFile(path.join(digits!, "model.onnx"));
    const opts = { count: 3, steps: 12, lr: 0.2, seed: 1, dims: { T: 100 } };
    const r = runSyntheticCalibration(g, opts);
    console.log(`asr-digits: ${r.batchNorms} BatchNorms, loss ${r.initialLoss.toFixed(1)} -> ${r.finalLoss.toFixed(1)} in ${opts.steps} steps, ${r.msPerStep.toFixed(0)} ms/step for ${opts.count} inputs at T=100`);
    expect(r.batchNorms).toBe(12);
    expect(r.inputs[0]!.features!.shape).toEqual([1, 64, 100]);
    expect(r.finalLoss).toBeLessThan(r.initialLoss / 5);
    const again = synthesizeCalibrationInputs(g, opts);
    expect(Buffer.from((again[2]!.features!.data as Float32Array).buffer)).toEqual(Buffer.from((r.inputs[2]!.features!.data as Float32Array).buffer));
  });
});
