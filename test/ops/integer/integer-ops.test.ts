// The integer ops of ir/ops/integer: bit-exact hand-computed cases, and random cases against a float
// reference (exact with half-even rounding, within 1 LSB with gemmlowp's double rounding).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { multiplierValue, quantizeMultiplier, type Rounding } from "../../../ir/fixed-point.js";
import { resolveAttrs, type EvalContext } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import { makeTensor, typeOfTensor, type Tensor } from "../../../ir/types.js";
import type { DType } from "../../../ir/dtype.js";
import { roundHalfEven } from "../../../ir/kernels/onnx-quant-round.js";
import "../../../ir/ops/index.js";
import { LOG2_FRAC_BITS, log2Q16 } from "../../../ir/ops/integer/qlog-energy.js";
import { Rng } from "../../../src/testing/index.js";

function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, unknown>): Tensor {
  const def = getOp(op);
  const a = resolveAttrs(def, attrs as never);
  def.infer(inputs.map((t) => (t ? typeOfTensor(t) : undefined)), a, { numOutputs: 1, constant: () => undefined });
  return def.evaluate(inputs, a, { numOutputs: 1 } as EvalContext)[0]!;
}
const t = (dtype: DType, shape: number[], values: number[]) => {
  const x = makeTensor(dtype, shape);
  (x.data as Int32Array).set(values);
  return x;
};
const arr = (x: Tensor) => Array.from(x.data as Int8Array);
const M = (real: number) => {
  const q = quantizeMultiplier(real);
  return { multiplier: [q.multiplier], shift: [q.shift] };
};
const clamp8 = (v: number) => Math.max(-128, Math.min(127, v)) + 0; // + 0 turns -0 into 0

describe("boundary ops", () => {
  it("Quantize rounds half to even and saturates; Dequantize inverts", () => {
    const x = makeTensor("f32", [6], new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, 1000]));
    expect(arr(run("Quantize", [x], { scale: 1, zero_point: 0 }))).toEqual([0, 2, 2, 0, -2, 127]);
    expect(arr(run("Quantize", [x], { scale: 0.5, zero_point: -10 }))).toEqual([-9, -7, -5, -11, -13, 127]);
    const q = t("i8", [3], [-128, 0, 127]);
    expect(Array.from(run("Dequantize", [q], { scale: 0.5, zero_point: -128 }).data as Float32Array)).toEqual([0, 64, 127.5]);
  });
});

describe("Requantize", () => {
  it("applies x_zp, the multiplier with its rounding, y_zp", () => {
    const x = t("i8", [3], [10, -10, 3]);
    const a = { x_zero_point: 2, multiplier: [2 ** 30], shift: [0], y_zero_point: 1 };
    expect(arr(run("Requantize", [x], a))).toEqual([5, -5, 2]); // 4+1, -6+1, 0.5 rounds up +1
    expect(arr(run("Requantize", [x], { ...a, rounding: "half-even" }))).toEqual([5, -5, 1]);
  });
  it("rejects a multiplier outside [2^30, 2^31)", () => {
    expect(() => run("Requantize", [t("i8", [1], [0])], { multiplier: [5], shift: [0] })).toThrow(/outside \[2\^30, 2\^31\)/);
  });
});

describe("QConv", () => {
  it("hand-computed 1-D case: padding stands for the zero point", () => {
    const x = t("i8", [1, 1, 4], [1, 2, 3, 4]);
    const w = t("i8", [1, 1, 3], [1, 2, -1]);
    const b = t("i32", [1], [10]);
    // centred x = [0,1,2,3]; accumulators 9, 10, 12, 18; times 0.5 -> 4.5, 5, 6, 9.
    const a = { pads: [1, 1], x_zero_point: 1, multiplier: [2 ** 30], shift: [0] };
    expect(arr(run("QConv", [x, w, b], a))).toEqual([5, 5, 6, 9]);
    expect(arr(run("QConv", [x, w, b], { ...a, rounding: "half-even" }))).toEqual([4, 5, 6, 9]);
    expect(arr(run("QConv", [x, w, b], { ...a, rounding: "half-even", qmin: 5 }))).toEqual([5, 5, 6, 9]);
  });

  it("is exact when the accumulators exceed float32's 2^24 (K = 1408, extreme values)", () => {
    const C = 128, T = 12, K = 11;
    // Centred inputs of -255 or 0 and weights of +-127: sums pass 2^24 (checked below).
    const xs = Array.from({ length: C * T }, (_, i) => (i % 7 === 3 ? 127 : -128));
    const ws = Array.from({ length: 2 * C * K }, (_, i) => (i % 5 === 0 ? -127 : 127));
    const x = t("i8", [1, C, T], xs), w = t("i8", [2, C, K], ws);
    const y = run("QConv", [x, w], { pads: [5, 5], x_zero_point: 127, multiplier: [2 ** 30], shift: [-17], rounding: "half-even", out_dtype: "i8" });
    let largest = 0;
    for (let m = 0; m < 2; m++) for (let o = 0; o < T; o++) {
      let acc = 0;
      for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) {
        const p = o + k - 5;
        if (p >= 0 && p < T) acc += (xs[c * T + p]! - 127) * ws[(m * C + c) * K + k]!;
      }
      largest = Math.max(largest, Math.abs(acc));
      expect((y.data as Int8Array)[m * T + o], `m=${m} o=${o} acc=${acc}`).toBe(clamp8(roundHalfEven(acc / 2 ** 18)));
    }
    expect(largest).toBeGreaterThan(2 ** 24);
  });

  it("rejects float activations", () => {
    const x = makeTensor("f32", [1, 1, 4]);
    expect(() => run("QConv", [x, t("i8", [1, 1, 1], [1])], { multiplier: [2 ** 30], shift: [0] })).toThrow(/x must be i8 or u8/);
  });

  it("matches a float reference on random 1-D convs (groups, strides, dilations, pads, per-channel)", () => {
    const conv = fc.record({
      group: fc.constantFrom(1, 2, 4), cg: fc.integer({ min: 1, max: 3 }), mg: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 1, max: 2 }),
      p0: fc.integer({ min: 0, max: 2 }), p1: fc.integer({ min: 0, max: 2 }), T: fc.integer({ min: 8, max: 20 }),
      zp: fc.integer({ min: -128, max: 127 }), seed: fc.integer(), rounding: fc.constantFrom<Rounding>("gemmlowp", "half-even", "tflite", "rndnu"),
    });
    fc.assert(fc.property(conv, (c) => {
      const C = c.group * c.cg, Mo = c.group * c.mg;
      const rng = new Rng(c.seed);
      const rnd = (lo: number, hi: number) => rng.int(lo, hi);
      const x = t("i8", [1, C, c.T], Array.from({ length: C * c.T }, () => rnd(-128, 127)));
      const w = t("i8", [Mo, c.cg, c.k], Array.from({ length: Mo * c.cg * c.k }, () => rnd(-127, 127)));
      const b = t("i32", [Mo], Array.from({ length: Mo }, () => rnd(-5000, 5000)));
      const reals = Array.from({ length: Mo }, () => rnd(1, 1000) / 200000);
      const qs = reals.map(quantizeMultiplier);
      const yzp = rnd(-20, 20);
      const y = run("QConv", [x, w, b], {
        pads: [c.p0, c.p1], strides: [c.s], dilations: [c.d], group: c.group, x_zero_point: c.zp,
        multiplier: qs.map((q) => q.multiplier), shift: qs.map((q) => q.shift), y_zero_point: yzp, rounding: c.rounding,
      });
      const To = Math.floor((c.T + c.p0 + c.p1 - c.d * (c.k - 1) - 1) / c.s) + 1;
      expect(y.shape).toEqual([1, Mo, To]);
      const xd = x.data as Int8Array, wd = w.data as Int8Array, bd = b.data as Int32Array;
      for (let m = 0; m < Mo; m++) {
        const g0 = Math.floor(m / c.mg) * c.cg;
        for (let o = 0; o < To; o++) {
          let acc = bd[m]!;
          for (let ci = 0; ci < c.cg; ci++) for (let k = 0; k < c.k; k++) {
            const pos = o * c.s + k * c.d - c.p0;
            if (pos >= 0 && pos < c.T) acc += (xd[(g0 + ci) * c.T + pos]! - c.zp) * wd[(m * c.cg + ci) * c.k + k]!;
          }
          const want = clamp8(roundHalfEven(acc * multiplierValue(qs[m]!)) + yzp);
          const got = (y.data as Int8Array)[m * To + o]!;
          if (c.rounding === "half-even") expect(got).toBe(want);
          else expect(Math.abs(got - want)).toBeLessThanOrEqual(1);
        }
      }
    }), { numRuns: 150 });
  });
});

describe("16x8 mode (int16 activations)", () => {
  it("QConv accumulates wide (beyond int32) and requantizes exactly", () => {
    const C = 200, T = 6, K = 5;
    const xs = Array.from({ length: C * T }, (_, i) => (i % 13 === 0 ? -32768 : 32767));
    const ws = Array.from({ length: C * K }, (_, i) => (i % 11 === 0 ? -127 : 127));
    const x = t("i16", [1, C, T], xs), w = t("i8", [1, C, K], ws), b = t("i32", [1], [123456]);
    for (const rounding of ["half-even", "gemmlowp", "tflite"] as const) {
      const y = run("QConv", [x, w, b], { pads: [2, 2], multiplier: [2 ** 30], shift: [-24], rounding, out_dtype: "i16" });
      let largest = 0;
      for (let o = 0; o < T; o++) {
        let acc = 123456;
        for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) {
          const p = o + k - 2;
          if (p >= 0 && p < T) acc += xs[c * T + p]! * ws[c * K + k]!;
        }
        largest = Math.max(largest, Math.abs(acc));
        const want = Math.max(-32768, Math.min(32767, roundHalfEven(acc / 2 ** 25))) + 0;
        const got = (y.data as Int16Array)[o]!;
        if (rounding === "half-even") expect(got, `o=${o} acc=${acc}`).toBe(want);
        else expect(Math.abs(got - want)).toBeLessThanOrEqual(1);
      }
      expect(largest).toBeGreaterThan(2 ** 31);
    }
  });

  it("QMatMul takes int16 x; int16 inputs must be symmetric", () => {
    const x = t("i16", [1, 3], [30000, -30000, 1000]);
    const w = t("i8", [3, 1], [100, -100, 1]);
    // acc = 3e6 + 3e6 + 1000 = 6001000; times 2^-10 -> 5860.35 -> 5860
    const y = run("QMatMul", [x, w], { multiplier: [2 ** 30], shift: [-9], rounding: "half-even", out_dtype: "i16" });
    expect(Array.from(y.data as Int16Array)).toEqual([5860]);
    expect(() => run("QMatMul", [x, w], { x_zero_point: 3, multiplier: [2 ** 30], shift: [0] })).toThrow(/symmetric/);
  });
});

describe("QMatMul", () => {
  it("hand case with bias and per-column multipliers", () => {
    const x = t("i8", [2, 2], [1, 2, 3, 4]);
    const w = t("i8", [2, 2], [1, -1, 2, 0]);
    const b = t("i32", [2], [0, 100]);
    // centred x (zp 1) = [[0,1],[2,3]]; acc = [[2, 100], [8, 98]]; column 0 * 0.5, column 1 * 0.25.
    const y = run("QMatMul", [x, w, b], { x_zero_point: 1, multiplier: [2 ** 30, 2 ** 30], shift: [0, -1], rounding: "half-even" });
    expect(arr(y)).toEqual([1, 25, 4, 24]);
  });

  it("matches a float reference on random products", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: -128, max: 127 }), fc.integer(), (R, K, N, zp, seed) => {
      const rng = new Rng(seed);
      const rnd = (lo: number, hi: number) => rng.int(lo, hi);
      const x = t("i8", [R, K], Array.from({ length: R * K }, () => rnd(-128, 127)));
      const w = t("i8", [K, N], Array.from({ length: K * N }, () => rnd(-127, 127)));
      const q = quantizeMultiplier(rnd(1, 1000) / 100000);
      const y = run("QMatMul", [x, w], { x_zero_point: zp, multiplier: [q.multiplier], shift: [q.shift], rounding: "half-even" });
      for (let i = 0; i < R; i++) for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += ((x.data as Int8Array)[i * K + k]! - zp) * (w.data as Int8Array)[k * N + j]!;
        expect((y.data as Int8Array)[i * N + j]).toBe(clamp8(roundHalfEven(acc * multiplierValue(q))));
      }
    }), { numRuns: 200 });
  });
});

describe("QAdd and QMul", () => {
  const params = fc.record({
    sa: fc.double({ min: 0.001, max: 0.1, noNaN: true }), sb: fc.double({ min: 0.001, max: 0.1, noNaN: true }),
    sy: fc.double({ min: 0.002, max: 0.2, noNaN: true }),
    za: fc.integer({ min: -128, max: 127 }), zb: fc.integer({ min: -128, max: 127 }), zy: fc.integer({ min: -128, max: 127 }),
    a: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 6, maxLength: 6 }), b: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 3, maxLength: 3 }),
  });

  it("QAdd rescales both inputs (TFLite style) within 1 LSB of the real sum, with broadcasting", () => {
    fc.assert(fc.property(params, (p) => {
      const twice = 2 * Math.max(p.sa, p.sb);
      const qa = quantizeMultiplier(p.sa / twice), qb = quantizeMultiplier(p.sb / twice), qo = quantizeMultiplier(twice / (2 ** 20 * p.sy));
      const y = run("QAdd", [t("i8", [2, 3], p.a), t("i8", [3], p.b)], {
        a_zero_point: p.za, b_zero_point: p.zb, a_multiplier: qa.multiplier, a_shift: qa.shift, b_multiplier: qb.multiplier, b_shift: qb.shift,
        multiplier: [qo.multiplier], shift: [qo.shift], y_zero_point: p.zy,
      });
      expect(y.shape).toEqual([2, 3]);
      p.a.forEach((av, i) => {
        const want = clamp8(roundHalfEven((p.sa * (av - p.za) + p.sb * (p.b[i % 3]! - p.zb)) / p.sy) + p.zy);
        expect(Math.abs((y.data as Int8Array)[i]! - want)).toBeLessThanOrEqual(1);
      });
    }), { numRuns: 300 });
  });

  it("QMul multiplies centred inputs within 1 LSB of the real product", () => {
    fc.assert(fc.property(params, (p) => {
      const q = quantizeMultiplier((p.sa * p.sb) / p.sy);
      const y = run("QMul", [t("i8", [2, 3], p.a), t("i8", [3], p.b)], {
        a_zero_point: p.za, b_zero_point: p.zb, multiplier: [q.multiplier], shift: [q.shift], y_zero_point: p.zy,
      });
      p.a.forEach((av, i) => {
        const want = clamp8(roundHalfEven((p.sa * (av - p.za) * p.sb * (p.b[i % 3]! - p.zb)) / p.sy) + p.zy);
        expect(Math.abs((y.data as Int8Array)[i]! - want)).toBeLessThanOrEqual(1);
      });
    }), { numRuns: 300 });
  });

  it("a fused Relu is the clamp at the zero point", () => {
    const q = quantizeMultiplier(0.5);
    const y = run("QAdd", [t("i8", [2], [-100, 100]), t("i8", [2], [-100, 100])], {
      a_multiplier: q.multiplier, a_shift: q.shift, b_multiplier: q.multiplier, b_shift: q.shift,
      ...M(2 / 2 ** 20), y_zero_point: -10, qmin: -10,
    });
    expect(arr(y)).toEqual([-10, 127]);
  });
});

describe("QConcat and QLookup", () => {
  it("QConcat copies inputs with the output's parameters and requantizes the others", () => {
    const a = t("i8", [1, 2], [5, -5]), b = t("i8", [1, 1], [10]);
    const q = quantizeMultiplier(0.5);
    const y = run("QConcat", [a, b], {
      axis: 1, x_zero_points: [3, 2], multipliers: [0, q.multiplier], shifts: [0, q.shift], y_zero_point: 3, rounding: "half-even",
    });
    expect(arr(y)).toEqual([5, -5, 7]); // (10 - 2) * 0.5 + 3
  });

  it("QLookup indexes the table by the stored value", () => {
    const table = Array.from({ length: 256 }, (_, i) => clamp8(i - 128 + 1));
    expect(arr(run("QLookup", [t("i8", [3], [-128, 0, 127])], { table }))).toEqual([-127, 1, 127]);
    const u = run("QLookup", [t("u8", [2], [0, 255])], { table });
    expect(arr(u)).toEqual([-127, 127]);
    expect(() => run("QLookup", [t("i8", [1], [0])], { table: [1, 2] })).toThrow(/256 entries/);
  });
});

describe("QSoftmax and QLogSoftmax", () => {
  const sx = 0.08, zx = 5;
  const expTable = Array.from({ length: 256 }, (_, d) => Math.round(32768 * Math.exp(-sx * d)));
  const rowsArb = fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 12, maxLength: 12 });

  function floatRows(xs: number[], len: number, log: boolean): number[] {
    const out: number[] = [];
    for (let r = 0; r < xs.length / len; r++) {
      const row = xs.slice(r * len, (r + 1) * len).map((q) => sx * (q - zx));
      const mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
      for (const v of row) out.push(log ? v - lse : Math.exp(v - lse));
    }
    return out;
  }

  it("QSoftmax is within 1 LSB (1/256) of the float softmax, along the last axis and axis 0", () => {
    fc.assert(fc.property(rowsArb, (xs) => {
      const y = run("QSoftmax", [t("i8", [3, 4], xs)], { axis: -1, exp_table: expTable });
      const want = floatRows(xs, 4, false);
      want.forEach((p, i) => expect(Math.abs(((y.data as Int8Array)[i]! + 128) / 256 - p)).toBeLessThanOrEqual(1 / 256 + 1e-9));
      // axis 0 of [3,4] is the last axis of its transpose.
      const y0 = run("QSoftmax", [t("i8", [3, 4], xs)], { axis: 0, exp_table: expTable });
      const tr = [0, 1, 2, 3].flatMap((j) => [0, 1, 2].map((i) => xs[i * 4 + j]!));
      const want0 = floatRows(tr, 3, false);
      [0, 1, 2, 3].forEach((j) => [0, 1, 2].forEach((i) => {
        expect(Math.abs(((y0.data as Int8Array)[i * 4 + j]! + 128) / 256 - want0[j * 3 + i]!)).toBeLessThanOrEqual(1 / 256 + 1e-9);
      }));
    }), { numRuns: 200 });
  });

  it("QLogSoftmax is within 1 LSB of the float log-softmax", () => {
    const sy = 0.1, zy = 127;
    const xm = quantizeMultiplier(sx / sy), lm = quantizeMultiplier(1 / (65536 * sy));
    const attrs = {
      axis: -1, exp_table: expTable, log_table: Array.from({ length: 256 }, (_, m) => Math.round(65536 * Math.log(1 + (m + 0.5) / 256))),
      ln2_q16: Math.round(65536 * Math.LN2), x_multiplier: xm.multiplier, x_shift: xm.shift, log_multiplier: lm.multiplier, log_shift: lm.shift,
      y_zero_point: zy, rounding: "half-even",
    };
    fc.assert(fc.property(rowsArb, (xs) => {
      const y = run("QLogSoftmax", [t("i8", [2, 6], xs)], attrs);
      const want = floatRows(xs, 6, true);
      want.forEach((v, i) => expect(Math.abs((y.data as Int8Array)[i]! - clamp8(roundHalfEven(v / sy) + zy))).toBeLessThanOrEqual(1));
    }), { numRuns: 300 });
  });
});

describe("QMagnitude", () => {
  it("is within 1 LSB of the real magnitude sqrt((s(re - z))^2 + (s(im - z))^2) (exact sum of squares, isqrt to 7 bits)", () => {
    const params = fc.record({
      s: fc.double({ min: 0.001, max: 0.1, noNaN: true }), sy: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
      zr: fc.integer({ min: -128, max: 127 }), zi: fc.integer({ min: -128, max: 127 }), zy: fc.integer({ min: -128, max: 127 }),
      re: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 8, maxLength: 8 }), im: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 8, maxLength: 8 }),
    });
    fc.assert(fc.property(params, (p) => {
      const y = run("QMagnitude", [t("i8", [8], p.re), t("i8", [8], p.im)], {
        re_zero_point: p.zr, im_zero_point: p.zi, ...M(p.s / (128 * p.sy)), y_zero_point: p.zy,
      });
      p.re.forEach((r, i) => {
        const want = clamp8(roundHalfEven(Math.hypot(p.s * (r - p.zr), p.s * (p.im[i]! - p.zi)) / p.sy) + p.zy);
        expect(Math.abs((y.data as Int8Array)[i]! - want)).toBeLessThanOrEqual(1);
      });
    }), { numRuns: 300 });
  });

  it("takes the integer square root exactly at the extremes: 3-4-5 and the largest sums", () => {
    // frac_bits 0 and the multiplier 2^30 * 2^(1 - 31) = 1: the plain isqrt of the sum.
    const y = run("QMagnitude", [t("i8", [4], [3, -128, -128, 0]), t("i8", [4], [4, -128, 127, 1])], {
      frac_bits: 0, multiplier: [1073741824], shift: [1], out_dtype: "i16",
    });
    expect(Array.from(y.data as Int16Array)).toEqual([5, 181, 180, 1]); // isqrt(32768) = 181, isqrt(32513) = 180
  });

  it("refuses halves of different shapes and frac_bits beyond 7", () => {
    expect(() => run("QMagnitude", [t("i8", [4], [0, 0, 0, 0]), t("i8", [2], [0, 0])], { multiplier: [1073741824], shift: [0] })).toThrow(/re and im must have one shape/);
    expect(() => run("QMagnitude", [t("i8", [2], [0, 0]), t("i8", [2], [0, 0])], { frac_bits: 8, multiplier: [1073741824], shift: [0] })).toThrow(/frac_bits 8 is outside \[0, 7\]/);
  });
});

describe("QLogEnergy", () => {
  const ONE = 2 ** LOG2_FRAC_BITS;
  it("log2Q16 is within the table's step of log2 for every size of integer, and exact at powers of two", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 52 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
      const e = Math.min(2 ** 53 - 1, Math.floor(2 ** n * (1 + f)));
      const err = log2Q16(e) / ONE - Math.log2(e);
      // The mantissa is cut to 8 bits (at most log2(1 + 1/256) low) and the table rounds (2^-17).
      expect(err).toBeLessThanOrEqual(2 ** -17 + 1e-12);
      expect(err).toBeGreaterThanOrEqual(-Math.log2(1 + 1 / 256) - 2 ** -17);
      expect(log2Q16(2 ** n)).toBe(n * ONE);
    }), { numRuns: 500 });
  });

  it("is within 1 LSB (plus the table's step) of log(max(s^2 b_m sum_k ((re - z)^2 + (im - z)^2) bank[k, m], eps))", () => {
    const K = 6, Mb = 3;
    const params = fc.record({
      s: fc.double({ min: 0.01, max: 10, noNaN: true }), sy: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
      eps: fc.double({ min: 1e-6, max: 10, noNaN: true }),
      zr: fc.integer({ min: -128, max: 127 }), zi: fc.integer({ min: -128, max: 127 }), zy: fc.integer({ min: -128, max: 127 }),
      re: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 2 * K, maxLength: 2 * K }), im: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 2 * K, maxLength: 2 * K }),
      bank: fc.array(fc.integer({ min: 0, max: 127 }), { minLength: K * Mb, maxLength: K * Mb }),
      b: fc.array(fc.double({ min: 1e-4, max: 1, noNaN: true }), { minLength: Mb, maxLength: Mb }),
    });
    fc.assert(fc.property(params, (p) => {
      const offsets = p.b.map((b) => Math.round(ONE * Math.log2(p.s * p.s * b)));
      const y = run("QLogEnergy", [t("i8", [2, K], p.re), t("i8", [2, K], p.im), t("i8", [K, Mb], p.bank)], {
        re_zero_point: p.zr, im_zero_point: p.zi, offsets, floor: Math.round(ONE * Math.log2(p.eps)), ...M(Math.LN2 / (ONE * p.sy)), y_zero_point: p.zy,
      });
      for (let r = 0; r < 2; r++) {
        for (let m = 0; m < Mb; m++) {
          let e = 0;
          for (let k = 0; k < K; k++) e += ((p.re[r * K + k]! - p.zr) ** 2 + (p.im[r * K + k]! - p.zi) ** 2) * p.bank[k * Mb + m]!;
          const real = Math.log(Math.max(p.s * p.s * p.b[m]! * e, p.eps));
          const want = clamp8(roundHalfEven(real / p.sy) + p.zy);
          // The table's step, log(1 + 1/256) = 0.0039, is below 0.05 of an output step here.
          expect(Math.abs((y.data as Int8Array)[r * Mb + m]! - want)).toBeLessThanOrEqual(1);
        }
      }
    }), { numRuns: 300 });
  });

  it("with an addend a = round(eps / s^2) is within 1 LSB of log(s^2 (P + a)) (no bank: a log power plus eps)", () => {
    const params = fc.record({
      s: fc.double({ min: 0.01, max: 10, noNaN: true }), sy: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
      eps: fc.double({ min: 1e-4, max: 10, noNaN: true }), zy: fc.integer({ min: -128, max: 127 }),
      re: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 8, maxLength: 8 }),
    });
    fc.assert(fc.property(params, (p) => {
      const addend = Math.round(p.eps / (p.s * p.s));
      const y = run("QLogEnergy", [t("i8", [8], p.re), undefined, undefined], {
        offsets: [Math.round(ONE * Math.log2(p.s * p.s))], addends: [addend], ...M(Math.LN2 / (ONE * p.sy)), y_zero_point: p.zy,
      });
      p.re.forEach((r, i) => {
        const real = Math.log(p.s * p.s * (r * r + addend));
        if (r === 0 && addend === 0) return; // log 0: the lowest output, checked below
        expect(Math.abs((y.data as Int8Array)[i]! - clamp8(roundHalfEven(real / p.sy) + p.zy))).toBeLessThanOrEqual(1);
      });
    }), { numRuns: 300 });
  });

  it("gives the floor for zero energy and without a floor the lowest output; no bank and no im are a log power", () => {
    const y = run("QLogEnergy", [t("i16", [4], [0, 3, -32768, 1]), undefined, undefined], { ...M(Math.LN2 / ONE), out_dtype: "i16" });
    // log(x^2) with unit scales: -inf (saturated), log 9, log 2^30, log 1.
    expect(Array.from(y.data as Int16Array)).toEqual([-32768, 2, 21, 0]);
    const f = run("QLogEnergy", [t("i8", [2], [0, 1]), t("i8", [2], [0, 0]), undefined], { floor: -3 * ONE, ...M(Math.LN2 / ONE), out_dtype: "i16" });
    expect(Array.from(f.data as Int16Array)).toEqual([-2, 0]); // log(2^-3) = -2.08
  });

  it("refuses banks whose sums could pass 2^53, and mismatched shapes", () => {
    const z = (dt: DType, shape: number[]) => t(dt, shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(0));
    expect(() => run("QLogEnergy", [z("i16", [40000]), z("i16", [40000]), z("i8", [40000, 1])], M(1e-5))).toThrow(/can reach 2\^53/);
    expect(() => run("QLogEnergy", [z("i8", [4]), z("i8", [4]), z("i8", [5, 2])], M(1e-5))).toThrow(/bank has 5 rows but re has 4 bins/);
    expect(() => run("QLogEnergy", [z("i8", [4]), z("i8", [3]), undefined], M(1e-5))).toThrow(/re and im must have one shape/);
  });
});
