// The float MatMul algorithms of the lower stage in C against the interpreter on every rig:
// MatMulGemm (B 1-D or 2-D, A's batch folded into rows; 1-D A) and MatMulBatched (B with batch
// dims, broadcast either way, a 1-D A, symbolic batch and length dims), and GemmPrepacked with
// transA (a Transpose before it), alpha, beta and a fused Relu, in one graph per rig.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { runPass } from "../../passes/pass.js";
import { lower } from "../../passes/lower/index.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const rng = new Rng(77);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });

const g = parseGraph(`graph @g(%a: f32[B,T,4], %q: f32[B,3,T,4], %v: f32[4], %mt: f32[4,T]) -> (%gemm, %vecb, %veca, %batched, %bcast, %heads, %vbatch, %gta) {
${constLine("w", rand([4, 5]))}
${constLine("wv", rand([4]))}
${constLine("wb", rand([1, 4, 6]))}
${constLine("wh", rand([3, 4, 2]))}
${constLine("c", rand([5]))}
  %gemm = MatMul(%a, %w) {activation="Relu"}
  %vecb = MatMul(%a, %wv)
  %veca = MatMul(%v, %w)
  %at = Transpose(%a) {perm=[0, 2, 1]}
  %batched = MatMul(%a, %at)
  %bcast = MatMul(%a, %wb)
  %heads = MatMul(%q, %wh)
  %vbatch = MatMul(%v, %wh)
  %gta = Gemm(%mt, %w, %c) {transA=1, alpha=0.5, beta=2, activation="Relu"}
}`);

const inputs = (B: number, T: number) => ({ a: rand([B, T, 4]), q: rand([B, 3, T, 4]), v: rand([4]), mt: rand([4, T]) });

describe("MatMul algorithms", () => {
  it("lower gives each MatMul the algorithm its B calls for", () => {
    const ops = Object.fromEntries(runPass(g, lower, {}, { target: getTarget("aarch64") }).nodes.map((n) => [n.outputs[0], n.op]));
    expect(ops).toMatchObject({
      gemm: "MatMulGemm", vecb: "MatMulGemm", veca: "MatMulGemm",
      batched: "MatMulBatched", bcast: "MatMulBatched", heads: "MatMulBatched", vbatch: "MatMulBatched", gta: "GemmPrepacked",
    });
  });

  itOnRigs(ALL_RIGS, (target, rig) => {
    checkGraph(g, target, rig, [inputs(2, 7), inputs(1, 3)], { maxDims: { B: 2, T: 9 }, tol: 1e-5 });
  });
});
