// C for a run-time If (codegen/emit-model.ts emitIf, codegen/emit-if.ts): both branches are
// emitted, each node in its own block, in one arena region planned for the larger branch; the
// condition picks one at run time. Checked against the interpreter for both values of the
// condition on c99 and on aarch64 through SIMDe: the VAD whose sample-rate input picks a front
// end, the head whose verifier runs above a score (both after -O1), and a text-IR graph with a
// nested If and branch outputs that are a captured value and a constant (copied, not computed).
import { describe, expect, it } from "vitest";
import { importOnnxBytes } from "../../src/adapters/onnx/index.js";
import { runPipeline } from "../../passes/run.js";
import { parseGraph } from "../../ir/text/index.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { vadFrontEnds, vadInputs, verifierHead, verifierInputs } from "../helpers/if-models.js";
import { checkGraph, itOnRigs } from "./helpers.js";

const RIGS = [["c99", "native"], ["aarch64", "simde"]] as const;
const O1 = (bytes: Uint8Array) => runPipeline(importOnnxBytes(bytes, "model.onnx"), "-O1", { log: () => {} });

const nested = parseGraph(`graph @nested(%x: f32[2,3], %a: bool[], %b: bool[]) -> (%y, %z) {
  %y, %z = If(%a, %x, %b) {else_branch=graph @else_branch(%x: f32[2,3], %b: bool[]) -> (%x, %k) {
      %k = const f32[2,3] [1, 2, 3, 4, 5, 6]
    }, then_branch=graph @then_branch(%x: f32[2,3], %b: bool[]) -> (%t, %u) {
      %t = Tanh(%x) : f32[2,3]
      %u = If(%b, %t) {else_branch=graph @else_branch(%t: f32[2,3]) -> (%n) {
          %n = Neg(%t) : f32[2,3]
        }, then_branch=graph @then_branch(%t: f32[2,3]) -> (%t) {
        }} : f32[2,3]
    }} : f32[2,3], f32[2,3]
}`);

describe("If in C", () => {
  const vad = vadInputs();
  itOnRigs(RIGS, (target, rig) => {
    checkGraph(O1(vadFrontEnds()), target, rig, [vad.at16k, vad.at8k], { tol: 1e-5, label: "VAD" });
  }, "the VAD's two front ends");

  const ver = verifierInputs();
  itOnRigs(RIGS, (target, rig) => {
    checkGraph(O1(verifierHead()), target, rig, [ver.above, ver.below], { tol: 1e-5, label: "verifier" });
  }, "the verifier above and below the threshold");

  const x = fromNumbers("f32", [2, 3], [-1, -0.5, 0, 0.5, 1, 2]);
  const flag = (v: boolean): Tensor => fromNumbers("bool", [], [v ? 1 : 0]);
  const sets = [[true, true], [true, false], [false, true], [false, false]].map(([a, b]) => ({ x, a: flag(a!), b: flag(b!) }));
  itOnRigs(RIGS, (target, rig) => {
    checkGraph(nested, target, rig, sets, { tol: 1e-6, label: "nested" });
  }, "a nested If, and outputs copied from a captured value and a constant");

  it("plans one arena region for the two branches, as large as the larger", () => {
    const m = compileGraph(O1(vadFrontEnds()), { target: getTarget("c99") });
    const sizes = [...m.files["model.c"]!.matchAll(/\/\* (then|else)_branch: \d+ nodes?, (\d+) arena bytes \*\//g)].map((r) => Number(r[2]));
    expect(sizes).toHaveLength(2);
    // Live beside the branch region while the If runs: its output (f32[1,8,64]) and its
    // condition (one byte, 16 aligned); nothing else, and not both branches side by side.
    const beside = 8 * 64 * 4 + 16;
    expect(m.arenaBytes).toBe(Math.max(...sizes) + beside);
  });
});
