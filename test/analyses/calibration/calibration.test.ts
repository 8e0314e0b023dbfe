// Calibration: the observers' choice of ranges, the growing histogram, and reading calibration
// folders in each layout.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sym } from "../../../ir/dim.js";
import { makeTensor, tensorType } from "../../../ir/types.js";
import { encodeTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { calibrate, calibrationFromJson, calibrationToJson, entropyObserver, Histogram, minMaxObserver, mseObserver, observerByName, percentileObserver } from "../../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../../src/adapters/onnx/data-dir.js";
import { GraphBuilder, Rng } from "../../../src/testing/index.js";

/** A Laplace-like heavy-tailed sample with a few large outliers. */
function heavyTailed(n: number, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next() - 0.5;
    d[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u) + 1e-12);
  }
  d[0] = 60;
  d[1] = -50;
  return d;
}

function observe(obs: ReturnType<typeof minMaxObserver>, ...chunks: Float32Array[]) {
  const o = obs.create();
  for (const c of chunks) o.observe(c);
  return o.range();
}

describe("observers", () => {
  it("min/max takes the extremes, widened to contain zero", () => {
    expect(observe(minMaxObserver(), new Float32Array([1, 3]), new Float32Array([2, 5]))).toEqual({ min: 0, max: 5 });
    expect(observe(minMaxObserver(), new Float32Array([-2, 1]))).toEqual({ min: -2, max: 1 });
  });

  it("percentile, MSE and entropy clip the outliers of a heavy-tailed distribution", () => {
    const d = heavyTailed(200000);
    const full = observe(minMaxObserver(), d);
    for (const obs of [percentileObserver(99.9), mseObserver(), entropyObserver()]) {
      const r = observe(obs, d.subarray(0, 100000), d.subarray(100000));
      expect(r.max, obs.name).toBeLessThan(full.max * 0.7);
      expect(r.min, obs.name).toBeGreaterThan(full.min * 0.7);
      expect(r.max, obs.name).toBeGreaterThan(3); // but they keep the bulk (|x| < 3 holds 95%)
      expect(r.min, obs.name).toBeLessThan(-3);
    }
  });

  it("histogram observers keep the full range of a bounded uniform distribution", () => {
    const rng = new Rng(5);
    const d = Float32Array.from({ length: 50000 }, () => rng.next() * 4);
    for (const obs of [mseObserver(), entropyObserver(), percentileObserver(99.99)]) {
      const r = observe(obs, d);
      expect(r.max, obs.name).toBeGreaterThan(3.6);
      expect(r.min).toBe(0);
    }
  });

  it("observerByName knows the four observers", () => {
    expect(["minmax", "percentile", "mse", "entropy"].map((n) => observerByName(n).name)).toEqual(["minmax", "percentile", "mse", "entropy"]);
    expect(() => observerByName("kl")).toThrow(/unknown observer "kl"/);
  });
});

describe("histogram", () => {
  it("grows by doubling without losing counts, and gives quantiles", () => {
    const h = new Histogram();
    h.add(Float32Array.from({ length: 1000 }, (_, i) => i / 1000));
    h.add(Float32Array.from({ length: 1000 }, (_, i) => 8 * (i / 1000)));
    expect(h.radius).toBeGreaterThan(h.max);
    expect(h.radius).toBeLessThan(2 * h.max);
    expect(Array.from(h.counts).reduce((a, b) => a + b, 0)).toBe(2000);
    // The median solves (1000 v + 125 v) / 2000 = 0.5: v = 0.889, within a bin or two.
    expect(Math.abs(h.quantile(0.5) - 8 / 9)).toBeLessThan(0.02);
    expect(h.max).toBeCloseTo(7.992, 3);
  });
});

describe("calibrate and calibration folders", () => {
  const b = new GraphBuilder("g");
  const x = b.input("x", tensorType("f32", [1, 2, sym("T")]));
  const [r] = b.node("Relu", [x], {}, "r");
  const g = b.build([x], [r!]);
  const sample = (v: number) => ({ x: makeTensor("f32", [1, 2, 3], new Float32Array([v, -v, 2 * v, 1, 1, 1])) });

  it("records every float value's range and per-channel means, and round-trips through JSON", () => {
    const progress: number[] = [];
    const res = calibrate(g, [sample(1), sample(3)], { onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([1, 2]);
    expect(res.samples).toBe(2);
    expect(res.ranges["x"]).toMatchObject({ min: -3, max: 6 });
    expect(res.ranges["r"]).toMatchObject({ min: 0, max: 6 });
    expect(res.ranges["r"]!.channelMean).toEqual([(1 + 0 + 2 + 3 + 0 + 6) / 6, 1]);
    expect(calibrationFromJson(calibrationToJson(res))).toEqual(res);
    expect(() => calibrate(g, [])).toThrow(/at least one input sample/);
  });

  it("reads NAME.input.pb files, test_data_set_N folders and input_K.pb files", () => {
    const root = mkdtempSync(path.join(tmpdir(), "neonc-caldir-"));
    const a = path.join(root, "a"), s = path.join(root, "s"), k = path.join(root, "k");
    for (const d of [a, s, k]) mkdirSync(d);
    [1, 2, 3].forEach((v) => writeFileSync(path.join(a, `${v}.input.pb`), encodeTensorFile(sample(v).x, "features")));
    [1, 2].forEach((v) => {
      mkdirSync(path.join(s, `test_data_set_${v}`));
      writeFileSync(path.join(s, `test_data_set_${v}`, "input_0.pb"), encodeTensorFile(sample(v).x, "x"));
    });
    writeFileSync(path.join(k, "input_0.pb"), encodeTensorFile(sample(5).x, "x"));
    const all = readCalibrationDir(a, g);
    expect(all.length).toBe(3);
    expect([...readCalibrationDir(a, g, { offset: 1, limit: 1 })].map((r) => (r["x"]!.data as Float32Array)[0])).toEqual([2]);
    expect([...readCalibrationDir(s, g)]).toHaveLength(2);
    expect(calibrate(g, readCalibrationDir(k, g)).ranges["x"]!.max).toBe(10);
    expect(() => readCalibrationDir(path.join(root, "nope"), g)).toThrow(/does not exist/);
    expect(() => readCalibrationDir(root, g)).toThrow(/has no NAME.input.pb files/);
  });
});
