// The static arena plan: packing rules, the lower bound, views and in-place reuse on a graph,
// and the property that no two buffers live at the same time overlap in the arena.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alignUp, liveLowerBound, packBuffers, planGraph, maxNumel, type BufferRequest } from "../../codegen/memory-plan.js";
import { parseDim } from "../../ir/dim.js";
import { parseGraph } from "../../ir/text/index.js";
import { findKernel } from "../../codegen/kernel.js";
import "../../codegen/kernels/index.js";
import "../../ir/ops/index.js";

describe("packBuffers", () => {
  it("reuses the space of a dead buffer and aligns to 16 bytes", () => {
    const p = packBuffers([
      { id: "a", bytes: 100, start: 0, end: 1 },
      { id: "b", bytes: 60, start: 1, end: 2 },
      { id: "c", bytes: 100, start: 2, end: 3 },
    ]);
    expect(p.placements.get("a")!.offset).toBe(0);
    expect(p.placements.get("b")!.offset).toBe(112);
    expect(p.placements.get("c")!.offset).toBe(0);
    expect(p.arenaBytes).toBe(176);
    expect(p.lowerBound).toBe(176);
  });

  it("puts a buffer in the smallest gap that fits (best fit)", () => {
    const p = packBuffers([
      { id: "big", bytes: 320, start: 0, end: 0 },
      { id: "x", bytes: 160, start: 1, end: 3 },
      { id: "y", bytes: 64, start: 1, end: 3 },
      { id: "z", bytes: 48, start: 1, end: 1 },
      { id: "w", bytes: 48, start: 3, end: 3 },
    ]);
    // z and w never overlap each other, and both fit in the 96-byte hole after x and y.
    expect(p.arenaBytes).toBe(320);
    expect(p.placements.get("w")!.offset).toBe(p.placements.get("z")!.offset);
  });

  const arbRequests = fc.array(
    fc.record({ bytes: fc.integer({ min: 1, max: 5000 }), start: fc.integer({ min: 0, max: 20 }), len: fc.integer({ min: 0, max: 8 }) }),
    { minLength: 1, maxLength: 40 },
  ).map((rs) => rs.map((r, i): BufferRequest => ({ id: `b${i}`, bytes: r.bytes, start: r.start, end: r.start + r.len })));

  it("never overlaps two buffers that are live at the same step, and stays at or above the lower bound", () => {
    fc.assert(fc.property(arbRequests, (reqs) => {
      const p = packBuffers(reqs);
      const placed = [...p.placements.values()];
      for (const a of placed) {
        expect(a.offset % 16).toBe(0);
        expect(a.offset + a.bytes).toBeLessThanOrEqual(p.arenaBytes);
        for (const b of placed) {
          if (a === b || a.end < b.start || b.end < a.start) continue;
          const disjoint = a.offset + alignUp(a.bytes) <= b.offset || b.offset + alignUp(b.bytes) <= a.offset;
          expect(disjoint, `${a.id} and ${b.id} overlap`).toBe(true);
        }
      }
      expect(p.arenaBytes).toBeGreaterThanOrEqual(liveLowerBound(reqs));
    }), { numRuns: 300 });
  });
});

describe("maxNumel", () => {
  it("takes the largest size over every length up to the maximum", () => {
    expect(maxNumel([1, 4, parseDim("floor((T+1)/2)")], { T: 9 })).toBe(20);
    expect(maxNumel([2, 3], {})).toBe(6);
    expect(() => maxNumel([parseDim("T")], {})).toThrow(/--max-dim T=N/);
  });
});

describe("planGraph", () => {
  const g = parseGraph(`
graph @g(%x: f32[1,4,T]) -> (%y) {
  %w = const f32[4,4,1] [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]
  %a = Conv(%x, %w) {kernel_shape=[1]}
  %r = Relu(%a)
  %v = Reshape(%r) {shape=[4,T]}
  %s = Relu(%v)
  %y = Relu(%s)
}`);
  const plan = planGraph(g, {
    maxDims: { T: 10 },
    isView: (n) => findKernel(n.op)?.view === true,
    inPlace: (n) => findKernel(n.op)?.inPlace,
  });

  it("gives views and in-place outputs their source's buffer", () => {
    expect(plan.roots.get("v")).toBe("a");
    expect(plan.roots.get("r")).toBe("a");
    expect(plan.inPlace.has("r")).toBe(true);
    expect(plan.slots.get("s")).toEqual(plan.slots.get("a"));
    expect(plan.slots.get("y")).toEqual({ kind: "output", name: "y" });
    expect(plan.slots.get("x")).toEqual({ kind: "input", name: "x" });
    expect(plan.arenaBytes).toBe(160);
    expect(plan.lowerBound).toBe(160);
  });
});
