// Integer-exact Winograd on every shared model (../shared/models, calibrated on test_data_set_0,
// checked on test_data_set_1; and the asr-digits model on dev utterances): after int8
// quantization, winograd{m=2}, {m=4} and {m=auto} leave every integer tensor of the model equal
// byte for byte to int8 direct's in the interpreter (the exact scheme costs no accuracy by
// construction), and with m=4 the armv7 C (under qemu) equals the interpreter byte for byte. The
// scaled scheme (winograd{int8=scaled}, input scales picked on the calibration inputs): the armv7
// C equals the interpreter byte for byte with m=4, and the model's outputs stay close to int8
// direct's (SQNR printed, and at least 20 dB: a broken scale or transform falls far below).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runPipeline } from "../../passes/index.js";
import { getTarget } from "../../ir/target.js";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { readCalibrationDir } from "../../src/adapters/onnx/data-dir.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import type { Tensor } from "../../ir/types.js";
import { sharedPath } from "../helpers/shared.js";
import { rigOrSkip } from "./helpers.js";
import { checkInt8OnRig, prepareInt8, prepareSharedModel, type Int8Case } from "./qint-shared-models.js";

const models = sharedPath("models");
const digits = sharedPath("asr-digits");
const dirs = models ? readdirSync(models, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(path.join(models, d.name, "test_data_set_1"))).map((d) => path.join(models, d.name)) : [];

function digitsCase(): Int8Case {
  const g = importOnnxFile(path.join(digits!, "model.onnx"));
  const dev = path.join(digits!, "dev");
  return prepareInt8("asr-digits", g, readCalibrationDir(dev, g, { offset: 0, limit: 4 }), [...readCalibrationDir(dev, g, { offset: 4, limit: 2 })]);
}

describe.runIf(dirs.length > 0 || digits)("integer-exact Winograd on the shared models", () => {
  const cases: [string, () => Int8Case][] = [...dirs.map((d) => [path.basename(d), () => prepareSharedModel(d)] as [string, () => Int8Case]), ...(digits ? [["asr-digits", digitsCase] as [string, () => Int8Case]] : [])];
  for (const [name, prepare] of cases) {
    it(`${name}: int8 + Winograd equals int8 direct byte for byte (m = 2, 4, auto), and the armv7 C the interpreter`, (ctx) => {
      const c = prepare();
      let chosen = 0;
      for (const m of ["2", "4", "auto"]) {
        const w = runPipeline(c.probe, `winograd{m=${m}}`, { target: getTarget("armv7"), log: () => {} });
        chosen = Math.max(chosen, w.nodes.filter((n) => n.op === "QConvWinograd").length);
        c.sets.forEach((s, k) => {
          const got = runGraph(w, s);
          for (const v of c.exact) expect(Array.from(got[v]!.data as Int8Array), `${name} winograd{m=${m}} ${v} set ${k}`).toEqual(Array.from(c.refs[k]![v]!.data as Int8Array));
        });
      }
      console.log(`${name}: ${chosen} QConvWinograd layers at most`);
      const w4 = runPipeline(c.probe, "winograd{m=4}", { target: getTarget("armv7"), log: () => {} });
      checkInt8OnRig({ ...c, probe: w4 }, "armv7", rigOrSkip(ctx, "armv7", "qemu"));
    });
  }
});

/** SQNR in dB of b against a over every element of the float outputs. */
function sqnr(a: Record<string, Tensor>, b: Record<string, Tensor>, outputs: readonly string[]): number {
  let sig = 0, err = 0;
  for (const o of outputs) {
    const x = a[o]!.data as Float32Array, y = b[o]!.data as Float32Array;
    x.forEach((v, i) => { sig += v * v; err += (v - y[i]!) ** 2; });
  }
  return err === 0 ? Infinity : 10 * Math.log10(sig / err);
}

describe.runIf(dirs.length > 0 || digits)("scaled integer Winograd on the shared models", () => {
  const cases: [string, () => Int8Case][] = [...dirs.map((d) => [path.basename(d), () => prepareSharedModel(d)] as [string, () => Int8Case]), ...(digits ? [["asr-digits", digitsCase] as [string, () => Int8Case]] : [])];
  for (const [name, prepare] of cases) {
    it(`${name}: int8 + scaled Winograd (m = 4) stays close to int8 direct, and the armv7 C equals the interpreter`, (ctx) => {
      const c = prepare();
      const calibrationSamples = Object.assign([...c.calibration], { length: c.calibration.length });
      const w4 = runPipeline(c.probe, "winograd{m=4, int8=scaled}", { target: getTarget("armv7"), host: { calibrationSamples }, log: () => {} });
      const taken = w4.nodes.filter((n) => n.op === "QConvWinogradScaled").length;
      const outputs = c.probe.outputs.filter((o) => c.probe.types[o]!.dtype === "f32" && !c.boundary.includes(o));
      const refs = c.sets.map((s) => runGraph(w4, s));
      const db = Math.min(...c.sets.map((_, k) => sqnr(c.refs[k]!, refs[k]!, outputs)));
      console.log(`${name}: ${taken} QConvWinogradScaled layers; outputs ${db.toFixed(1)} dB against int8 direct`);
      if (taken > 0) expect(db, `${name}: output SQNR against int8 direct`).toBeGreaterThan(20);
      checkInt8OnRig({ ...c, probe: w4, refs }, "armv7", rigOrSkip(ctx, "armv7", "qemu"));
    });
  }
});
