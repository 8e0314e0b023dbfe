// ConvWinograd in C against the interpreter on every rig: F(2, 3), F(4, 3) and F(6, 3) with bias
// and fused activations, asymmetric and no padding, a grouped conv, and the long kernels of
// Wav2letter-style layers (r = 5, 7), over lengths that leave a partial last tile.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { runPipeline } from "../../passes/index.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const rng = new Rng(47);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });

const g = parseGraph(`graph @g(%x: f32[1,8,T]) -> (%a, %b, %c, %d, %e) {
${constLine("w3", rand([12, 8, 3]))}
${constLine("b3", rand([12]))}
${constLine("wg", rand([6, 4, 3]))}
${constLine("w5", rand([5, 8, 5]))}
${constLine("w7", rand([4, 8, 7]))}
${constLine("b7", rand([4]))}
  %a = Conv(%x, %w3, %b3) {pads=[1, 1], activation="Relu"}
  %b = Conv(%x, %w3) {pads=[2, 0], activation="Clip", activation_params=[-0.5, 0.5]}
  %c = Conv(%x, %wg) {group=2}
  %d = Conv(%x, %w5) {pads=[2, 2], activation="LeakyRelu", activation_params=[0.1]}
  %e = Conv(%x, %w7, %b7) {pads=[3, 3]}
}`);

describe("ConvWinograd in C", () => {
  for (const m of [2, 4, 6]) {
    const w = runPipeline(g, `winograd{m=${m}}`);
    it(`F(${m}, r) takes every conv whose error it keeps within the limit`, () => {
      // F(6, 5) and F(6, 7) would amplify the fp32 error 65x and 151x over direct: they stay Conv.
      const want = m === 6 ? ["ConvWinograd", "ConvWinograd", "ConvWinograd", "Conv", "Conv"] : new Array(5).fill("ConvWinograd");
      expect(w.nodes.map((n) => n.op)).toEqual(want);
    });
    itOnRigs(ALL_RIGS, (target, rig) => {
      const sets = [7, 13, 16].map((T) => ({ x: rand([1, 8, T]) }));
      checkGraph(w, target, rig, sets, { maxDims: { T: 16 }, tol: 1e-5, label: `F(${m}, r)` });
    }, `F(${m}, r)`);
  }
});
