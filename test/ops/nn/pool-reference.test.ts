// AveragePool and MaxPool against a transcription of the ONNX reference formula (onnx's
// reference/ops/op_pool_common.py, which onnxruntime computes too): pad the input to the length
// the last window needs, with the pad value NaN ("not a position") or, for count_include_pad,
// 0 inside the explicit pads and NaN past them (a ceil_mode window hanging over the end pad);
// slide windows over the padded array; average (or take the max of) the positions that are not
// NaN. So the divisor of count_include_pad counts the taps inside input + explicit pads and never
// those past the end pad. (onnx's Python splits an extra ceil_mode pad of 2 or more between both
// ends, which shifts every window; onnxruntime and this formula keep it at the end.)
// The formula is written independently of ir/kernels/pool.ts (a padded array, no tap ranges).
// The ONNX backend data of the 3-D dilations test with count_include_pad=1 and ceil_mode=1
// divides by the whole kernel instead (125 where 100 taps are inside): 0.05 to 0.08 off on
// random data; docs/measurements/2026-12-07-averagepool-ceil-divisor.md.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AveragePool, MaxPool } from "../../../ir/ops/nn/pool.js";
import { f32, random, run } from "./helpers.js";

interface Case {
  readonly op: "AveragePool" | "MaxPool";
  readonly inShape: number[];
  readonly k: number[]; readonly s: number[]; readonly d: number[];
  readonly pads: number[]; readonly ceil: boolean; readonly cip: boolean;
}

/** Output length of one dim (ONNX: floor or ceil, a ceil window starting past input + begin pad dropped). */
function outLen(n: number, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean): number {
  const span = (n + pb + pe - d * (k - 1) - 1) / s + 1;
  if (!ceil) return Math.floor(span);
  let o = Math.ceil(span);
  if ((o - 1) * s >= n + pb) o -= 1;
  return o;
}

/** The reference: y for x [N, C, ...inShape] by padding, sliding and skipping NaN. */
function referencePool(c: Case, x: Float32Array, N: number, C: number): { shape: number[]; data: number[] } {
  const r = c.inShape.length;
  const out = c.inShape.map((n, i) => outLen(n, c.k[i]!, c.s[i]!, c.d[i]!, c.pads[i]!, c.pads[r + i]!, c.ceil));
  // Padded lengths: what the last window needs, at least input + explicit pads.
  const padded = c.inShape.map((n, i) => Math.max(n + c.pads[i]! + c.pads[r + i]!, (out[i]! - 1) * c.s[i]! + c.d[i]! * (c.k[i]! - 1) + 1));
  const plane = c.inShape.reduce((a, b) => a * b, 1);
  const pplane = padded.reduce((a, b) => a * b, 1);
  const data: number[] = [];
  const idx = (v: number[], dims: number[]) => v.reduce((a, vi, i) => a * dims[i]! + vi, 0);
  const coords = (flat: number, dims: number[]) => {
    const v = new Array<number>(dims.length);
    for (let i = dims.length - 1; i >= 0; i--) { v[i] = flat % dims[i]!; flat = Math.floor(flat / dims[i]!); }
    return v;
  };
  const kvol = c.k.reduce((a, b) => a * b, 1);
  const ovol = out.reduce((a, b) => a * b, 1);
  for (let nc = 0; nc < N * C; nc++) {
    const p = new Float64Array(pplane);
    for (let f = 0; f < pplane; f++) {
      const v = coords(f, padded);
      const inside = v.map((vi, i) => vi - c.pads[i]!);
      if (inside.every((vi, i) => vi >= 0 && vi < c.inShape[i]!)) p[f] = x[nc * plane + idx(inside, c.inShape)]!;
      else if (c.op === "AveragePool" && c.cip && v.every((vi, i) => vi < c.inShape[i]! + c.pads[i]! + c.pads[r + i]!)) p[f] = 0;
      else p[f] = NaN;
    }
    for (let o = 0; o < ovol; o++) {
      const ov = coords(o, out);
      const vals: number[] = [];
      for (let t = 0; t < kvol; t++) {
        const tv = coords(t, c.k);
        const v = p[idx(ov.map((oi, i) => oi * c.s[i]! + tv[i]! * c.d[i]!), padded)]!;
        if (!Number.isNaN(v)) vals.push(v);
      }
      if (c.op === "MaxPool") data.push(vals.length === 0 ? -Infinity : Math.max(...vals));
      else data.push(vals.reduce((a, b) => a + b, 0) / vals.length);
    }
  }
  return { shape: [N, C, ...out], data };
}

const arbCase: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 3 }).chain((r) => {
  const dims = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: r, maxLength: r });
  return fc.record({
    op: fc.constantFrom("AveragePool" as const, "MaxPool" as const),
    k: dims(1, 4), s: dims(1, 4), d: dims(1, 3), extra: dims(0, 6), pb: dims(0, 3), pe: dims(0, 3),
    ceil: fc.boolean(), cip: fc.boolean(),
  }).map((v) => {
    // Pads below the kernel (ONNX's rule), inputs at least one window long.
    const pads = [...v.pb.map((p, i) => Math.min(p, v.k[i]! - 1)), ...v.pe.map((p, i) => Math.min(p, v.k[i]! - 1))];
    const inShape = v.k.map((k, i) => (k - 1) * v.d[i]! + 1 + v.extra[i]!);
    return { op: v.op, inShape, k: v.k, s: v.s, d: v.d, pads, ceil: v.ceil, cip: v.cip };
  });
});

function interpreterPool(c: Case, x: ReturnType<typeof random>) {
  const attrs = { kernel_shape: c.k, strides: c.s, dilations: c.d, pads: c.pads, ceil_mode: c.ceil ? 1 : 0 };
  return c.op === "AveragePool"
    ? run(AveragePool, [x], { ...attrs, count_include_pad: c.cip ? 1 : 0 })[0]!
    : run(MaxPool, [x], attrs)[0]!;
}

describe("pooling follows the ONNX reference formula", () => {
  it("on random 1-D to 3-D windows with pads, strides, dilations, ceil_mode and count_include_pad", () => {
    let seed = 0;
    fc.assert(fc.property(arbCase, (c) => {
      const x = random([1, 2, ...c.inShape], ++seed);
      const want = referencePool(c, x.data as Float32Array, 1, 2);
      const got = interpreterPool(c, x);
      expect(got.shape).toEqual(want.shape);
      const g = Array.from(got.data as Float32Array);
      g.forEach((v, i) => expect(Math.abs(v - want.data[i]!), `element ${i} of ${JSON.stringify(c)}`).toBeLessThan(1e-5));
    }), { numRuns: 300, seed: 10 });
  });

  it("the 3-D dilations case: a ceil_mode window past the end counts only its taps inside the input", () => {
    // 32^3, kernel 5, stride 3, dilation 2, ceil_mode: 9 windows per dim, the last one [24, 32] reads
    // 24..30 and 32 (past the end). Over ones every average is 1 with count_include_pad=1 (no explicit
    // pads, so nothing but input counts); dividing by the whole kernel would give 0.8 at the edges.
    const c: Case = { op: "AveragePool", inShape: [32, 32, 32], k: [5, 5, 5], s: [3, 3, 3], d: [2, 2, 2], pads: [0, 0, 0, 0, 0, 0], ceil: true, cip: true };
    const ones = f32([1, 1, 32, 32, 32], new Float32Array(32 ** 3).fill(1));
    const y = interpreterPool(c, ones);
    expect(y.shape).toEqual([1, 1, 9, 9, 9]);
    expect(new Set(Array.from(y.data as Float32Array))).toEqual(new Set([1]));
    const x = random([1, 1, 32, 32, 32], 3);
    const want = referencePool(c, x.data as Float32Array, 1, 1);
    const got = Array.from(interpreterPool(c, x).data as Float32Array);
    expect(Math.max(...got.map((v, i) => Math.abs(v - want.data[i]!)))).toBeLessThan(1e-6);
  });

  it("explicit pads count for count_include_pad, the overhang past them does not", () => {
    // in 4, kernel 3, stride 2, pads [1, 1], ceil: windows start at -1, 1, 3; the last covers 3, 4 (pad), 5 (past).
    const x = f32([1, 1, 4], [1, 2, 3, 4]);
    const y = run(AveragePool, [x], { kernel_shape: [3], strides: [2], pads: [1, 1], ceil_mode: 1, count_include_pad: 1 })[0]!;
    expect(Array.from(y.data as Float32Array)).toEqual([1, 3, 2]);
  });
});
