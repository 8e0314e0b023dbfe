// Adding an activation is one definition: Softsign (x / (1 + |x|), an ONNX op neonc does not
// ship) is defined here, registered, and then — with no other code — runs in the interpreter,
// has a C kernel that matches it, lowers to an int8 table that is bit exact in C, has a gradient
// that matches finite differences, fuses into a Conv (in C and int8), is drawn by the random
// speech graphs, and exports to ONNX that onnxruntime runs. (Each test file runs in its own
// process, so the op stays local to this file.)
import fc from "fast-check";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import "../../ir/ops/index.js";
import "../../codegen/kernels/index.js";
import { unaryOp } from "../../ir/ops/elementwise/define-unary.js";
import { FLOATS } from "../../ir/ops/elementwise/common.js";
import { registerOp } from "../../ir/registry.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers } from "../../ir/types.js";
import { runPipeline } from "../../passes/index.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { calibrate } from "../../src/analyses/calibration/calibrate.js";
import { exportOnnx } from "../../src/adapters/onnx/export.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { arbSpeechGraph, Rng, seededTensor } from "../../src/testing/index.js";
import { checkGradient, randomF64 } from "../analyses/calibration/synthetic/gradcheck.js";
import { checkBitExact, checkGraph, itOnRigs, rigOrSkip } from "../codegen/helpers.js";

registerOp(unaryOp({
  name: "Softsign",
  doc: "Elementwise x / (1 + |x|).",
  attrs: {},
  dtypes: FLOATS,
  fn: {
    f: (x) => x / (1 + Math.abs(x)),
    df: (x) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
    dfy: (y) => (1 - Math.abs(y)) * (1 - Math.abs(y)),
    c: (x, _a, m) => m.div(x, m.add(m.k(1), m.abs(x))),
    fusion: { params: [] },
  },
}));

const rng = new Rng(3);
const randomF32 = (r: Rng, shape: number[], min: number, max: number) => seededTensor(r, "f32", shape, { values: { min, max } });
const g = parseGraph(`graph @g(%x: f32[1,3,T]) -> (%y, %z) {
  %w = const f32[3,3,1] [0.5, -1, 0.25, 2, 0.75, -0.5, 1, 1, -1]
  %y = Softsign(%x)
  %c = Conv(%x, %w)
  %z = Softsign(%c)
}`);
const sets = [{ x: randomF32(rng, [1, 3, 19], -6, 6) }];

describe("an activation defined outside neonc's op files", () => {
  it("runs in the interpreter", () => {
    const y = runGraph(g, { x: fromNumbers("f32", [1, 3, 1], [-3, 0, 1]) }).y!.data as Float32Array;
    expect(Array.from(y)).toEqual([-0.75, 0, 0.5]);
  });

  itOnRigs([["c99", "native"], ["aarch64", "simde"]], (target, rig) => {
    checkGraph(g, target, rig, sets, { maxDims: { T: 32 }, tol: 1e-6 });
  }, "has a C kernel matching the interpreter on");

  it("fuses into the Conv with kinds=all, in C too", (ctx) => {
    const fused = runPipeline(g, "fuse-activation{kinds=all}");
    expect(fused.nodes.find((n) => n.outputs[0] === "z")!.attrs.activation).toBe("Softsign");
    const rig = rigOrSkip(ctx, "c99", "native");
    checkGraph(fused, "c99", rig, sets, { maxDims: { T: 32 }, tol: 1e-6, ref: g });
  });

  it("lowers to int8 tables, bit exact in C", (ctx) => {
    const fused = runPipeline(g, "fuse-activation{kinds=all}");
    const q = quantizeGraph(fused, calibrate(fused, [sets[0]!, { x: randomF32(rng, [1, 3, 19], -6, 6) }]).ranges);
    expect(q.nodes.filter((n) => n.op === "QLookup")).toHaveLength(2);
    const rig = rigOrSkip(ctx, "c99", "native");
    checkBitExact(q, "c99", rig, sets, { maxDims: { T: 32 } });
  });

  it("has a gradient, alone and fused", () => {
    checkGradient("Softsign", [randomF64(rng, [2, 5], -4, 4)], {});
    checkGradient("Conv", [randomF64(rng, [1, 2, 6]), randomF64(rng, [3, 2, 3])], { activation: "Softsign" });
  });

  it("is drawn by the random speech graphs", () => {
    const gs = fc.sample(arbSpeechGraph({ ops: ["Conv", "Softsign"], minLayers: 2 }), { numRuns: 20, seed: 1 });
    expect(gs.some((x) => x.nodes.some((n) => n.op === "Softsign"))).toBe(true);
  });

  it("exports to ONNX that onnxruntime runs with the same numbers", async () => {
    const fused = runPipeline(g, "fuse-activation{kinds=all}");
    const session = await ort.InferenceSession.create(exportOnnx(fused));
    try {
      const x = sets[0]!.x;
      const out = await session.run({ x: new ort.Tensor("float32", x.data as Float32Array, [...x.shape]) });
      const ref = runGraph(g, sets[0]!);
      for (const o of ["y", "z"]) {
        const a = out[o]!.data as Float32Array, b = ref[o]!.data as Float32Array;
        b.forEach((v, i) => expect(Math.abs(a[i]! - v), `${o}[${i}]`).toBeLessThanOrEqual(1e-6));
      }
    } finally {
      await session.release();
    }
  });
});
