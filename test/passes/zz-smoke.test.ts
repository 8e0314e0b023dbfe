import { it } from "vitest";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { runPipeline } from "../../passes/run.js";
import "../../passes/index.js";
it("smoke", () => {
  const g = parseGraph(`
graph @g(%x: f32[1,4,T]) -> (%y) {
  %w = const f32[4,4,1] [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]
  %s = const f32[4] [1,2,3,4]
  %b = const f32[4] [0,0,0,1]
  %m = const f32[4] [0,0,0,0]
  %v = const f32[4] [1,1,1,1]
  %one = const f32[] [1]
  %c = Conv(%x, %w)
  %i = Identity(%c)
  %z = BatchNormalization(%i, %s, %b, %m, %v)
  %q = Mul(%z, %one)
  %y = Relu(%q)
}`);
  console.log(printGraph(g));
  const out = runPipeline(g, "-O1", { verifyEach: true, explain: ["all"], timing: true, log: (t) => console.log(t) });
  console.log(printGraph(out));
});
