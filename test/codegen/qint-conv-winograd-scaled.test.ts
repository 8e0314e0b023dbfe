// Scaled integer Winograd (QConvWinogradScaled, the RSQ-style scheme): the accumulator stays
// within its error model of QConv's (a property over random layers, every tile, int8 and uint8
// inputs with zero points, groups, pads, 2 to 11 taps), the winograd pass with int8=scaled picks
// input scales on calibration samples and stays close to direct, and the generated C is the
// interpreter's bit for bit on every rig.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { arbLayer, layerGraph, layerInputs, zpOf, type Layer } from "./qint-winograd-layers.js";
import { parseGraph } from "../../ir/text/index.js";
import type { Graph } from "../../ir/graph.js";
import { tapHistograms, unclippedScales } from "../../passes/lower/winograd-input-scales.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import { randomSource } from "../../src/testing/index.js";
import { qconvWinogradAccumulate, integerTransforms, integerWinogradWeights } from "../../ir/kernels/integer-winograd.js";
import { qconvWinogradScaledAccumulate, scaledUnsupported, scaledWinogradPlan } from "../../ir/kernels/scaled-winograd.js";
import { winogradPlan } from "../../ir/kernels/conv-winograd.js";
import { convRun } from "../../ir/ops/nn/spatial.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";

/** The first segmenting of r taps over tile m the scaled scheme takes (whole, or m-tap segments), or undefined. */
function scaledSegment(r: number, m: number): number | undefined {
  if (!scaledUnsupported(r, m, 0)) return 0;
  return r > m && !scaledUnsupported(r, m, m) ? m : undefined;
}

describe("QConvWinogradScaled: scaled integer Winograd", () => {
  // Error model: with alpha_j at the range that never clips (255 ||B^T_j||_1 / 127), |V - alpha V8| <=
  // alpha / 2 and |U - beta U8| <= beta / 2, so each tap's product sum is off by at most
  // sum_c (|U| alpha + |V| beta + alpha beta / 2) / 2, the output by sum_j |A_int[i][j]| / S_A of
  // that, plus the rounding of the fixed-point rescaling per tap and of the guard bits.
  for (const m of [2, 3, 4, 6]) {
    it(`F(${m}, r): the accumulator is QConv's within the error model (property over random layers)`, () => {
      let checked = 0;
      const forms = new Set<string>();
      fc.assert(fc.property(arbLayer(6), fc.integer({ min: 5, max: 30 }), fc.nat(), fc.boolean(), (l, T, seed, cut) => {
        // The whole kernel, or segments of m taps, whichever the scheme takes (both when it takes both).
        const options = [0, m].filter((seg) => (seg === 0 || l.Kw > m) && !scaledUnsupported(l.Kw, m, seg));
        if (options.length === 0) return;
        const segment = options[cut ? options.length - 1 : 0]!;
        forms.add(segment === 0 ? "whole" : "segments");
        const { rs, S } = winogradPlan(l.Kw, m, segment);
        const { BT, AT, S: SA } = integerTransforms(m, rs);
        const alphas = BT.map((row) => Math.max(1, (255 * row.reduce((a, v) => a + Math.abs(v), 0)) / 127));
        const C = l.Cg * l.group, x = layerInputs(C, T, seed, false)[l.u8 ? "u" : "q"]!;
        const r = randomSource(l.seed);
        const w = Int8Array.from({ length: l.M * l.Cg * l.Kw }, () => Math.floor(r() * 255) - 127);
        const { geometry } = convRun([1, C, T], [l.M, l.Cg, l.Kw], { pads: [...l.pads], strides: [], dilations: [], auto_pad: "NOTSET", kernel_shape: undefined } as never);
        const args = { N: 1, C, M: l.M, group: l.group, geometry, xZeroPoint: zpOf(l) };
        const exact = qconvWinogradAccumulate(x.data as Int8Array, w, undefined, args, m, segment);
        const scaled = qconvWinogradScaledAccumulate(x.data as Int8Array, w, undefined, args, m, segment, alphas);
        const plan = scaledWinogradPlan(w, l.M, l.Cg, l.group, l.Kw, m, segment, alphas);
        const U = integerWinogradWeights(w, l.M, l.Cg, l.group, l.Kw, m, segment);
        const Mg = l.M / l.group, depth = S * l.Cg, n = BT.length;
        const Tout = geometry.outShape[0]!;
        for (let o = 0; o < l.M; o++) {
          const gi = Math.floor(o / Mg), oo = o % Mg;
          // Per tap: the bound of its product sum's error (V bounded by its worst case 255 ||B^T_j||_1).
          const tap = BT.map((row, j) => {
            const alpha = 32768 / plan.mult[j]!, vmax = 255 * row.reduce((a, v) => a + Math.abs(v), 0);
            let umax = 0, usum = 0;
            for (let k = 0; k < depth; k++) { const u = Math.abs(U[((gi * n + j) * Mg + oo) * depth + k]!); umax = Math.max(umax, u); usum += u; }
            const beta = umax / 127;
            return (usum * alpha + depth * vmax * beta + depth * alpha * beta / 2) / 2;
          });
          for (let t = 0; t < Tout; t++) {
            const i = t % m;
            // Plus the rounding of each tap's fixed-point rescaling (half a unit of 2^-guard) and the final one.
            const bound = AT[i]!.reduce((a, c, j) => a + (Math.abs(c) * tap[j]!) / SA + Math.abs(c) * 0.5 * 2 ** -plan.guard, 0) + 1;
            const diff = Math.abs(scaled[o * Tout + t]! - exact[o * Tout + t]!);
            if (diff > bound) throw new Error(`F(${m}, ${rs}) x ${S}, layer ${JSON.stringify(l)}: output ${o},${t} off by ${diff} > ${bound}`);
            checked++;
          }
        }
      }), { numRuns: 60 });
      expect(checked).toBeGreaterThan(500);
      // F(6, 6) segments would pass int16 after the input transform: m = 6 takes whole kernels only.
      expect([...forms].sort()).toEqual(m === 6 ? ["whole"] : ["segments", "whole"]);
    });
  }

  it("the pass picks input scales on calibration samples: on held-out inputs at least as close to direct as the never-clipping scales", () => {
    const C = 12;
    const layers: Layer[] = [
      { M: 16, Cg: 12, group: 1, Kw: 3, pads: [1, 1], u8: false, seed: 1 },
      { M: 8, Cg: 12, group: 1, Kw: 3, pads: [2, 0], u8: true, seed: 2 },
      { M: 6, Cg: 4, group: 3, Kw: 5, pads: [2, 2], u8: false, seed: 3 },
    ];
    const g = parseGraph(layerGraph(layers, C));
    const samples = [11, 12, 14, 15].map((seed) => layerInputs(C, 64, seed, false));
    const calibrationSamples = Object.assign([...samples], { length: samples.length });
    const heldOut = [layerInputs(C, 40, 13, false), layerInputs(C, 57, 16, false)];
    const sqnr = (ref: Graph, got: Graph, o: string) => {
      let sig = 0, err = 0;
      for (const ins of heldOut) {
        const x = runGraph(ref, ins)[o]!.data as Int16Array, y = runGraph(got, ins)[o]!.data as Int16Array;
        x.forEach((v, i) => { sig += v * v; err += (v - y[i]!) ** 2; });
      }
      return 10 * Math.log10(sig / err);
    };
    for (const m of ["2", "4", "6"]) {
      const w = runPipeline(g, `winograd{m=${m}, int8=scaled}`, { host: { calibrationSamples } });
      expect(w.nodes.map((n) => n.op)).toEqual(layers.map((l) => (scaledSegment(l.Kw, Number(m)) === undefined ? "QConv" : "QConvWinogradScaled")));
      // The same layers with the never-clipping scale of each tap on the calibration inputs.
      const naive: Graph = { ...w, nodes: w.nodes.map((n) => {
        if (n.op !== "QConvWinogradScaled") return n;
        const a = n.attrs as { m: number; segment?: number; pads: number[]; x_zero_point: number };
        const Kw = w.types[n.inputs[1]!]!.shape[2] as number;
        const { rs, S } = winogradPlan(Kw, a.m, a.segment ?? 0);
        const hist = tapHistograms(samples.map((s) => s[n.inputs[0]!]!), {
          m: a.m, BT: integerTransforms(a.m, rs).BT, zeroPoint: a.x_zero_point, padBegin: a.pads[0]!,
          tiles: (L) => Math.ceil((L + a.pads[0]! + a.pads[1]! - Kw + 1) / a.m) + S - 1,
        });
        return { ...n, attrs: { ...n.attrs, input_scales: unclippedScales(hist) } };
      }) };
      for (const [k, o] of g.outputs.entries()) {
        if (w.nodes[k]!.op !== "QConvWinogradScaled") continue;
        const [picked, plain] = [sqnr(g, w, o), sqnr(g, naive, o)];
        expect(picked, `F(${m}, r) ${o}: picked scales ${picked.toFixed(1)} dB, never-clipping ${plain.toFixed(1)} dB`).toBeGreaterThan(plain - 1);
        expect(picked, `F(${m}, r) ${o}`).toBeGreaterThan(20);
      }
    }
  });

  it("without calibration samples the scaled scheme says what it needs", () => {
    const g = parseGraph(layerGraph([{ M: 4, Cg: 4, group: 1, Kw: 3, pads: [1, 1], u8: false, seed: 1 }], 4));
    expect(() => runPipeline(g, "winograd{m=4, int8=scaled}")).toThrow(/calibration samples/);
  });

  const C = 12;
  const layers: Layer[] = [
    { M: 16, Cg: 12, group: 1, Kw: 3, pads: [1, 1], u8: false, seed: 1 },
    { M: 8, Cg: 12, group: 1, Kw: 3, pads: [2, 0], u8: true, seed: 2 },
    { M: 6, Cg: 4, group: 3, Kw: 5, pads: [2, 2], u8: false, seed: 3 },
    { M: 8, Cg: 12, group: 1, Kw: 8, pads: [4, 3], u8: true, seed: 4 },
    { M: 36, Cg: 12, group: 1, Kw: 3, pads: [1, 1], u8: false, seed: 5 },
  ];
  const g = parseGraph(layerGraph(layers, C));
  const SETS = [layerInputs(C, 29, 1, false), layerInputs(C, 12, 2, false), layerInputs(C, 3, 3, false)];
  const calibrationSamples = Object.assign([layerInputs(C, 32, 7, false)], { length: 1 });
  // m = 2 and 4 take the NEON output transform (4 tiles, VST2/VST4), m = 6 the scalar one; m = 4's
  // k = 8 layer runs in segments.
  for (const m of ["2", "4", "6"]) {
    const w = runPipeline(g, `winograd{m=${m}, int8=scaled}`, { host: { calibrationSamples } });
    it(`winograd{m=${m}, int8=scaled} takes every layer it can`, () => expect(w.nodes.map((n) => n.op)).toEqual(layers.map((l) => (scaledSegment(l.Kw, Number(m)) === undefined ? "QConv" : "QConvWinogradScaled"))));
    itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(w, target, rig, SETS, { maxDims: { T: 32 }, name: `scaled F(${m}, r)` }), `scaled F(${m}, r)`);
  }
});
