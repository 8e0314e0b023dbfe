// The tensor arbitrary: dtypes, shapes and the three kinds of values, edge values included,
// and shrinking of a failing tensor to a small one.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isFloat, type DType } from "../../ir/dtype.js";
import { tensorToF64 } from "../../ir/float-formats.js";
import type { Tensor } from "../../ir/types.js";
import { arbTensor, floatEdges, Rng, seededTensor } from "../../src/testing/index.js";

const sample = (arb: fc.Arbitrary<Tensor>, n = 200) => fc.sample(arb, { numRuns: n, seed: 42 });
const values = (ts: Tensor[]) => ts.flatMap((t) => Array.from(t.data as ArrayLike<number | bigint>));

describe("arbTensor", () => {
  it("gives the requested dtype and shape", () => {
    for (const t of sample(arbTensor({ dtype: "f32", shape: [2, 3] }), 20)) {
      expect(t.dtype).toBe("f32");
      expect(t.shape).toEqual([2, 3]);
      expect(t.data).toBeInstanceOf(Float32Array);
      expect(t.data.length).toBe(6);
    }
  });

  it("keeps random shapes within rank and maxDim", () => {
    for (const t of sample(arbTensor({ dtype: ["i8", "f64"], rank: { min: 1, max: 2 }, maxDim: 3 }))) {
      expect(t.shape.length).toBeGreaterThanOrEqual(1);
      expect(t.shape.length).toBeLessThanOrEqual(2);
      expect(t.shape.every((d) => d >= 1 && d <= 3)).toBe(true);
      expect(["i8", "f64"]).toContain(t.dtype);
    }
  });

  it("normal floats are moderate and finite", () => {
    const vs = values(sample(arbTensor({ dtype: "f32", shape: [8] }))) as number[];
    expect(vs.every((v) => Number.isFinite(v) && Math.abs(v) <= 2)).toBe(true);
    expect(new Set(vs).size).toBeGreaterThan(100);
  });

  it("edge floats mix in zeros, -0, denormals and large magnitudes, NaN and inf only on request", () => {
    const vs = values(sample(arbTensor({ dtype: "f32", shape: [16], values: "edge" }))) as number[];
    expect(vs.some((v) => Object.is(v, -0))).toBe(true);
    expect(vs.some((v) => v === 0)).toBe(true);
    expect(vs.some((v) => v !== 0 && Math.abs(v) < 1.1754943508222875e-38)).toBe(true); // denormal
    expect(vs.some((v) => Math.abs(v) >= 1e30)).toBe(true);
    expect(vs.every(Number.isFinite)).toBe(true);
    const wild = values(sample(arbTensor({ dtype: "f64", shape: [16], values: "edge", nonFinite: true }))) as number[];
    expect(wild.some(Number.isNaN)).toBe(true);
    expect(wild.some((v) => v === Infinity)).toBe(true);
  });

  it("edge integers hit the type's extremes", () => {
    const cases: [DType, number, number][] = [["i8", -128, 127], ["u8", 0, 255], ["i32", -2147483648, 2147483647], ["u16", 0, 65535]];
    for (const [dt, lo, hi] of cases) {
      const vs = values(sample(arbTensor({ dtype: dt, shape: [8], values: "edge" }), 100)) as number[];
      expect(vs).toContain(lo);
      expect(vs).toContain(hi);
      expect(vs.every((v) => Number.isInteger(v) && v >= lo && v <= hi)).toBe(true);
    }
    const big = values(sample(arbTensor({ dtype: "i64", shape: [8], values: "edge" }), 100));
    expect(big).toContain(-(1n << 63n));
    expect(big).toContain((1n << 63n) - 1n);
  });

  it("respects a value range", () => {
    const fs = values(sample(arbTensor({ dtype: "f32", shape: [8], values: { min: -0.5, max: 3 } }))) as number[];
    expect(fs.every((v) => v >= -0.5 && v <= 3)).toBe(true);
    const is = values(sample(arbTensor({ dtype: "i16", shape: [8], values: { min: -3.5, max: 7 } }))) as number[];
    expect(new Set(is)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7]));
    expect(() => arbTensor({ dtype: "u8", values: { min: -9, max: -1 } })).toThrow(/holds no u8 value/);
  });

  it("stores packed floats and bool through their formats", () => {
    for (const dt of ["f16", "bf16", "f8e4m3fn", "bool"] as const) {
      for (const t of sample(arbTensor({ dtype: dt, shape: [4], values: "edge" }), 30)) {
        expect(t.dtype).toBe(dt);
        if (isFloat(dt)) expect([...tensorToF64(t)].every(Number.isFinite)).toBe(true);
        else expect([...(t.data as Uint8Array)].every((v) => v === 0 || v === 1)).toBe(true);
      }
      if (isFloat(dt)) expect(floatEdges(dt).length).toBeGreaterThan(4);
    }
  });

  it("without options still gives the text-format torture set (strings included)", () => {
    expect(sample(arbTensor(), 300).some((t) => t.dtype === "string")).toBe(true);
  });

  it("shrinks a failing tensor to a small one, zeros but for one element at the boundary", () => {
    const r = fc.check(fc.property(arbTensor({ dtype: "f32", maxDim: 5 }), (t) => [...(t.data as Float32Array)].every((v) => v < 1)), { seed: 7 });
    expect(r.failed).toBe(true);
    const [t] = r.counterexample!;
    const vs = [...(t.data as Float32Array)];
    expect(vs.length).toBeLessThanOrEqual(2);
    expect(vs.filter((v) => v !== 0)).toEqual([1]);
  });
});

describe("seededTensor", () => {
  it("is a function of the seed", () => {
    const a = seededTensor(new Rng(5), "f32", [3, 4], { values: "edge" });
    const b = seededTensor(new Rng(5), "f32", [3, 4], { values: "edge" });
    const c = seededTensor(new Rng(6), "f32", [3, 4], { values: "edge" });
    expect(Buffer.from((a.data as Float32Array).buffer)).toEqual(Buffer.from((b.data as Float32Array).buffer));
    expect(Buffer.from((a.data as Float32Array).buffer)).not.toEqual(Buffer.from((c.data as Float32Array).buffer));
  });

  it("covers the whole range of u64", () => {
    const t = seededTensor(new Rng(1), "u64", [64]);
    expect([...(t.data as BigUint64Array)].some((v) => v > 1n << 62n)).toBe(true);
  });
});
