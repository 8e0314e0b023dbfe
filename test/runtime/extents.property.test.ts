// Lengths computed at run time (extents, ir/dim.ts) in the interpreter, on random lengths vectors:
// a padding mask from Range(0, ReduceMax(lengths)) against a direct reference, the bound checked
// with one sentence, and an extent that meets T unequal to it refused with one sentence; and the
// dim algebra of extents (text round trip, upper bounds, symbols).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import "../../ir/ops/index.js";
import { dimSymbols, dimToString, evalDim, extent, parseDim, sym, upperBoundDim, addDim, mulDim, floorDivDim, type Dim } from "../../ir/dim.js";
import { graphFromText, printGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";

const MASK = `
graph @g(%lengths: i64[N], %x: f32[N,T]) -> (%sum, %masked) {
  %zero = const i64[] [0]
  %one = const i64[] [1]
  %fzero = const f32[] [0]
  %m = ReduceMax(%lengths) {keepdims=0}
  %r = Range(%zero, %m, %one) {size=[len1<=T]}
  %u = Unsqueeze(%lengths) {axes=[1]}
  %mask = Less(%r, %u)
  %f = Cast(%mask) {to="f32"}
  %sum = ReduceSum(%f) {axes=[1], keepdims=0}
  %masked = Where(%mask, %x, %fzero)
}`;

/** The mask graph without the output that meets T: any lengths up to T run. */
const SUM_ONLY = MASK.replace("-> (%sum, %masked)", "-> (%sum)").replace(/\n  %masked = .*/, "");

function inputs(lengths: number[], T: number): Record<string, Tensor> {
  const x = fromNumbers("f32", [lengths.length, T], Array.from({ length: lengths.length * T }, (_, i) => Math.sin(i + 1)));
  return { lengths: fromNumbers("i64", [lengths.length], lengths), x };
}

const arbCase = fc.integer({ min: 1, max: 12 }).chain((T) =>
  fc.record({ T: fc.constant(T), lengths: fc.array(fc.integer({ min: 0, max: T }), { minLength: 1, maxLength: 4 }) }));

describe("extents in the interpreter (property)", () => {
  const mask = graphFromText(MASK);
  const sumOnly = graphFromText(SUM_ONLY);

  it("the mask sums are the lengths, for any lengths up to T", () => {
    fc.assert(fc.property(arbCase, ({ T, lengths }) => {
      const out = runGraph(sumOnly, inputs(lengths, T));
      expect(Array.from(out["sum"]!.data as Float32Array)).toEqual(lengths);
    }), { numRuns: 200 });
  });

  it("the masked input is x on each row's first lengths[n] frames and 0 after, when the longest is T", () => {
    fc.assert(fc.property(arbCase, ({ T, lengths }) => {
      const ls = [...lengths];
      ls[0] = T;
      const ins = inputs(ls, T);
      const got = runGraph(mask, ins)["masked"]!;
      const x = ins["x"]!.data as Float32Array;
      const want = Array.from(x, (v, i) => (i % T < ls[Math.floor(i / T)]! ? v : 0));
      expect(got.shape).toEqual([ls.length, T]);
      expect(Array.from(got.data as Float32Array)).toEqual(want);
    }), { numRuns: 200 });
  });

  it("a longest length above T is refused by the Range with its bound", () => {
    fc.assert(fc.property(arbCase, fc.integer({ min: 1, max: 5 }), ({ T, lengths }, over) => {
      const ls = [...lengths, T + over];
      expect(() => runGraph(sumOnly, inputs(ls, T))).toThrow(`node r (Range) computed a length of ${T + over} (len1), above its bound T = ${T}`);
    }), { numRuns: 50 });
  });

  it("a longest length other than T (and 1) meeting T is refused in one sentence", () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 2, max: 11 }), (T, L) => {
      fc.pre(L < T);
      expect(() => runGraph(mask, inputs([L, 1], T))).toThrow(/node masked \(Where\) failed: .*do not broadcast/);
    }), { numRuns: 30 });
  });
});

describe("extent dims (property)", () => {
  const arbBound: fc.Arbitrary<Dim> = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(sym("T")), fc.integer({ min: 1, max: 4 }).map((k) => addDim(mulDim(sym("T"), k), 3)));
  const arbCase = fc.tuple(arbBound, fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 4 }))
    .map(([b, k, c, d]) => ({ bound: b, dim: floorDivDim(addDim(mulDim(extent("len1", b), k), addDim(sym("T"), c)), d) }));
  const arbDim = arbCase.map((x) => x.dim);

  it("print and parse agree, and the symbols of an extent are its bound's", () => {
    fc.assert(fc.property(arbDim, (d) => {
      expect(dimToString(parseDim(dimToString(d)))).toBe(dimToString(d));
      expect([...dimSymbols(d)].every((s) => s === "T")).toBe(true);
    }), { numRuns: 300 });
  });

  it("upperBoundDim bounds the dim for every extent value up to its bound", () => {
    fc.assert(fc.property(arbCase, fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), ({ bound: b, dim: d }, T, frac) => {
      const ub = upperBoundDim(d);
      expect(dimToString(ub)).not.toContain("len1");
      const L = Math.floor(frac * evalDim(b, { T }));
      expect(evalDim(d, { T, len1: L })).toBeLessThanOrEqual(evalDim(ub, { T }));
    }), { numRuns: 300 });
  });
});
