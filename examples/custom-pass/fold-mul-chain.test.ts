// The custom pass of this example, tested through the public API only: run directly, named in
// a pipeline after loading the module as the CLI's --load does, and checked numerically.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findPass, fromNumbers, parseGraph, printGraph, runGraph, runPass, runPipeline, loadPassModule, verifyGraph } from "neonc";
import { foldMulChain } from "./fold-mul-chain.js";

const chain = parseGraph(`graph @g(%x: f32[2,3]) -> (%y) {
  %a = const f32[3] [1, 2, 3]
  %b = const f32[] [0.5]
  %c = const f32[2,1] [4, -1]
  %p = Mul(%x, %a)
  %q = Mul(%b, %p)
  %y = Mul(%q, %c)
}`);

describe("fold-mul-chain (examples/custom-pass)", () => {
  it("folds a chain of three multiplications into one, keeping the numbers", () => {
    const out = runPass(chain, foldMulChain);
    verifyGraph(out);
    expect(out.nodes.map((n) => n.op)).toEqual(["Mul"]);
    expect(printGraph(out)).toContain("%y = Mul(%x, %a.times.b.times.c) : f32[2,3]");
    const x = fromNumbers("f32", [2, 3], [1, -2, 3, 0.25, 5, -6]);
    expect([...runGraph(out, { x }).y!.data]).toEqual([...runGraph(chain, { x }).y!.data]);
  });

  it("leaves a Mul of two runtime values alone", () => {
    const g = parseGraph(`graph @g(%x: f32[2], %z: f32[2]) -> (%y) {
  %a = const f32[2] [2, 3]
  %p = Mul(%x, %z)
  %y = Mul(%p, %a)
}`);
    const lines: string[] = [];
    expect(runPass(g, foldMulChain, {}, { explain: (e) => lines.push(`${e.node}: ${e.message}`) })).toBe(g);
    expect(lines).toEqual(["y: the inner Mul p has no constant operand"]);
  });

  it("loads from its file and runs in a pipeline, as `--load` does", async () => {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "fold-mul-chain.ts");
    await loadPassModule(file);
    const out = runPipeline(chain, "fold-mul-chain,canonicalize", { verifyEach: true, log: () => {} });
    expect(findPass("fold-mul-chain")).toBeDefined();
    expect(out.nodes).toHaveLength(1);
  });
});
