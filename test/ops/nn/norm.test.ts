// Normalization ops: BatchNormalization (inference, training statistics, old-opset import),
// LayerNormalization, GroupNormalization (opset 18 and 21 forms), InstanceNormalization and
// LpNormalization, against values computed by hand or by a direct formula.
import { describe, expect, it } from "vitest";
import { sym } from "../../../ir/dim.js";
import { BatchNormalization } from "../../../ir/ops/nn/batchnorm.js";
import { GroupNormalization, InstanceNormalization } from "../../../ir/ops/nn/groupnorm.js";
import { LayerNormalization } from "../../../ir/ops/nn/layernorm.js";
import { LpNormalization } from "../../../ir/ops/nn/lpnorm.js";
import { expectClose, f32, importCtx, infer, onnxNode, random, run, tt } from "./helpers.js";

/** Normalizes each of `rows` runs of `len` values (biased variance), as the ONNX references do. */
function normalizeRef(x: ArrayLike<number>, rows: number, len: number, eps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const v = Array.from({ length: len }, (_, i) => x[r * len + i]!);
    const m = v.reduce((a, b) => a + b, 0) / len;
    const s = v.reduce((a, b) => a + (b - m) ** 2, 0) / len;
    for (const e of v) out.push((e - m) / Math.sqrt(s + eps));
  }
  return out;
}

describe("BatchNormalization", () => {
  const x = f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const scale = f32([2], [2, 0.5]), bias = f32([2], [1, -1]), mean = f32([2], [3, 5]), variance = f32([2], [4, 1]);

  it("normalizes with the running statistics in inference", () => {
    const y = run(BatchNormalization, [x, scale, bias, mean, variance], { epsilon: 0 })[0]!;
    // channel 0: (x-3)/2*2+1 = x-2; channel 1: (x-5)*0.5-1
    expectClose(y, { shape: [2, 2, 2], data: [-1, 0, -2, -1.5, 3, 4, 0, 0.5] });
  });

  it("training_mode uses batch statistics and updates the running ones with momentum", () => {
    const [y, rm, rv] = run(BatchNormalization, [x, scale, bias, mean, variance], { epsilon: 1e-5, momentum: 0.8, training_mode: 1 }, 3);
    // channel 0 values 1,2,5,6: mean 3.5, var 4.25; channel 1 values 3,4,7,8: mean 5.5, var 4.25
    const n0 = normalizeRef([1, 2, 5, 6], 1, 4, 1e-5), n1 = normalizeRef([3, 4, 7, 8], 1, 4, 1e-5);
    expectClose(y!, { shape: [2, 2, 2], data: [n0[0]! * 2 + 1, n0[1]! * 2 + 1, n1[0]! * 0.5 - 1, n1[1]! * 0.5 - 1, n0[2]! * 2 + 1, n0[3]! * 2 + 1, n1[2]! * 0.5 - 1, n1[3]! * 0.5 - 1] });
    expectClose(rm!, { shape: [2], data: [3 * 0.8 + 3.5 * 0.2, 5 * 0.8 + 5.5 * 0.2] });
    expectClose(rv!, { shape: [2], data: [4 * 0.8 + 4.25 * 0.2, 1 * 0.8 + 4.25 * 0.2] });
  });

  it("accepts the old per-activation parameter form (spatial=0)", () => {
    const s = f32([2, 2], [1, 2, 3, 4]), b = f32([2, 2], [0, 0, 0, 1]), m = f32([2, 2], [0, 0, 0, 0]), v = f32([2, 2], [1, 1, 1, 1]);
    const y = run(BatchNormalization, [x, s, b, m, v], { epsilon: 0 })[0]!;
    expectClose(y, { shape: [2, 2, 2], data: [1, 4, 9, 17, 5, 12, 21, 33] });
    expect(() => infer(BatchNormalization, [tt("f32", [1, 2, 3]), tt("f32", [2, 3]), tt("f32", [2, 3]), tt("f32", [2, 3]), tt("f32", [3])])).toThrow(/var/);
  });

  it("imports every opset into the same attributes", () => {
    const ins = ["x", "s", "b", "m", "v"];
    const old = BatchNormalization.fromOnnx!(onnxNode("BatchNormalization", ins, ["y"], { epsilon: 1e-3, momentum: 0.99, spatial: 1, is_test: 1, consumed_inputs: [0, 0, 0, 1, 1] }), importCtx(7));
    expect(old.attrs).toEqual({ epsilon: 1e-3, momentum: 0.99 });
    const oldTrain = BatchNormalization.fromOnnx!(onnxNode("BatchNormalization", ins, ["y", "rm", "rv", "sm", "sv"]), importCtx(9));
    expect(oldTrain.attrs).toEqual({ training_mode: 1 });
    const v15 = BatchNormalization.fromOnnx!(onnxNode("BatchNormalization", ins, ["y", "rm", "rv"], { training_mode: 1 }), importCtx(15));
    expect(v15.attrs).toEqual({ training_mode: 1 });
  });

  it("infers the statistic outputs only in training mode", () => {
    const p = tt("f32", [4]);
    const types = [tt("f32", [1, 4, sym("T")]), p, p, p, p];
    expect(infer(BatchNormalization, types, { training_mode: 1 }, 3).map((t) => t.shape)).toEqual([[1, 4, sym("T")], [4], [4]]);
    expect(() => infer(BatchNormalization, types, {}, 3)).toThrow(/training_mode/);
  });
});

describe("LayerNormalization", () => {
  it("normalizes over the trailing axes and returns Mean and InvStdDev", () => {
    const x = random([2, 3, 4], 1), w = random([3, 4], 2), b = random([4], 3);
    const [y, mean, inv] = run(LayerNormalization, [x, w, b], { axis: -2, epsilon: 1e-3 }, 3);
    const n = normalizeRef(x.data as Float32Array, 2, 12, 1e-3);
    const W = w.data as Float32Array, B = b.data as Float32Array;
    expectClose(y!, { shape: [2, 3, 4], data: n.map((v, i) => v * W[i % 12]! + B[i % 4]!) });
    expect(mean!.shape).toEqual([2, 1, 1]);
    expect(inv!.shape).toEqual([2, 1, 1]);
    const X = [...(x.data as Float32Array)];
    const m0 = X.slice(0, 12).reduce((a, v) => a + v, 0) / 12;
    expectClose(mean!, { shape: [2, 1, 1], data: [m0, X.slice(12).reduce((a, v) => a + v, 0) / 12] });
    const var0 = X.slice(0, 12).reduce((a, v) => a + (v - m0) ** 2, 0) / 12;
    expect((inv!.data as Float32Array)[0]).toBeCloseTo(1 / Math.sqrt(var0 + 1e-3), 5);
  });

  it("infers stat shapes and rejects scales that do not broadcast", () => {
    const T = sym("T");
    const t = infer(LayerNormalization, [tt("f32", [1, T, 8]), tt("f32", [8])], {}, 3);
    expect(t.map((x) => x.shape)).toEqual([[1, T, 8], [1, T, 1], [1, T, 1]]);
    expect(() => infer(LayerNormalization, [tt("f32", [1, 4, 8]), tt("f32", [4])])).toThrow(/broadcast/);
  });
});

describe("GroupNormalization and InstanceNormalization", () => {
  const x = random([2, 4, 3], 5);
  const X = x.data as Float32Array;

  it("opset 21 form: per-channel scale and bias", () => {
    const s = f32([4], [1, 2, 3, 4]), b = f32([4], [0, 1, 0, -1]);
    const y = run(GroupNormalization, [x, s, b], { num_groups: 2, epsilon: 1e-5 })[0]!;
    const n = normalizeRef(X, 4, 6, 1e-5);
    expectClose(y, { shape: [2, 4, 3], data: n.map((v, i) => v * [1, 2, 3, 4][Math.floor(i / 3) % 4]! + [0, 1, 0, -1][Math.floor(i / 3) % 4]!) });
  });

  it("opset 18 form: per-group scale and bias, selected at import", () => {
    const spec = GroupNormalization.fromOnnx!(onnxNode("GroupNormalization", ["x", "s", "b"], ["y"], { num_groups: 2 }), importCtx(18));
    expect(spec.attrs).toEqual({ num_groups: 2, per_channel: 0 });
    const s = f32([2], [2, -1]), b = f32([2], [0.5, 0]);
    const y = run(GroupNormalization, [x, s, b], spec.attrs)[0]!;
    const n = normalizeRef(X, 4, 6, 1e-5);
    expectClose(y, { shape: [2, 4, 3], data: n.map((v, i) => v * [2, -1][Math.floor(i / 6) % 2]! + [0.5, 0][Math.floor(i / 6) % 2]!) });
    expect(() => infer(GroupNormalization, [tt("f32", [2, 4, 3]), tt("f32", [4]), tt("f32", [4])], spec.attrs)).toThrow(/num_groups/);
  });

  it("InstanceNormalization normalizes each channel of each image", () => {
    const s = f32([4], [1, 1, 2, 2]), b = f32([4], [0, 0, 1, 1]);
    const y = run(InstanceNormalization, [x, s, b], { epsilon: 1e-2 })[0]!;
    const n = normalizeRef(X, 8, 3, 1e-2);
    expectClose(y, { shape: [2, 4, 3], data: n.map((v, i) => v * [1, 1, 2, 2][Math.floor(i / 3) % 4]! + [0, 0, 1, 1][Math.floor(i / 3) % 4]!) });
  });
});

describe("LpNormalization", () => {
  it("divides by the L1 or L2 norm along the axis", () => {
    const x = f32([2, 2], [3, -4, 1, 1]);
    expectClose(run(LpNormalization, [x], { axis: 1 })[0]!, { shape: [2, 2], data: [0.6, -0.8, Math.SQRT1_2, Math.SQRT1_2] });
    expectClose(run(LpNormalization, [x], { axis: 0, p: 1 })[0]!, { shape: [2, 2], data: [0.75, -0.8, 0.25, 0.2] });
  });
});
