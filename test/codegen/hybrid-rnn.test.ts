// HybridLSTM in C (codegen/kernels/hybrid-rnn.ts) against the interpreter: ../shared's
// lstm_encoder after -O1 + calibration + quantization (both LSTMs become HybridLSTM with int8
// W and R), on test_data_set_1 (T = 192). The HybridLSTM outputs are compared within the float
// tolerance of the code generator (1e-4 of max |ref|) on c99 (native), aarch64 (SIMDe) and
// armv7 (qemu); the int8 graph output after them within two quantization steps.
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
    }
    expect(ran).toBeGreaterThan(0);
  }, 120_000);
});
