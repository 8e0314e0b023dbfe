// End to end on ../shared/asr-digits: -O1, calibrate (min/max, 5 dev utterances), quantize to
// integer-only int8, compile to C and check on 2 other dev utterances, on all five rigs (c99
// native, aarch64 through SIMDe and under qemu, armv7 and aarch64+dotprod under qemu), that
// the integer part of the generated code gives exactly the interpreter's values (every byte of
// the int8 tensor entering the final Dequantize) and the float LogSoftmax after it is within
// 1e-4 (absolute, and relative to max |ref|). The check itself is in qint-shared-models.ts.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";
import { checkInt8OnRig, formatReport, INT8_RIGS, prepareInt8, type Int8Case } from "./qint-shared-models.js";

const dir = sharedPath("asr-digits");

describe.runIf(dir !== undefined)("int8 asr-digits in C is bit-exact with the interpreter", () => {
  let c: Int8Case;
  beforeAll(() => {
    const dev = path.join(dir!, "dev");
    const g = importOnnxFile(path.join(dir!, "model.onnx"));
    const sets = [...readCalibrationDir(dev, g, { offset: 0, limit: 2 })];
    c = prepareInt8("asr-digits", g, readCalibrationDir(dev, g, { offset: 50, limit: 5 }), sets, { floatAbsTol: 1e-4 });
    // The integer part ends at the Dequantize before the float LogSoftmax.
    expect(c.probe.nodes.some((n) => n.op === "Dequantize")).toBe(true);
  });
  for (const [target, mode] of INT8_RIGS) {
    it(`${target} (${mode}), 2 utterances`, (ctx) => {
      const rig = rigOrSkip(ctx, target, mode);
      console.log(formatReport(c, target, mode, checkInt8OnRig(c, target, rig)));
    });
  }
});
