// The binary float kernels beyond Add/Sub/Mul/Div (codegen/kernels/elementwise.ts): Pow, PRelu,
// and Max/Min/Sum/Mean of two and three inputs, flat and broadcast (a per-channel operand, a scalar), against
// the interpreter on every rig: Max, Min, PRelu and Sum bit for bit, Pow and Mean within 1e-6 of
// the largest output.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const randomF32 = (r: Rng, shape: number[], lo = -1, hi = 1): Tensor => seededTensor(r, "f32", shape, { values: { min: lo, max: hi } });

const rng = new Rng(77);
const C = 5;

const g = parseGraph(`graph @bin(%x: f32[1,${C},T], %z: f32[1,${C},T], %p: f32[1,${C},T]) -> (%pw2, %pwxy, %prelu, %mx, %mn, %mxb, %sum, %mean, %mx3, %mn3, %sum3) {
${constLine("two", randomF32(rng, [1], 2, 2))}
${constLine("slope", randomF32(rng, [C, 1], -0.5, 0.5))}
${constLine("cap", randomF32(rng, [1], 0.25, 0.25))}
  %pw2 = Pow(%x, %two)
  %pwxy = Pow(%p, %z)
  %prelu = PRelu(%x, %slope)
  %mx = Max(%x, %z)
  %mn = Min(%x, %z)
  %mxb = Max(%cap, %x)
  %sum = Sum(%x, %z)
  %mean = Mean(%x, %z)
  %mx3 = Max(%x, %z, %p)
  %mn3 = Min(%cap, %z, %p)
  %sum3 = Sum(%x, %z, %p)
}`);

const sets: Record<string, Tensor>[] = [6, 11].map((T) => ({
  x: randomF32(rng, [1, C, T], -2, 2), z: randomF32(rng, [1, C, T], -2, 2), p: randomF32(rng, [1, C, T], 0.1, 3),
}));

describe("Pow, PRelu, Max, Min, Sum, Mean in C", () => {
  itOnRigs(ALL_RIGS, (target, rig) => {
    const r = checkGraph(g, target, rig, sets, { maxDims: { T: 11 }, tol: 1e-6 });
    expect(r.worst).toBeLessThanOrEqual(1e-6);
  });
});
