// End to end on ../shared/asr-digits: -O1, calibrate (min/max, 5 dev utterances), quantize to
// integer-only int8, compile to C and check that the integer part of the generated code gives
// exactly the interpreter's values (every byte of the int8 tensor entering the final Dequantize)
// on 2 other utterances, on c99 and armv7 under qemu; the float LogSoftmax after it within 1e-4.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile } from "../../src/frontend/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import { calibrate, readCalibrationDir } from "../../src/calibration/index.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { getTarget } from "../../codegen/targets.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";

const dir = sharedPath("asr-digits");

describe.runIf(dir !== undefined)("int8 asr-digits in C is bit-exact with the interpreter", () => {
  it("c99 (native) and armv7 (qemu), 2 utterances", () => {
    const D = dir!;
    const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
    const cal = calibrate(g, readCalibrationDir(path.join(D, "dev"), g, { offset: 50, limit: 5 }));
    const q0 = quantizeGraph(g, cal.ranges);
    // The integer part ends at the Dequantize before the float LogSoftmax (whose expf/logf are
    // checked with a tolerance elsewhere): its integer input is the exact check.
    const dq = q0.nodes.filter((n) => n.op === "Dequantize");
    expect(dq.length).toBeGreaterThan(0);
    const exact = dq.map((n) => n.inputs[0]!);
    const q = { ...q0, outputs: [...q0.outputs, ...exact] };
    const sets = [...readCalibrationDir(path.join(D, "dev"), g, { offset: 0, limit: 2 })];
    const refs = sets.map((s) => runGraph(q, s));
    const T = Math.max(...sets.map((s) => Math.max(...Object.values(s).map((t) => Math.max(...t.shape)))));
    const sym = [...new Set(q.inputs.flatMap((i) => q.types[i]!.shape.filter((d) => typeof d !== "number").map((d) => JSON.stringify(d))))];
    const names = sym.map((s) => (JSON.parse(s) as { terms: { atom: { name: string } }[] }).terms[0]!.atom.name);
    const maxDims = Object.fromEntries(names.map((n) => [n, T]));
    let ran = 0;
    for (const [target, mode] of [["c99", "native"], ["armv7", "qemu"]] as const) {
      const rig = rigOrSkip(target, mode);
      if (!rig) continue;
      const model = compileGraph(q, { target: getTarget(target), maxDims });
      const build = buildModel(model, rig);
      sets.forEach((s, k) => {
        const got = runBuild(model, build, s).outputs;
        for (const o of q.outputs) {
          const a = got[o]!.data, b = refs[k]![o]!.data;
          let bad = 0;
          const tol = exact.includes(o) ? 0 : 1e-4;
          for (let i = 0; i < b.length; i++) if (!(Math.abs(Number(a[i]!) - Number(b[i]!)) <= tol)) bad++;
          expect(bad, `${target}/${mode} utterance ${k} output ${o}: ${bad} of ${b.length} values differ`).toBe(0);
        }
      });
      ran++;
    }
    expect(ran).toBeGreaterThan(0);
  });
});
