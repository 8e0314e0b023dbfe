// prune{sparsity, block}: on random Conv (grouped too), MatMul and Gemm (transB) weights, exactly
// floor(sparsity x blocks) blocks end up zero, every kept weight keeps its value bit for bit, no
// zeroed block has more squared norm than a kept one, a second run changes nothing, depthwise
// convs stay dense, and the pruned graph computes what the original computes with those zeros.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseGraph } from "../../../ir/text/index.js";
import type { Graph } from "../../../ir/graph.js";
import { runPipeline } from "../../../passes/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { randomInputs, randomSource, Rng } from "../../../src/testing/index.js";
import { blocksOf, parseBlock, type GemmView } from "../../../passes/prune/blocks.js";

const list = (n: number, seed: number) => { const r = randomSource(seed); return Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 1000) / 1000); };

/** A graph with one weighted op, its weight's GEMM view, and whether the pass must leave it dense (depthwise). */
interface Case { readonly text: string; readonly view: GemmView; readonly depthwise?: boolean }

const arbCase = fc.oneof(
  fc.record({ M: fc.integer({ min: 1, max: 20 }), Cg: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 5 }), group: fc.constantFrom(1, 2), seed: fc.nat() }).map(({ M, Cg, k, group, seed }): Case => {
    const Mt = M * group, Mg = M;
    return {
      text: `graph @g(%x: f32[1,${Cg * group},T]) -> (%y) {\n  %w = const f32[${Mt},${Cg},${k}] [${list(Mt * Cg * k, seed).join(", ")}]\n  %y = Conv(%x, %w) {group=${group}, pads=[${k - 1}, 0]}\n}`,
      view: { groups: group, rows: Mg, cols: Cg * k, index: (g, m, col) => ((g * Mg + m) * Cg + (col % Cg)) * k + Math.floor(col / Cg), inputChannel: (g, col) => g * Cg + (col % Cg) },
      depthwise: Cg === 1 && group > 1,
    };
  }),
  fc.record({ K: fc.integer({ min: 1, max: 12 }), N: fc.integer({ min: 1, max: 20 }), seed: fc.nat() }).map(({ K, N, seed }): Case => ({
    text: `graph @g(%x: f32[T,${K}]) -> (%y) {\n  %w = const f32[${K},${N}] [${list(K * N, seed).join(", ")}]\n  %y = MatMul(%x, %w)\n}`,
    view: { groups: 1, rows: N, cols: K, index: (_, n, k) => k * N + n, inputChannel: (_, k) => k },
  })),
  fc.record({ K: fc.integer({ min: 1, max: 12 }), N: fc.integer({ min: 1, max: 20 }), seed: fc.nat() }).map(({ K, N, seed }): Case => ({
    text: `graph @g(%x: f32[T,${K}]) -> (%y) {\n  %w = const f32[${N},${K}] [${list(K * N, seed).join(", ")}]\n  %y = Gemm(%x, %w) {transB=1}\n}`,
    view: { groups: 1, rows: N, cols: K, index: (_, n, k) => n * K + k, inputChannel: (_, k) => k },
  })),
);

const weightOf = (g: Graph) => Array.from(Object.values(g.constants)[0]!.data as Float32Array);

describe("prune", () => {
  for (const blockText of ["8x1", "4x1", "8x4", "1x1"]) {
    it(`${blockText}: zeroes the least-norm blocks, exactly the fraction asked for, and nothing else (property)`, () => {
      let pruned = 0;
      fc.assert(fc.property(arbCase, fc.double({ min: 0.05, max: 0.95, noNaN: true }), (c, sparsity) => {
        const g = parseGraph(c.text);
        const out = runPipeline(g, `prune{sparsity=${sparsity}, block=${blockText}}`, { log: () => {} });
        const [before, after] = [weightOf(g), weightOf(out)];
        const blocks = blocksOf(c.view, parseBlock(blockText));
        const target = Math.floor(sparsity * blocks.length);
        const zero = blocks.filter((b) => b.every((i) => after[i] === 0));
        const norm = (b: number[]) => b.reduce((s, i) => s + before[i]! ** 2, 0);
        if (target === 0 || c.depthwise) { expect(after).toEqual(before); return; }
        pruned++;
        // Exactly `target` blocks were zeroed (blocks of zeros in the input can only add to them).
        const wasZero = blocks.filter((b) => b.every((i) => before[i] === 0)).length;
        expect(zero.length).toBeGreaterThanOrEqual(target);
        expect(zero.length).toBeLessThanOrEqual(Math.max(target, wasZero) + wasZero);
        // Kept weights are untouched; every changed weight is now zero.
        after.forEach((v, i) => { if (v !== before[i]) expect(v).toBe(0); });
        const kept = blocks.filter((b) => !b.every((i) => after[i] === 0));
        for (const b of kept) for (const i of b) expect(after[i]).toBe(before[i]);
        const maxZeroed = Math.max(0, ...zero.map(norm)), minKept = Math.min(Infinity, ...kept.map(norm));
        expect(maxZeroed).toBeLessThanOrEqual(minKept);
        // Idempotent: a second run declines.
        expect(weightOf(runPipeline(out, `prune{sparsity=${sparsity}, block=${blockText}}`, { log: () => {} }))).toEqual(after);
        // The pruned graph computes what the original does with those zeros.
        const zeroed = parseGraph(c.text.replace(/\[([-0-9., e]+)\]\n/, `[${after.join(", ")}]\n`));
        const inputs = randomInputs(g, new Rng(3), { T: 5 });
        expect(Array.from(runGraph(out, inputs).y!.data as Float32Array)).toEqual(Array.from(runGraph(zeroed, inputs).y!.data as Float32Array));
      }), { numRuns: 60 });
      expect(pruned).toBeGreaterThan(20);
    });
  }

  it("method=wanda: the zeroed blocks have the least norm of |w| times their input channel's norm on the calibration samples (property)", () => {
    let pruned = 0;
    fc.assert(fc.property(arbCase, fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.nat(), (c, sparsity, seed) => {
      const g = parseGraph(c.text);
      // Inputs whose channels differ in scale, so the weighting matters.
      const rng = new Rng(seed);
      const samples = [0, 1].map(() => {
        const x = randomInputs(g, rng, { T: 7 }).x!;
        const shape = x.shape, C = g.nodes[0]!.op === "Conv" ? shape[1]! : shape[shape.length - 1]!;
        const inner = g.nodes[0]!.op === "Conv" ? shape[2]! : 1;
        const d = Float32Array.from(x.data as Float32Array, (v, i) => v * (1 + (Math.floor(i / inner) % C) * 3));
        return { x: { ...x, data: d } };
      });
      const calibrationSamples = Object.assign([...samples], { length: samples.length });
      const out = runPipeline(g, `prune{sparsity=${sparsity}, block=8x1, method=wanda}`, { log: () => {}, host: { calibrationSamples } });
      const [before, after] = [weightOf(g), weightOf(out)];
      const blocks = blocksOf(c.view, parseBlock("8x1"));
      if (Math.floor(sparsity * blocks.length) === 0 || c.depthwise) { expect(after).toEqual(before); return; }
      pruned++;
      // Each input channel's norm over both samples, computed here independently.
      const C = c.view.groups * (g.nodes[0]!.op === "Conv" ? c.view.cols / (g.types[g.nodes[0]!.inputs[1]!]!.shape[2] as number) : c.view.cols);
      const norms = new Float64Array(C);
      for (const s of samples) {
        const d = s.x.data, shape = s.x.shape, inner = g.nodes[0]!.op === "Conv" ? shape[2]! : 1;
        d.forEach((v, i) => { norms[Math.floor(i / inner) % C]! += v * v; });
      }
      const weight = new Float64Array(before.length);
      for (let grp = 0; grp < c.view.groups; grp++) for (let r = 0; r < c.view.rows; r++) for (let col = 0; col < c.view.cols; col++) weight[c.view.index(grp, r, col)] = Math.sqrt(norms[c.view.inputChannel(grp, col)]!);
      const score = (b: number[]) => b.reduce((s, i) => s + (before[i]! * weight[i]!) ** 2, 0);
      const zero = blocks.filter((b) => b.every((i) => after[i] === 0) && !b.every((i) => before[i] === 0));
      const kept = blocks.filter((b) => !b.every((i) => after[i] === 0));
      const maxZeroed = Math.max(0, ...zero.map(score)), minKept = Math.min(Infinity, ...kept.map(score));
      expect(maxZeroed).toBeLessThanOrEqual(minKept * (1 + 1e-9));
    }), { numRuns: 60 });
    expect(pruned).toBeGreaterThan(20);
  });

  it("method=wanda without calibration samples says what it needs", () => {
    const g = parseGraph(`graph @g(%x: f32[T,3]) -> (%y) {\n  %w = const f32[3,8] [${list(24, 2).join(", ")}]\n  %y = MatMul(%x, %w)\n}`);
    expect(() => runPipeline(g, "prune{method=wanda}", { log: () => {} })).toThrow(/calibration/);
  });

  it("leaves depthwise convolutions dense and says why", () => {
    const g = parseGraph(`graph @g(%x: f32[1,4,T]) -> (%y) {\n  %w = const f32[4,1,3] [${list(12, 1).join(", ")}]\n  %y = Conv(%x, %w) {group=4}\n}`);
    const logs: string[] = [];
    const out = runPipeline(g, "prune{sparsity=0.5}", { log: (t) => logs.push(t), explain: ["prune"] });
    expect(weightOf(out)).toEqual(weightOf(g));
    expect(logs.join("")).toMatch(/depthwise/);
  });
});
