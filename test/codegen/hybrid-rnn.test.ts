// HybridLSTM in C (codegen/kernels/hybrid-rnn.ts) against the interpreter: ../shared's
// lstm_encoder after -O1 + calibration + quantization (both LSTMs become HybridLSTM with int8
// W and R), on test_data_set_1 (T = 192). The HybridLSTM outputs are compared within the float
// tolerance of the code generator (1e-4 of max |ref|) on c99 (native), aarch64 (SIMDe) and
// armv7 (qemu); the int8 graph output after them within two quantization steps. A small graph
// covers HybridGRU and the other LSTM forms.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile } from "../../src/frontend/onnx/index.js";
import { readTensorFile } from "../../src/frontend/onnx/tensor.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import { calibrate } from "../../src/calibration/calibrate.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { compareTensors, buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../codegen/targets.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";
import { parseGraph, formatTensor } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { Rng } from "../../src/testing/rng.js";

const dir = sharedPath("models/lstm_encoder");

describe.runIf(dir !== undefined)("HybridLSTM in C matches the interpreter (lstm_encoder, int8 weights)", () => {
  it("c99 native, aarch64 SIMDe, armv7 qemu on test_data_set_1", () => {
    const D = dir!;
    const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
    const input = (set: string) => ({ [g.inputs[0]!]: readTensorFile(path.join(D, set, "input_0.pb")).tensor });
    const q0 = quantizeGraph(g, calibrate(g, [input("test_data_set_0")]).ranges);
    const hybrids = q0.nodes.filter((n) => n.op === "HybridLSTM");
    expect(hybrids.length).toBe(2);
    // Every HybridLSTM's Y is checked directly, besides the graph output that follows it.
    const ys = hybrids.map((n) => n.outputs[0]!).filter((y) => !q0.outputs.includes(y));
    const q = { ...q0, outputs: [...q0.outputs, ...ys] };
    const set = input("test_data_set_1");
    const T = set[g.inputs[0]!]!.shape[0]!;
    expect(T).toBe(192);
    const ref = runGraph(q, set);
    // The float LSTM outputs feed a Quantize: a difference of 1e-7 can move a value across a
    // rounding boundary, so the int8 tail may differ by a step; the graph output gets 2 steps.
    const step = (o: string) => {
      const dq = q.nodes.find((n) => n.outputs[0] === o && n.op === "Dequantize");
      return dq ? (dq.attrs.scale as number) : 0;
    };
    const sym = q.types[q.inputs[0]!]!.shape[0]!;
    expect(typeof sym).not.toBe("number");
    const name = (sym as unknown as { terms: { atom: { name: string } }[] }).terms[0]!.atom.name;
    let ran = 0;
    for (const [target, mode] of [["c99", "native"], ["aarch64", "simde"], ["armv7", "qemu"]] as const) {
      const rig = rigOrSkip(target, mode);
      if (!rig) continue;
      const model = compileGraph(q, { target: getTarget(target), maxDims: { [name]: T } });
      expect(model.files["model.c"]).toContain("neonc_dequant_cols_i8");
      const got = runBuild(model, buildModel(model, rig), set).outputs;
      for (const o of ys) {
        const c = compareTensors(got[o]!, ref[o]!);
        expect(c.rel, `${target}/${mode} ${o}: max abs error ${c.maxAbs} vs max |ref| ${c.maxRef}`).toBeLessThanOrEqual(1e-4);
      }
      for (const o of q0.outputs) {
        const c = compareTensors(got[o]!, ref[o]!);
        expect(c.maxAbs, `${target}/${mode} ${o}: max abs error ${c.maxAbs}, quantization step ${step(o)}`).toBeLessThanOrEqual(2 * step(o) * (1 + 1e-6));
      }
      ran++;
      console.log(`HybridLSTM ${target}/${mode}: ok`);
    }
    expect(ran).toBeGreaterThan(0);
  }, 120_000);
});

// Small hybrid layers in every form the float kernels take: GRU forward / bidirectional with
// linear_before_reset and initial_h / reverse with clip; LSTM bidirectional with peepholes and
// initial states. H = 6 exercises the vector tails and a GEMV block with padded rows.
const rng = new Rng(77);
const q8 = (shape: number[]): Tensor => {
  const t = makeTensor("i8", shape);
  const d = t.data as Int8Array;
  for (let i = 0; i < d.length; i++) d[i] = Math.round(rng.uniform(-127, 127));
  return t;
};
const f32 = (shape: number[], lo: number, hi: number): Tensor => {
  const t = makeTensor("f32", shape);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(lo, hi);
  return t;
};
const scales = (n: number) => `[${Array.from({ length: n }, () => (rng.uniform(0.5, 1.5) / 127 * 0.6).toPrecision(6)).join(", ")}]`;
const K = (name: string, t: Tensor) => `  %${name} = const ${formatTensor(t)}`;
const SMALL = `graph @hybrid_small(%x: f32[T,2,5]) -> (%gy, %gh, %gy2, %gh2, %gy3, %ly, %lh, %lc) {
${K("W", q8([1, 18, 5]))}
${K("R", q8([1, 18, 6]))}
${K("B", f32([1, 36], -0.3, 0.3))}
${K("W2", q8([2, 24, 5]))}
${K("R2", q8([2, 24, 8]))}
${K("B2", f32([2, 48], -0.3, 0.3))}
${K("h0", f32([2, 2, 8], -1, 1))}
${K("LW", q8([2, 24, 5]))}
${K("LR", q8([2, 24, 6]))}
${K("LB", f32([2, 48], -0.3, 0.3))}
${K("LP", f32([2, 18], -0.5, 0.5))}
${K("lh0", f32([2, 2, 6], -1, 1))}
${K("lc0", f32([2, 2, 6], -1, 1))}
  %gy, %gh = HybridGRU(%x, %W, %R, %B) {hidden_size=6, w_scales=${scales(18)}, r_scales=${scales(18)}}
  %gy2, %gh2 = HybridGRU(%x, %W2, %R2, %B2, _, %h0) {hidden_size=8, direction="bidirectional", linear_before_reset=1, w_scales=${scales(48)}, r_scales=${scales(48)}}
  %gy3, _ = HybridGRU(%x, %W, %R) {hidden_size=6, direction="reverse", clip=0.8, w_scales=${scales(18)}, r_scales=${scales(18)}}
  %ly, %lh, %lc = HybridLSTM(%x, %LW, %LR, %LB, _, %lh0, %lc0, %LP) {hidden_size=6, direction="bidirectional", w_scales=${scales(48)}, r_scales=${scales(48)}}
}`;

describe("HybridGRU and HybridLSTM in C on small graphs", () => {
  it("c99 native, aarch64 SIMDe, armv7 qemu; T = 7 and 3", () => {
    const g = parseGraph(SMALL);
    const sets = [7, 3].map((T) => ({ x: f32([T, 2, 5], -1.5, 1.5) }));
    let ran = 0;
    for (const [target, mode] of [["c99", "native"], ["aarch64", "simde"], ["armv7", "qemu"]] as const) {
      const rig = rigOrSkip(target, mode);
      if (!rig) continue;
      const model = compileGraph(g, { target: getTarget(target), maxDims: { T: 7 } });
      const build = buildModel(model, rig);
      for (const set of sets) {
        const got = runBuild(model, build, set).outputs, ref = runGraph(g, set);
        for (const o of g.outputs) {
          const c = compareTensors(got[o]!, ref[o]!);
          expect(c.rel, `${target}/${mode} ${o} (T=${set.x.shape[0]}): max abs error ${c.maxAbs} vs max |ref| ${c.maxRef}`).toBeLessThanOrEqual(1e-4);
        }
      }
      ran++;
    }
    expect(ran).toBeGreaterThan(0);
  }, 120_000);
});
