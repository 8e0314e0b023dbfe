// The Winograd transforms (ir/winograd): for any F(m, r) the exact transforms compute the
// correlation exactly, their integer scaling is exact on integers, and the fp32 computation stays
// within the stated error bound.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Rational } from "../../../ir/winograd/rational.js";
import { winogradTransforms, toNumbers, DEFAULT_POINTS } from "../../../ir/winograd/transforms.js";
import { analyzeWinograd, integerWinograd } from "../../../ir/winograd/analysis.js";

const shapes = fc.record({ m: fc.integer({ min: 1, max: 6 }), r: fc.integer({ min: 1, max: 7 }) });

describe("Winograd transforms F(m, r)", () => {
  it("are Lavin and Gray's F(2, 3) on the points 0, 1, -1 (up to the sign of the last tap)", () => {
    const t = winogradTransforms(2, 3);
    expect(t.BT.map((row) => row.map(String))).toEqual([["1", "0", "-1", "0"], ["0", "1", "1", "0"], ["0", "-1", "1", "0"], ["0", "-1", "0", "1"]]);
    expect(t.G.map((row) => row.map(String))).toEqual([["1", "0", "0"], ["1/2", "1/2", "1/2"], ["1/2", "-1/2", "1/2"], ["0", "0", "1"]]);
    expect(t.AT.map((row) => row.map(String))).toEqual([["1", "1", "1", "0"], ["0", "1", "-1", "1"]]);
  });

  it("compute the correlation exactly in rational arithmetic (property)", () => {
    fc.assert(fc.property(shapes, fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 20, maxLength: 20 }), ({ m, r }, raw) => {
      const t = winogradTransforms(m, r);
      const d = raw.slice(0, t.n).map((v) => Rational.of(v)), g = raw.slice(12, 12 + r).map((v) => Rational.of(v, 7));
      const U = t.G.map((row) => row.reduce((s, v, k) => s.add(v.mul(g[k]!)), Rational.ZERO));
      const V = t.BT.map((row) => row.reduce((s, v, i) => s.add(v.mul(d[i]!)), Rational.ZERO));
      for (let i = 0; i < m; i++) {
        const y = t.AT[i]!.reduce((s, a, j) => s.add(a.mul(U[j]!).mul(V[j]!)), Rational.ZERO);
        const want = g.reduce((s, gk, k) => s.add(gk.mul(d[i + k]!)), Rational.ZERO);
        expect(y.equals(want)).toBe(true);
      }
    }));
  });

  it("hold integer input transforms, and their integer scaling is exact on integers (property)", () => {
    fc.assert(fc.property(shapes, fc.array(fc.integer({ min: -255, max: 255 }), { minLength: 20, maxLength: 20 }), ({ m, r }, raw) => {
      const t = winogradTransforms(m, r);
      const iw = integerWinograd(t);
      const d = raw.slice(0, t.n).map(BigInt), g = raw.slice(12, 12 + r).map((v) => BigInt(v >> 1));
      const U = iw.G.map((row) => row.reduce((s, v, k) => s + v * g[k]!, 0n));
      const V = iw.BT.map((row) => row.reduce((s, v, i) => s + v * d[i]!, 0n));
      for (let i = 0; i < m; i++) {
        const Sy = iw.AT[i]!.reduce((s, a, j) => s + a * U[j]! * V[j]!, 0n);
        const want = g.reduce((s, gk, k) => s + gk * d[i + k]!, 0n);
        expect(Sy).toBe(want * iw.S);
      }
    }));
  });

  it("stay within the stated fp32 error bound over C channels (property)", () => {
    const f = Math.fround;
    fc.assert(fc.property(
      fc.record({ m: fc.constantFrom(2, 4, 6), r: fc.integer({ min: 2, max: 7 }), C: fc.integer({ min: 1, max: 64 }), seed: fc.integer() }),
      ({ m, r, C, seed }) => {
        const t = winogradTransforms(m, r);
        const [AT, BT] = [toNumbers(t.AT), toNumbers(t.BT)];
        let s = seed | 0;
        const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 8) / 2 ** 23 - 1;
        const d = Array.from({ length: C }, () => Array.from({ length: t.n }, () => f(rand())));
        const g = Array.from({ length: C }, () => Array.from({ length: r }, () => f(rand())));
        // U rounded once from its exact value; everything else in fp32 steps.
        const U = g.map((gc) => t.G.map((row) => f(row.reduce((acc, v, k) => acc.add(v.mul(Rational.parse(exact(gc[k]!)))), Rational.ZERO).toNumber())));
        const V = d.map((dc) => BT.map((row) => row.reduce((acc, v, i) => f(acc + f(v * dc[i]!)), 0)));
        const M = Array.from({ length: t.n }, (_, j) => U.reduce((acc, uc, c) => f(acc + f(uc[j]! * V[c]![j]!)), 0));
        const bound = analyzeWinograd(m, r).fp32Bound(C);
        for (let i = 0; i < m; i++) {
          const y = AT[i]!.reduce((acc, a, j) => f(acc + f(a * M[j]!)), 0);
          const want = d.reduce((acc, dc, c) => acc + g[c]!.reduce((a2, gk, k) => a2 + gk * dc[i + k]!, 0), 0);
          expect(Math.abs(y - want)).toBeLessThanOrEqual(bound);
        }
      }), { numRuns: 60 });
  });

  it("report growth, scaling and bound: F(2,3) S = 2, F(4,3) S = 120, F(6,3) S = 1440, bounds growing with m", () => {
    const [a2, a4, a6] = [2, 4, 6].map((m) => analyzeWinograd(m, 3));
    expect([a2!.integer.S, a4!.integer.S, a6!.integer.S]).toEqual([2n, 120n, 1440n]);
    expect(a2!.mulsPerOutput).toBe(2);
    expect(a4!.amplification).toBeGreaterThan(a2!.amplification);
    expect(a6!.amplification).toBeGreaterThan(a4!.amplification);
    expect(a4!.fp32Bound(64)).toBeGreaterThan(a2!.fp32Bound(64));
  });

  it("refuse points that repeat, and F(m, r) beyond the points neonc lists", () => {
    expect(() => winogradTransforms(2, 3, [Rational.of(0), Rational.of(0), Rational.of(1)])).toThrow(/distinct/);
    expect(() => winogradTransforms(DEFAULT_POINTS.length, 3)).toThrow(/finite points/);
  });
});

/** A float32 as an exact rational string. */
function exact(v: number): string {
  let den = 1n, x = v;
  while (!Number.isInteger(x)) { x *= 2; den *= 2n; }
  return `${BigInt(x)}/${den}`;
}
