// The float reductions written for gcc's vectorizer against the interpreter: row sums in 16
// lanes (lane-sum.ts) in ReduceSum, ReduceSumSquare, ReduceMean, GlobalAveragePool and
// LayerNormalization over the last axis, and ReduceMax / ReduceMin over the channel axis (the
// contiguous inner loop with the fold stored on every step). A fast-check property draws the
// row length (1 to 70: below, at and between multiples of 16, so every lane count and tail
// occurs) and the values, NaN and infinities now and then. NaN and infinite results must be
// where the interpreter has them; finite sums within (n + 2) 2^-24 of the sum of |terms| (the
// interpreter sums in double), means the same over n, LayerNorm within 1e-5 of the row's
// largest |y| plus 1e-6 (rows of nearly equal values magnify the variance's rounding), and Max /
// Min byte for byte (-0 against 0 included). c99 with the rig's flags and -O3 -march=native.
import fc from "fast-check";
import { describe, expect } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import type { Rig } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { itOnRigs } from "./helpers.js";

const ROWS = 3;
const MAX_T = 70;
const g = parseGraph(`graph @sums(%x: f32[1,${ROWS},T], %s: f32[T]) -> (%rs, %rss, %rm, %gap, %ln, %mx, %mn) {
  %rs = ReduceSum(%x) {axes=[-1]}
  %rss = ReduceSumSquare(%x) {axes=[-1]}
  %rm = ReduceMean(%x) {axes=[-1]}
  %gap = GlobalAveragePool(%x)
  %ln = LayerNormalization(%x, %s) {axis=-1}
  %mx = ReduceMax(%x) {axes=[1]}
  %mn = ReduceMin(%x) {axes=[1]}
}`);

const value = fc.oneof(
  { weight: 30, arbitrary: fc.float({ min: -100, max: 100, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
);
const drawn = fc.integer({ min: 1, max: MAX_T }).chain((T) => fc.record({
  T: fc.constant(T),
  x: fc.array(value, { minLength: ROWS * T, maxLength: ROWS * T }),
  s: fc.array(fc.float({ min: 0.5, max: 2, noNaN: true }), { minLength: T, maxLength: T }),
}));

const U = 2 ** -24;

/** The first output element outside its bound (see the header), or undefined. */
function firstMiss(x: Float32Array, T: number, got: Record<string, Tensor>, ref: Record<string, Tensor>): string | undefined {
  const absRow = (r: number, sq: boolean) => {
    let a = 0;
    for (let k = 0; k < T; k++) a += sq ? x[r * T + k]! ** 2 : Math.abs(x[r * T + k]!);
    return a;
  };
  for (const o of g.outputs) {
    const c = got[o]!.data as Float32Array, w = ref[o]!.data as Float32Array;
    let lnScale = 0;
    if (o === "ln") for (const v of w) if (Number.isFinite(v)) lnScale = Math.max(lnScale, Math.abs(v));
    for (let i = 0; i < w.length; i++) {
      const a = c[i]!, b = w[i]!;
      let ok: boolean;
      if (o === "mx" || o === "mn") ok = Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
      else if (!Number.isFinite(b)) ok = Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
      else if (o === "ln") ok = Math.abs(a - b) <= 1e-5 * lnScale + 1e-6;
      else {
        const bound = (T + 2) * U * absRow(i, o === "rss") / (o === "rm" || o === "gap" ? T : 1);
        ok = Math.abs(a - b) <= bound + 1e-30;
      }
      if (!ok) return `${o}[${i}] (T=${T}): C ${a}, interpreter ${b}`;
    }
  }
  return undefined;
}

function check(target: string, rig: Rig, flags: readonly string[]): void {
  const model = compileGraph(g, { target: getTarget(target), maxDims: { T: MAX_T } });
  const build = buildModel(model, rig, { extraFlags: flags });
  fc.assert(fc.property(drawn, ({ T, x, s }) => {
    const inputs = { x: makeTensor("f32", [1, ROWS, T], Float32Array.from(x)), s: makeTensor("f32", [T], Float32Array.from(s)) };
    const got = runBuild(model, build, inputs).outputs;
    expect(firstMiss(inputs.x.data as Float32Array, T, got, runGraph(g, inputs))).toBeUndefined();
  }), { numRuns: 60 });
}

describe("vectorizable float reductions in C match the interpreter", () => {
  itOnRigs([["c99", "native"]], (t, rig) => check(t, rig, []), "rig flags");
  itOnRigs([["c99", "native"]], (t, rig) => check(t, rig, ["-O3", "-march=native"]), "-O3 -march=native");
});
