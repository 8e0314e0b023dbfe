// Calibration results are identical with the fast engine on and off, on a real model (the
// demo's QuartzNet-style digits model, committed in examples/digits): the synthetic inputs and
// their loss curve bit for bit, then the whole --int8 flow (zero-shot calibration, the ranges,
// the int8 graph's weights and scales, the SQNR report).
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../../ir/graph.js";
import type { Tensor } from "../../../../ir/types.js";
import { importOnnxFile } from "../../../../src/adapters/onnx/index.js";
import { runSyntheticCalibration } from "../../../../src/analyses/calibration/synthetic/index.js";
import { calibrationToJson } from "../../../../src/analyses/calibration/calibrate.js";
import { sqnrReport } from "../../../../src/analyses/calibration/sqnr.js";
import { quantizeModel } from "../../../../src/index.js";
import { setFastEngineEnabled } from "../../../../src/runtime/fast/index.js";
import { repoRoot } from "../../../helpers/shared.js";

const model = () => importOnnxFile(path.join(repoRoot, "examples/digits/model.onnx"));

function bits(t: Tensor): number[] {
  const d = t.data as Float32Array;
  return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length));
}

function constants(g: Graph): Record<string, number[]> {
  return Object.fromEntries(Object.entries(g.constants).map(([k, t]) => [k, Array.from(t.data as ArrayLike<number>)]));
}

function quantizeWith(fast: boolean, g: Graph) {
  setFastEngineEnabled(fast);
  try {
    const q = quantizeModel(g, { quantize: { samples: 2, synthetic_dims: "T=48" }, log: () => {} });
    return { q, sqnr: sqnrReport(q.float, q.graph, q.samples) };
  } finally {
    setFastEngineEnabled(true);
  }
}

describe("fast engine on and off give the same calibration", () => {
  it("synthetic inputs and losses, bit for bit", () => {
    const g = model();
    const opts = { steps: 4, count: 2, dims: { T: 64 } };
    const on = runSyntheticCalibration(g, { ...opts, fastEngine: true });
    const off = runSyntheticCalibration(g, { ...opts, fastEngine: false });
    expect(on.losses).toEqual(off.losses);
    on.inputs.forEach((s, k) => {
      for (const name of Object.keys(s)) expect(bits(s[name]!)).toEqual(bits(off.inputs[k]![name]!));
    });
  });

  it("the --int8 flow: ranges, int8 graph, SQNR report", () => {
    const g = model();
    const on = quantizeWith(true, g), off = quantizeWith(false, g);
    expect(calibrationToJson(on.q.calibration.result)).toBe(calibrationToJson(off.q.calibration.result));
    expect(constants(on.q.graph)).toEqual(constants(off.q.graph));
    expect(on.sqnr).toEqual(off.sqnr);
  }, 120_000);
});
