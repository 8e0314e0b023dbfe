// QLayerNorm (ir/ops/integer/qlayernorm.ts) and its lowering (passes/quantize/lower-norm.ts): the
// integer square root and reciprocal against a BigInt reference, and the whole integer op
// against the float LayerNormalization on random inputs (fast-check over shapes, axes, scales,
// gamma/beta and roundings). Inputs lie on the int8 grid of the input, so the float reference
// sees exactly what the integer op sees: the measured error is the op's own, in output LSBs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROUNDINGS, type Rounding } from "../../../ir/fixed-point.js";
import type { Attrs, Graph } from "../../../ir/graph.js";
import { isqrt52, rowNormalizer, varianceShift } from "../../../ir/ops/integer/qlayernorm.js";
import { makeTensor, tensorType, type Tensor } from "../../../ir/types.js";
import { verifyGraph } from "../../../ir/verify.js";
import { parseGraph, printGraph } from "../../../ir/text/index.js";
import { activationParams } from "../../../passes/quantize/params.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { GraphBuilder, Rng, seededTensor } from "../../../src/testing/index.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { runOrt } from "../../helpers/ort.js";
import "../../../ir/ops/index.js";

/** The bound this file checks and docs/quantization.md states: output LSBs from the float op. */
const BOUND_LSB = 0.52;

function bisqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

describe("integer square root and row reciprocal", () => {
  it("isqrt52 is floor(sqrt(n)) on [0, 2^52), including squares and their neighbours", () => {
    const edge = [0, 1, 2, 3, 4, 2 ** 50, 2 ** 50 - 1, 2 ** 52 - 1, (2 ** 26 - 1) ** 2, (2 ** 26 - 1) ** 2 - 1, (2 ** 25) ** 2 + 1];
    for (const n of edge) expect(isqrt52(n), String(n)).toBe(Number(bisqrt(BigInt(n))));
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 52n - 1n }), fc.integer({ min: -2, max: 2 }), (b, dlt) => {
      const r = bisqrt(b);
      const n = Number(r * r) + dlt; // squares and their neighbours, where a float sqrt would slip
      if (n < 0 || n >= 2 ** 52) return;
      expect(isqrt52(n)).toBe(Number(bisqrt(BigInt(n))));
    }), { numRuns: 2000 });
  });

  it("rowNormalizer is round(2^56 / isqrt(D 4^k)) exactly, and within 2^-24 of 2^e / sqrt(D)", () => {
    const check = (D: number, e: number) => {
      const nm = rowNormalizer(D, e);
      expect(nm.multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(nm.multiplier).toBeLessThan(2 ** 31);
      // BigInt reference of the definition.
      const b = BigInt(D).toString(2).length;
      const k = Math.floor((52 - b) / 2);
      const r = bisqrt(BigInt(D) << BigInt(2 * k));
      let m = ((1n << 57n) / r + 1n) / 2n;
      let s = k + e - 25;
      if (m === 1n << 31n) { m = 1n << 30n; s++; }
      expect([nm.multiplier, nm.shift]).toEqual([Number(m), Math.min(30, s)]);
      expect(nm.shift).toBeGreaterThanOrEqual(-31);
      if (s > 30) return; // clamped: only rows whose d_i are all 0 get there
      const real = nm.multiplier * 2 ** (nm.shift - 31), exact = 2 ** e / Math.sqrt(D);
      expect(Math.abs(real / exact - 1)).toBeLessThan(2 ** -24);
    };
    for (const D of [1, 2, 3, 4, 2 ** 46, 2 ** 52 - 1, 2 ** 51, 2 ** 25, 2 ** 24, 2 ** 50 / 4 ** 24]) for (const e of [0, 12, 29, 47]) check(D, e);
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 52 - 1 }), fc.integer({ min: 0, max: 47 }), check), { numRuns: 2000 });
  });

  it("varianceShift keeps 4^j N^2 127.5^2 below 2^51 and leaves epsilon at least 2 more bits", () => {
    for (const N of [1, 2, 3, 80, 144, 256, 512, 4096, 65535, 65536]) {
      const j = varianceShift(N);
      expect(j, `N=${N}`).toBeGreaterThanOrEqual(1);
      expect(4 ** j * N * N * 127.5 * 127.5, `N=${N}`).toBeLessThan(2 ** 51);
    }
    expect(varianceShift(256)).toBe(9);
  });
});

interface Case {
  shape: number[];
  axis: number;
  rounding: Rounding;
  /** Range of x; values are drawn on its int8 grid. */
  xLo: number;
  xHi: number;
  gammaScale: number;
  betaScale: number;
  withBias: boolean;
  epsilon: number;
  seed: number;
  /** Fraction of rows made of one repeated value. */
  flat: number;
}

function lnGraph(c: Case, rng: Rng): Graph {
  const b = new GraphBuilder("ln");
  const x = b.input("x", tensorType("f32", c.shape));
  const norm = c.shape.slice(c.axis < 0 ? c.shape.length + c.axis : c.axis);
  const mk = (scale: number, off: number) => seededTensor(rng, "f32", norm, { values: { min: off - scale, max: off + scale } });
  const inputs = [x, b.constant("gamma", mk(c.gammaScale, c.gammaScale / 2))];
  if (c.withBias) inputs.push(b.constant("beta", mk(c.betaScale, 0)));
  const [y] = b.node("LayerNormalization", inputs, { axis: c.axis, epsilon: c.epsilon }, "y");
  return b.build([x], [y!]);
}

/** Random x on the int8 grid of [xLo, xHi], with constant rows and -128/127 extremes mixed in. */
function gridInput(c: Case, rng: Rng): Tensor {
  const p = activationParams(c.xLo, c.xHi, false);
  const total = c.shape.reduce((a, d) => a * d, 1);
  const axis = c.axis < 0 ? c.shape.length + c.axis : c.axis;
  const N = c.shape.slice(axis).reduce((a, d) => a * d, 1);
  const q = new Int32Array(total);
  for (let r = 0; r < total / N; r++) {
    const flat = rng.chance(c.flat), v0 = rng.int(-128, 127), extreme = rng.chance(0.2);
    for (let i = 0; i < N; i++) q[r * N + i] = flat ? v0 : extreme ? rng.pick([-128, 127, rng.int(-128, 127)]) : rng.int(-128, 127);
  }
  return makeTensor("f32", c.shape, Float32Array.from(q, (v) => p.scale * (v - p.zeroPoint)));
}

/** Worst error of the integer graph against the float one, in output LSBs, over one input. */
function measure(c: Case): { lsb: number; ops: string[]; values: number } {
  const rng = new Rng(c.seed);
  const g = lnGraph(c, rng);
  const x = gridInput(c, rng);
  const yf = runGraph(g, { x })["y"]!.data as Float32Array;
  let lo = 0, hi = 0;
  for (const v of yf) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const q = quantizeGraph(g, { x: { min: c.xLo, max: c.xHi }, y: { min: lo, max: hi } }, { rounding: c.rounding });
  verifyGraph(q);
  const ln = q.nodes.find((nd) => nd.op === "QLayerNorm");
  const sy = ln ? (q.types[ln.outputs[0]!]!.quant as { scale: readonly number[] }).scale[0]! : 1;
  const yq = runGraph(q, { x })["y"]!.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < yf.length; i++) worst = Math.max(worst, Math.abs(yq[i]! - yf[i]!) / sy);
  return { lsb: worst, ops: q.nodes.map((nd) => nd.op), values: yf.length };
}

const arbCase: fc.Arbitrary<Case> = fc.record({
  rank: fc.integer({ min: 1, max: 3 }),
  dims: fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 3, maxLength: 3 }),
  axisFromEnd: fc.integer({ min: 1, max: 3 }),
  rounding: fc.constantFrom(...ROUNDINGS),
  xLo: fc.double({ min: -8, max: 0, noNaN: true }),
  xSpan: fc.double({ min: 0.01, max: 16, noNaN: true }),
  gammaScale: fc.double({ min: 0.01, max: 4, noNaN: true }),
  betaScale: fc.double({ min: 0.001, max: 4, noNaN: true }),
  withBias: fc.boolean(),
  epsilon: fc.constantFrom(1e-5, 1e-3, 1e-12, 0.1),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  flat: fc.constantFrom(0, 0.25),
}).map((r) => {
  const shape = r.dims.slice(0, r.rank);
  const axis = -Math.min(r.axisFromEnd, r.rank);
  return {
    shape, axis, rounding: r.rounding, xLo: r.xLo, xHi: r.xLo + r.xSpan, gammaScale: r.gammaScale, betaScale: r.betaScale,
    withBias: r.withBias, epsilon: r.epsilon, seed: r.seed, flat: r.flat,
  };
});

describe("QLayerNorm against the float LayerNormalization", () => {
  it(`is within ${BOUND_LSB} LSB on random shapes, axes, ranges, gamma/beta, epsilons and roundings`, () => {
    let worst = 0, values = 0;
    fc.assert(fc.property(arbCase, (c) => {
      const m = measure(c);
      expect(m.ops).toEqual(["Quantize", "QLayerNorm", "Dequantize"]);
      expect(m.lsb, JSON.stringify(c)).toBeLessThanOrEqual(BOUND_LSB);
      worst = Math.max(worst, m.lsb);
      values += m.values;
    }), { numRuns: 150 });
    console.log(`QLayerNorm vs float: worst ${worst.toFixed(3)} LSB over ${values} values`);
  });

  it("conformer-sized rows (N = 144, 256, 512) and long rows (4096): within the bound, every rounding", () => {
    const worst: string[] = [];
    for (const [N, rows] of [[144, 40], [256, 30], [512, 16], [4096, 3]] as const) {
      let w = 0;
      for (const rounding of ROUNDINGS) {
        const m = measure({ shape: [1, rows, N], axis: -1, rounding, xLo: -3, xHi: 5, gammaScale: 1, betaScale: 0.5, withBias: true, epsilon: 1e-5, seed: N, flat: 0.1 });
        expect(m.lsb, `N=${N} ${rounding}`).toBeLessThanOrEqual(BOUND_LSB);
        w = Math.max(w, m.lsb);
      }
      worst.push(`N=${N}: ${w.toFixed(3)}`);
    }
    console.log(`QLayerNorm vs float, worst LSB over the four roundings: ${worst.join(", ")}`);
  });
});

describe("QLayerNorm type rule and lowering refusals", () => {
  const base = { shape: [2, 16], axis: -1, rounding: "gemmlowp" as Rounding, xLo: -2, xHi: 2, gammaScale: 1, betaScale: 0.5, withBias: true, epsilon: 1e-5, seed: 3, flat: 0 };
  const lowered = () => {
    const g = lnGraph(base, new Rng(3));
    return quantizeGraph(g, { x: { min: -2, max: 2 }, y: { min: -3, max: 3 } });
  };

  it("keeps epsilon_q beyond int32 exact, through the textual IR too", () => {
    // The parameters themselves are specified by test/passes/quantize/golden/layernorm.ir.
    const q3 = quantizeGraph(lnGraph({ ...base, epsilon: 1e-3 }, new Rng(3)), { x: { min: -2, max: 2 }, y: { min: -3, max: 3 } });
    expect(q3.nodes.find((n) => n.op === "QLayerNorm")!.attrs["epsilon_q"]).toBeGreaterThan(2 ** 32);
    expect(printGraph(parseGraph(printGraph(q3)))).toBe(printGraph(q3));
  });

  it("rejects bad attributes and shapes with one sentence naming them", () => {
    const q = lowered();
    const ln = q.nodes.find((n) => n.op === "QLayerNorm")!;
    const run = (attrs: Record<string, unknown>, inputs = ln.inputs) =>
      runGraph({ ...q, nodes: q.nodes.map((n) => (n === ln ? { ...n, inputs, attrs: { ...n.attrs, ...attrs } as Attrs } : n)) }, { x: gridInput(base, new Rng(1)) });
    expect(() => run({ var_shift: 40 })).toThrow(/var_shift 40 is outside \[0, \d+\] for rows of 16/);
    expect(() => run({ frac_bits: -1 })).toThrow(/frac_bits -1 is outside/);
    expect(() => run({ epsilon_q: 0 })).toThrow(/epsilon_q 0 is outside \[1, 2\^51\]/);
    expect(() => run({}, [ln.inputs[0]!, ln.inputs[2]!])).toThrow(/gamma must be i16, got i32/);
  });

  it("exports as QDQ that ONNX Runtime runs within one output step of the interpreter", async () => {
    const c = { ...base, shape: [6, 24], seed: 5 };
    const rng = new Rng(c.seed);
    const g = lnGraph(c, rng);
    const x = gridInput(c, rng);
    const q = quantizeGraph(g, { x: { min: c.xLo, max: c.xHi }, y: { min: -3, max: 3 } });
    const ln = q.nodes.find((n) => n.op === "QLayerNorm")!;
    const sy = (q.types[ln.outputs[0]!]!.quant as { scale: readonly number[] }).scale[0]!;
    const got = (await runOrt(exportOnnx(q), { x })).y!;
    const ref = runGraph(q, { x })["y"]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) / sy);
    console.log(`QLayerNorm QDQ export in ONNX Runtime vs the interpreter: worst ${worst.toFixed(3)} LSB`);
    expect(worst).toBeLessThanOrEqual(1.0001);
  });
});
