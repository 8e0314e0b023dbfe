// checkEquivalent: it accepts identical graphs, rejects a perturbed constant with a report that
// shows the graph and the inputs, distinguishes exact from tolerant comparison, and reports
// changed interfaces and failing runs.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { makeGraph, type Graph } from "../../ir/graph.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, makeTensor } from "../../ir/types.js";
import { verifyGraph } from "../../ir/verify.js";
import { arbSpeechGraph, assertEquivalent, checkEquivalent, compareTensors, EquivalenceError } from "../../src/testing/index.js";

const ir = (text: string): Graph => {
  const g = parseGraph(text);
  verifyGraph(g);
  return g;
};

const CONV = ir(`
graph @g(%x: f32[1,2,T]) -> (%y) {
  %w = const f32[3,2,3] [0.5, -0.25, 1, 0.75, 0.125, -1, 0.25, 0.5, -0.5, 1, 0.25, -0.75, 0.5, 0.5, 0.25, -0.125, 1, 0.5]
  %c = Conv(%x, %w) {pads=[1, 1]}
  %y = Relu(%c)
}`);

/** The same graph with one weight changed by `delta`. */
function perturbed(g: Graph, name: string, index: number, delta: number): Graph {
  const t = g.constants[name]!;
  const data = Float32Array.from(t.data as Float32Array);
  data[index] = data[index]! + delta;
  return makeGraph({ ...g, constants: { ...g.constants, [name]: makeTensor(t.dtype, t.shape, data) } });
}

describe("checkEquivalent", () => {
  it("accepts a graph compared with itself, bit for bit", () => {
    const r = checkEquivalent(CONV, CONV, { tolerance: "exact" });
    expect(r).toMatchObject({ ok: true, casesRun: 3, problems: [], message: "" });
  });

  it("accepts random speech graphs compared with themselves (property)", () => {
    fc.assert(fc.property(arbSpeechGraph(), fc.nat(), (g, seed) => checkEquivalent(g, g, { tolerance: "exact", inputs: 1, seed }).ok), { numRuns: 40, seed: 11 });
  });

  it("rejects a perturbed constant and shows the graphs and the inputs", () => {
    const bad = perturbed(CONV, "w", 4, 0.01);
    const r = checkEquivalent(CONV, bad, { tolerance: { relToMax: 1e-6 }, dims: { T: 3 } });
    expect(r.ok).toBe(false);
    expect(r.casesRun).toBe(1);
    expect(r.failingCase?.dims).toEqual({ T: 3 });
    expect(r.problems[0]).toMatch(/^output %y: \d+ of 9 elements differ beyond the tolerance \(relToMax=0.000001\); worst at \[0,\d,\d\]/);
    expect(r.message).toContain("the graphs differ on input set 1 (seed 1, T=3");
    expect(r.message).toContain("graph before:");
    expect(r.message).toContain("graph after:");
    expect(r.message).toContain("%c = Conv(%x, %w) {pads=[1, 1]}");
    expect(r.message).toMatch(/inputs:\n {2}%x: f32\[1,2,3\] = \[\[\[-?\d/);
    expect(() => assertEquivalent(CONV, bad, { tolerance: { relToMax: 1e-6 } })).toThrow(EquivalenceError);
    // A loose enough tolerance lets the same change through.
    expect(checkEquivalent(CONV, bad, { tolerance: { relToMax: 0.05 } }).ok).toBe(true);
  });

  it("exact mode catches a last-bit difference that a tolerance accepts", () => {
    const div = ir(`
graph @g(%x: f32[1,4,T]) -> (%y) {
  %ten = const f32[1] [10]
  %y = Div(%x, %ten)
}`);
    const mul = ir(`
graph @g(%x: f32[1,4,T]) -> (%y) {
  %tenth = const f32[1] [0.1]
  %y = Mul(%x, %tenth)
}`);
    const exact = checkEquivalent(div, mul, { tolerance: "exact", dims: { T: 40 } });
    expect(exact.ok).toBe(false);
    expect(exact.problems[0]).toMatch(/elements differ \(exact comparison\); first at \[0,\d+,\d+\]: expected .*, got /);
    expect(checkEquivalent(div, mul, { tolerance: { rtol: 1e-6 } }).ok).toBe(true);
    expect(checkEquivalent(div, mul, { tolerance: { relToMax: 1e-6 } }).ok).toBe(true);
    expect(checkEquivalent(div, mul, { tolerance: { atol: 1e-6 } }).ok).toBe(true);
  });

  it("reports a renamed output and a changed input type", () => {
    const renamed = makeGraph({ ...CONV, outputs: ["c"] });
    expect(checkEquivalent(CONV, renamed, { tolerance: "exact" }).problems).toEqual(["the outputs changed from (%y) to (%c)"]);
    const retyped = makeGraph({ ...CONV, types: { ...CONV.types, x: { dtype: "f32", shape: [1, 2, 8] } } });
    expect(checkEquivalent(CONV, retyped, { tolerance: "exact" }).problems).toEqual(["input %x changed type from f32[1,2,T] to f32[1,2,8]"]);
  });

  it("reports a transformed graph that fails to run", () => {
    const broken = makeGraph({ ...CONV, constants: { ...CONV.constants, w: fromNumbers("f32", [3, 1, 3], new Array(9).fill(1)) } });
    const r = checkEquivalent(CONV, broken, { tolerance: "exact" });
    expect(r.problems[0]).toMatch(/^the transformed graph fails on inputs the original accepts: node c \(Conv\) failed/);
  });

  it("draws T among the values the graph accepts, from the seed", () => {
    const valid = ir(`
graph @g(%x: f32[1,1,T]) -> (%y) {
  %w = const f32[1,1,5] [1, 1, 1, 1, 1]
  %y = Conv(%x, %w)
}`);
    // Without padding the output has T-4 steps: T must be at least 5.
    const seen = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const bad = perturbed(valid, "w", 0, 1);
      const r = checkEquivalent(valid, bad, { tolerance: "exact", seed, inputs: 1 });
      seen.add(r.failingCase!.dims.T!);
      expect(r).toEqual(checkEquivalent(valid, bad, { tolerance: "exact", seed, inputs: 1 }));
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...seen)).toBeLessThanOrEqual(40);
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe("compareTensors", () => {
  const f32 = (...v: number[]) => fromNumbers("f32", [v.length], v);

  it("exact: -0 differs from 0, NaN meets NaN", () => {
    expect(compareTensors(f32(0), f32(-0), "exact")).toMatch(/expected 0, got -0/);
    expect(compareTensors(f32(NaN, 1), f32(NaN, 1), "exact")).toBeUndefined();
    expect(compareTensors(f32(1, 2), f32(1, 2, 3), "exact")).toBe("shape is [3], expected [2]");
    expect(compareTensors(f32(1), fromNumbers("f64", [1], [1]), "exact")).toBe("dtype is f64, expected f32");
  });

  it("tolerance: relToMax scales with the largest reference value, NaN and inf must match", () => {
    expect(compareTensors(f32(100, 1), f32(100, 1.05), { relToMax: 1e-3 })).toBeUndefined();
    expect(compareTensors(f32(100, 1), f32(100, 1.5), { relToMax: 1e-3 })).toMatch(/1 of 2 elements differ.*worst at \[1\]: expected 1, got 1.5/);
    expect(compareTensors(f32(1, 2), f32(1.5, 2), { atol: 0.5 })).toBeUndefined();
    expect(compareTensors(f32(1, 2), f32(1.1, 2.1), { rtol: 0.06 })).toMatch(/worst at \[0\]/);
    expect(compareTensors(f32(0), f32(-0), { atol: 0 })).toBeUndefined();
    expect(compareTensors(f32(NaN), f32(NaN), { atol: 0 })).toBeUndefined();
    expect(compareTensors(f32(NaN), f32(1), { atol: 1e9 })).toMatch(/expected NaN, got 1/);
    expect(compareTensors(f32(Infinity), f32(Infinity), { atol: 0 })).toBeUndefined();
    expect(compareTensors(f32(Infinity), f32(3e38), { relToMax: 1 })).toMatch(/differ/);
  });

  it("compares integers exactly or within atol", () => {
    const i8 = (...v: number[]) => fromNumbers("i8", [v.length], v);
    expect(compareTensors(i8(-128, 127), i8(-128, 126), "exact")).toMatch(/first at \[1\]: expected 127, got 126/);
    expect(compareTensors(i8(-128, 127), i8(-128, 126), { atol: 1 })).toBeUndefined();
  });
});
