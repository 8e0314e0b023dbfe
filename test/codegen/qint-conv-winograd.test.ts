// Integer-exact Winograd (QConvWinograd): for every tile the winograd pass can force (2, 4, 6,
// and auto), on int8 and uint8 inputs with zero points, grouped convs, asymmetric pads, weights
// at -128 and kernels of 2 to 11 taps (segmented where F(m, r) would leave int16), the output is
// QConv's bit for bit in the interpreter (property over random layers), and the generated C is the
// interpreter's bit for bit on every rig, for F(2, r), F(4, r) and F(6, r), with the NEON register
// blocks' leftover channels, inputs long enough for several tile blocks, and a layer wide enough
// for int64 tap sums.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { arbLayer, layerGraph, layerInputs, type Layer } from "./qint-winograd-layers.js";
import { parseGraph } from "../../ir/text/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import { compileGraph } from "../../codegen/index.js";
import { getTarget } from "../../ir/target.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";

describe("QConvWinograd: integer-exact Winograd", () => {
  for (const m of ["2", "4", "6", "auto"]) {
    it(`winograd{m=${m}} gives QConv's output bit for bit (property over random layers)`, () => {
      const C = 6;
      let fired = 0;
      fc.assert(fc.property(fc.array(arbLayer(C), { minLength: 1, maxLength: 3 }), fc.integer({ min: 11, max: 30 }), fc.nat(), (layers, T, seed) => {
        const g = parseGraph(layerGraph(layers, C));
        const w = runPipeline(g, `winograd{m=${m}}`);
        fired += w.nodes.filter((n) => n.op === "QConvWinograd").length;
        const ins = layerInputs(C, T, seed);
        const [a, b] = [runGraph(g, ins), runGraph(w, ins)];
        for (const o of g.outputs) expect(Array.from(b[o]!.data as Int16Array)).toEqual(Array.from(a[o]!.data as Int16Array));
      }), { numRuns: 40 });
      if (m !== "auto") expect(fired).toBeGreaterThan(20);
    });
  }

  const C = 12;
  const layers: Layer[] = [
    { M: 16, Cg: 12, group: 1, Kw: 3, pads: [1, 1], u8: false, seed: 1 },
    { M: 8, Cg: 12, group: 1, Kw: 3, pads: [2, 0], u8: true, seed: 2 },
    { M: 6, Cg: 4, group: 3, Kw: 5, pads: [2, 2], u8: false, seed: 3 },
    { M: 8, Cg: 12, group: 1, Kw: 11, pads: [5, 5], u8: true, seed: 4 },
    { M: 128, Cg: 12, group: 1, Kw: 7, pads: [3, 3], u8: false, seed: 5 },
    // NEON register blocks (8 channels on aarch64, 4 on armv7) with channels left over: 8 + 4
    // and 8 + 2 per group on aarch64.
    { M: 12, Cg: 12, group: 1, Kw: 3, pads: [0, 2], u8: true, seed: 6 },
    { M: 20, Cg: 6, group: 2, Kw: 5, pads: [1, 3], u8: false, seed: 7 },
  ];
  const g = parseGraph(layerGraph(layers, C));
  // T = 67: several 8-tile blocks of the NEON GEMM and 4-tile blocks of its output transform, then
  // the scalar tail; 29, 12 and 3 leave partial blocks (and no whole one).
  const SETS = [layerInputs(C, 29, 1), layerInputs(C, 12, 2), layerInputs(C, 3, 3), layerInputs(C, 67, 4)];
  for (const m of ["2", "4", "6"]) {
    const w = runPipeline(g, `winograd{m=${m}}`);
    // F(6, r) (on NEON: the scalar transforms around the NEON GEMM) takes the layers its int16 bound allows.
    if (m !== "6") it(`winograd{m=${m}} takes every layer`, () => expect(w.nodes.map((n) => n.op)).toEqual(new Array(layers.length).fill("QConvWinograd")));
    else it("winograd{m=6} takes the k = 3 layers", () => expect(w.nodes.filter((n) => n.op === "QConvWinograd").length).toBeGreaterThanOrEqual(3));
    itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(w, target, rig, SETS, { maxDims: { T: 70 }, name: `F(${m}, r)` }), `F(${m}, r)`);
  }

  // 640 channels of extreme weights through k = 5 (two segments of F(4, 4)): some tap sum's bound
  // passes 2^31, so the tap GEMMs accumulate in int64 (scalar, beside the NEON input transform on
  // NEON targets).
  const wideLayer: Layer = { M: 6, Cg: 640, group: 1, Kw: 5, pads: [2, 2], u8: true, seed: 8, extreme: true };
  const wide = runPipeline(parseGraph(layerGraph([wideLayer], 640)), "winograd{m=4}");
  it("a layer whose tap sums could pass 2^31 accumulates in int64", () => {
    expect(wide.nodes.map((n) => n.op)).toEqual(["QConvWinograd"]);
    for (const t of ["c99", "aarch64", "armv7"]) expect(compileGraph(wide, { target: getTarget(t), maxDims: { T: 24 } }).files["model.c"]).toMatch(/int64_t \*const wg_M/);
  });
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(wide, target, rig, [layerInputs(640, 21, 5), layerInputs(640, 6, 6)], { maxDims: { T: 24 }, name: "F(4, 4) x 2 int64" }), "F(4, 4) x 2 segments, int64");
});
