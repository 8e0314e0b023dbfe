// runPipeline's instruments (--verify-each, --print-ir-after, --timing, --explain), presets to a
// fixed point, and the CLI entry point runPipelineFromOptions.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../ir/errors.js";
import { makeGraph } from "../../ir/graph.js";
import { definePass } from "../../passes/pass.js";
import { registerPass, registerPreset } from "../../passes/registry.js";
import { runPipeline, runPipelineFromOptions } from "../../passes/run.js";
import { loadPassModule } from "../../src/adapters/pass-modules.js";
import { UsageError } from "../../ir/errors.js";
import { repoRoot } from "../helpers/shared.js";
import { ir, run } from "./helpers.js";

const g = ir(`graph @g(%x: f32[2]) -> (%y) {
  %a = Identity(%x)
  %y = Relu(%a)
}`);

/** A broken pass: drops every node, leaving the graph output undefined. */
registerPass(definePass({ name: "test-break", doc: "drops all nodes", run: (graph) => makeGraph({ ...graph, nodes: [] }) }));
/** A pass that never settles: renames the graph every time (a new graph object each run). */
let flips = 0;
registerPass(definePass({ name: "test-flip", doc: "alternates the graph name", run: (graph) => makeGraph({ ...graph, name: `g${flips++ % 2}` }) }));
registerPreset({ name: "Otest", doc: "never converges", pipeline: "test-flip", maxRounds: 3 });

describe("runPipeline", () => {
  it("verifies after each pass and names the pass that broke the graph", () => {
    expect(() => run(g, "canonicalize,test-break")).toThrow(/^pass test-break produced an invalid graph:\n {2}- graph output %y is not/);
    // Without --verify-each the broken graph goes through.
    expect(runPipeline(g, "test-break", { log: () => {} }).nodes).toEqual([]);
  });

  it("prints the IR after the named passes, or after all", () => {
    const logs: string[] = [];
    run(g, "canonicalize,fuse-activation", { printIrAfter: ["canonicalize"], log: (t) => logs.push(t) });
    expect(logs).toEqual(["// ----- IR after canonicalize -----\ngraph @g(%x: f32[2]) -> (%y) {\n  %y = Relu(%x) : f32[2]\n}\n"]);
    const all: string[] = [];
    run(g, "canonicalize,fuse-activation", { printIrAfterAll: true, log: (t) => all.push(t) });
    expect(all.map((t) => t.split("\n")[0])).toEqual(["// ----- IR after canonicalize -----", "// ----- IR after fuse-activation -----"]);
  });

  it("prints timings per pass run, preset rounds included", () => {
    const logs: string[] = [];
    run(g, "-O1", { timing: true, log: (t) => logs.push(t) });
    const lines = logs.join("").trim().split("\n");
    expect(lines[0]).toBe("// pass timing (ms)");
    expect(lines[1]).toMatch(/^canonicalize \(-O1 round 1\) +\d+\.\d\d$/);
    expect(lines).toContainEqual(expect.stringMatching(/^fuse-activation \(-O1 round 2\) +\d+\.\d\d$/));
    expect(lines.at(-1)).toMatch(/^total +\d+\.\d\d$/);
    // Round 2 changed nothing, so there is no round 3.
    expect(lines.some((l) => l.includes("round 3"))).toBe(false);
  });

  it("stops a preset after its round bound and says so", () => {
    const logs: string[] = [];
    run(g, "-Otest", { log: (t) => logs.push(t) });
    expect(logs).toEqual(["-Otest: no fixed point after 3 rounds; continuing with the last graph\n"]);
  });

  it("wraps a pass's crash with the pass name", () => {
    registerPass(definePass({ name: "test-crash", doc: "throws", run: () => { throw new Error("boom"); } }));
    expect(() => run(g, "test-crash")).toThrow("pass test-crash failed: boom");
  });

  it("keeps a pass's ModelError one (the model or data is at fault, not neonc), naming the pass", () => {
    registerPass(definePass({ name: "test-refuse", doc: "refuses", run: () => { throw new ModelError("no samples"); } }));
    expect(() => run(g, "test-refuse")).toThrow(ModelError);
    expect(() => run(g, "test-refuse")).toThrow("test-refuse: no samples");
  });
});

describe("runPipelineFromOptions", () => {
  it("runs the --passes pipeline with the instruments", async () => {
    const logs: string[] = [];
    const out = await runPipelineFromOptions(g, { passes: "canonicalize", explain: ["canonicalize"], log: (t) => logs.push(t) });
    expect(out.nodes.map((n) => n.op)).toEqual(["Relu"]);
    expect(logs.join("")).toContain("Identity a: fired remove-identity: replaced by %x");
  });

  it("rejects unknown pass names in --print-ir-after and --explain with a suggestion", async () => {
    await expect(runPipelineFromOptions(g, { passes: "canonicalize", printIrAfter: ["canonicalise"] })).rejects.toThrow(
      new UsageError("--print-ir-after: unknown pass 'canonicalise'; did you mean 'canonicalize'?"));
    await expect(runPipelineFromOptions(g, { passes: "", explain: ["fold-batchnrom"] })).rejects.toThrow("--explain: unknown pass 'fold-batchnrom'; did you mean 'fold-batchnorm'?");
    await expect(runPipelineFromOptions(g, { passes: "fold-batchnrom" })).rejects.toThrow("unknown pass 'fold-batchnrom'; did you mean 'fold-batchnorm'?");
  });

  it("reports modules that cannot be loaded or define no pass", async () => {
    await expect(loadPassModule("/nonexistent/my-pass.js")).rejects.toThrow(/^--load \/nonexistent\/my-pass\.js: cannot load the module/);
    await expect(loadPassModule(path.join(repoRoot, "passes/suggest.ts"))).rejects.toThrow(/the module defines no pass/);
  });
});
