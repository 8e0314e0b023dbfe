// End to end on ../shared/asr-digits with a 16x8 layer: -O1, calibrate (min/max, 5 dev
// utterances), quantize with the first convolution (the one reading the features, K = 64 x 11
// = 704, so its accumulators can pass int32) in the 16x8 mode, compile to C and check on 2 other
// dev utterances, on c99 (native) and armv7 (qemu), that the 16x8 conv's output and every
// integer tensor entering a Dequantize are the interpreter's byte for byte, and the float
// LogSoftmax after it is within 1e-4.
// The comparison itself is qint-shared-models.ts's checkInt8OnRig.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Graph } from "../../ir/graph.js";
import { runPipeline } from "../../passes/index.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { calibrate } from "../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { largestDims } from "../../codegen/engine.js";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";
import { checkInt8OnRig, formatReport, type Int8Case } from "./qint-shared-models.js";

const dir = sharedPath("asr-digits");

/** The first Conv that reads a graph input (the features). */
function firstConv(g: Graph): string {
  const n = g.nodes.find((m) => m.op === "Conv" && g.inputs.includes(m.inputs[0]!));
  if (!n) throw new Error("asr-digits after -O1 has no Conv reading the features");
  return n.name;
}

describe.runIf(dir !== undefined)("asr-digits with its first conv in 16x8 is bit-exact in C", () => {
  let c: Int8Case;
  let layer: string;
  beforeAll(() => {
    const dev = path.join(dir!, "dev");
    const g = runPipeline(importOnnxFile(path.join(dir!, "model.onnx")), "-O1", { log: () => {} });
    layer = firstConv(g);
    const ranges = calibrate(g, readCalibrationDir(dev, g, { offset: 50, limit: 5 })).ranges;
    const q = quantizeGraph(g, ranges, { int16: new Set([layer]) });
    // The layer really runs in 16x8: an integer conv reading int16.
    const conv16 = q.nodes.filter((n) => n.op === "QConv" && q.types[n.inputs[0]!]!.dtype === "i16");
    expect(conv16.length, `no QConv reads int16 after quantizing ${layer} in 16x8`).toBe(1);
    // Checked byte for byte: the 16x8 conv's own output and every integer tensor entering a Dequantize.
    const exact = [...new Set([conv16[0]!.outputs[0]!, ...q.nodes.filter((n) => n.op === "Dequantize").map((n) => n.inputs[0]!)])];
    const probe: Graph = { ...q, outputs: [...q.outputs, ...exact.filter((v) => !q.outputs.includes(v))] };
    const sets = [...readCalibrationDir(dev, g, { offset: 0, limit: 2 })];
    c = { name: "asr-digits (16x8 first conv)", probe, exact, boundary: [], sets, calibration: [], refs: sets.map((s) => runGraph(probe, s)), maxDims: largestDims(probe, sets), floatAbsTol: 1e-4 };
  });
  for (const [target, mode] of [["c99", "native"], ["armv7", "qemu"]] as const) {
    it(`${target} (${mode}), 2 utterances`, (ctx) => {
      const rig = rigOrSkip(ctx, target, mode);
      console.log(`${formatReport(c, target, mode, checkInt8OnRig(c, target, rig))} (16x8 layer ${layer})`);
    });
  }
});
