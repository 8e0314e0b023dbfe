// Per-node profiling of generated C: the instrumented model.c marks every node block, builds
// warning-free with the harness's -DNEONC_PROFILE, prints one time per node, and still gives
// the interpreter's numbers.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { formatProfile, parseProfile, profileByOp, profiledModel } from "../../codegen/profile.js";
import { getTarget } from "../../ir/target.js";
import { CEngine } from "../../codegen/engine.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { rigOrSkip } from "./helpers.js";

const SRC = `
graph @g(%x: f32[1,2,T]) -> (%y: f32[1,2,T]) {
  %r = Relu(%x)
  %s = Sigmoid(%r)
  %y = Add(%s, %x)
}`;

describe("profiledModel", () => {
  const g = parseGraph(SRC);
  const m = compileGraph(g, { target: getTarget("c99"), maxDims: { T: 8 } });

  it("puts one mark before each node block and one at the end of the run", () => {
    const p = profiledModel(m, g.nodes.length);
    const c = p.files["model.c"]!;
    const marks = [...c.matchAll(/^ {2}neonc_prof_mark\((\d+)\);$/gm)].map((x) => Number(x[1]));
    expect(marks).toEqual([0, 1, 2, 3]);
    expect(c).toMatch(/^#define _POSIX_C_SOURCE/m);
    expect(c.indexOf("neonc_prof_mark(3)")).toBeLessThan(c.lastIndexOf("return 0;"));
    // Everything else is untouched: the shipped model is not instrumented.
    expect(m.files["model.c"]).not.toMatch(/neonc_prof/);
    expect(p.files["main.c"]).toBe(m.files["main.c"]);
  });

  it("refuses a node count that does not match the blocks", () => {
    expect(() => profiledModel(m, 5)).toThrow(/3 node blocks, the graph 5 nodes/);
  });
});

describe("parseProfile / formatProfile", () => {
  const g = parseGraph(SRC);
  it("names each node and computes shares", () => {
    const t = parseProfile("runs 1\nprofile_runs 4\nprofile_node 0 1.0\nprofile_node 1 3.0\nprofile_node 2 0\n", g);
    expect(t.map((x) => [x.op, x.ms, x.share])).toEqual([["Relu", 1, 0.25], ["Sigmoid", 3, 0.75], ["Add", 0, 0]]);
    expect(profileByOp(t)[0]).toMatchObject({ op: "Sigmoid", count: 1, ms: 3 });
    const text = formatProfile(t);
    expect(text).toMatch(/Sigmoid .* 3\.0000\s+75\.0%/);
    expect(text).toMatch(/total 4\.000 ms per run over 3 nodes/);
  });

  it("fails when a node has no time", () => {
    expect(() => parseProfile("profile_node 0 1.0\n", g)).toThrow(/no profile for some nodes/);
  });
});

describe("a profiled build (c99, native)", () => {
  it("prints a time for every node and matches the interpreter", (ctx) => {
    rigOrSkip(ctx, "c99", "native");
    const g = parseGraph(SRC);
    const x = fromNumbers("f32", [1, 2, 5], [-1, 2, -3, 4, 0.5, -0.25, 1, 2, 3, 4]);
    const engine = CEngine.create(g, { target: "c99", maxDims: { T: 8 }, profile: true });
    const r = engine.run([{ x }], { runs: 3 });
    expect(r.profile).toHaveLength(3);
    for (const t of r.profile!) expect(t.ms).toBeGreaterThanOrEqual(0);
    const want = runGraph(g, { x }).y!.data as Float32Array;
    const got = r.runs[0]!.outputs.y!.data as Float32Array;
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
  });
});
