// Slice, ConstantOfShape and Expand whose length is computed at run time (max(lengths): an extent
// len1<=T, ir/dim.ts) with no Range before them: the importer binds the length with a Range over
// the value holding it, the bound comes from the Slice of [N,T] (x[:, :max(lengths)]), the
// interpreter matches a direct reference on random lengths vectors, a length above T is one
// sentence, the C matches the interpreter on c99 and aarch64 (and returns 6 for a length over T), and the export imports back and
// runs in onnxruntime.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildModel } from "../../helpers/onnx-builder.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { printGraph } from "../../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { checkGraph, itOnRigs, rigOrSkip } from "../../codegen/helpers.js";
import { compileGraph } from "../../../codegen/emit-model.js";
import { buildModel as buildC, runBuild } from "../../../codegen/build.js";
import { getTarget } from "../../../ir/target.js";
import { runOrt } from "../../helpers/ort.js";
import { runPipeline } from "../../../passes/index.js";
import type { Graph } from "../../../ir/graph.js";

const canonicalize = (g: Graph): Graph => runPipeline(g, "canonicalize", { verifyEach: true, log: () => {} });

/**
 * y = x[:, :L] (L = max(lengths)); c = ConstantOfShape([N, L]) of 1; e = Expand(2, [N, L]);
 * s = sum over the L frames of (y + c) * e.
 */
const MODEL = buildModel({
  opset: 17,
  inputs: [{ name: "x", shape: ["N", "T"] }, { name: "lengths", dtype: "i64", shape: ["N"] }],
  outputs: [{ name: "s", shape: ["N"] }],
  initializers: {
    zero: fromNumbers("i64", [1], [0]),
    axis1: fromNumbers("i64", [1], [1]),
    first: fromNumbers("i64", [1], [0]),
    two: fromNumbers("f32", [1, 1], [2]),
  },
  nodes: [
    { op: "ReduceMax", inputs: ["lengths"], outputs: ["m"], attrs: { keepdims: 1 } },
    { op: "Slice", inputs: ["x", "zero", "m", "axis1"], outputs: ["y"] },
    { op: "Shape", inputs: ["x"], outputs: ["xs"] },
    { op: "Gather", inputs: ["xs", "first"], outputs: ["n"], attrs: { axis: 0 } },
    { op: "Concat", inputs: ["n", "m"], outputs: ["nm"], attrs: { axis: 0 } },
    { op: "ConstantOfShape", inputs: ["nm"], outputs: ["c"], attrs: { value: fromNumbers("f32", [1], [1]) } },
    { op: "Expand", inputs: ["two", "nm"], outputs: ["e"] },
    { op: "Add", inputs: ["y", "c"], outputs: ["yc"] },
    { op: "Mul", inputs: ["yc", "e"], outputs: ["p"] },
    { op: "ReduceSum", inputs: ["p", "axis1"], outputs: ["s"], attrs: { keepdims: 0 } },
  ],
});

function inputs(lengths: number[], T: number): Record<string, Tensor> {
  const x = fromNumbers("f32", [lengths.length, T], Array.from({ length: lengths.length * T }, (_, i) => Math.sin(i + 1)));
  return { x, lengths: fromNumbers("i64", [lengths.length], lengths) };
}

function reference(lengths: number[], T: number): number[] {
  const L = Math.max(...lengths);
  return lengths.map((_, n) => {
    let s = 0;
    for (let t = 0; t < L; t++) s += (Math.fround(Math.sin(n * T + t + 1)) + 1) * 2;
    return s;
  });
}

const arbCase = fc.integer({ min: 1, max: 12 }).chain((T) =>
  fc.record({ T: fc.constant(T), lengths: fc.array(fc.integer({ min: 0, max: T }), { minLength: 1, maxLength: 4 }) }));

describe("Slice, ConstantOfShape and Expand over a length computed at run time", () => {
  const g = importOnnxBytes(MODEL, "extent-ops.onnx");

  it("imports with the extent bound by T and bound by a Range before the Slice", () => {
    const text = printGraph(g);
    expect(text).toMatch(/Range\(.*\) \{size=\[len1<=T\]\}/);
    expect(text).toContain("f32[N,len1<=T]");
    const order = g.nodes.map((n) => n.op);
    expect(order.indexOf("Range")).toBeLessThan(order.indexOf("Slice"));
  });

  it("the interpreter matches a direct reference on random lengths (property)", () => {
    fc.assert(fc.property(arbCase, ({ T, lengths }) => {
      const got = Array.from(runGraph(g, inputs(lengths, T))["s"]!.data as Float32Array);
      reference(lengths, T).forEach((v, k) => expect(got[k]!).toBeCloseTo(v, 4));
    }), { numRuns: 100 });
  });

  it("a longest length above T is one sentence naming the bound", () => {
    expect(() => runGraph(g, inputs([3, 9], 6))).toThrow(/computed a length of 9 \(len1\), above its bound T = 6/);
  });

  it("canonicalize keeps the Range that binds the length, and the export imports back to the same types", () => {
    const c = canonicalize(g);
    expect(c.nodes.some((n) => n.op === "Range")).toBe(true);
    const back = importOnnxBytes(exportOnnx(c), "exported.onnx");
    expect(printGraph(back)).toContain("f32[N,len1<=T]");
    const ins = inputs([4, 2, 5], 7);
    expect(Array.from(runGraph(back, ins)["s"]!.data as Float32Array)).toEqual(Array.from(runGraph(g, ins)["s"]!.data as Float32Array));
  });

  it("onnxruntime agrees with the interpreter on the model and on the export of its canonical graph", async () => {
    const exported = exportOnnx(canonicalize(g));
    for (const [ls, T] of [[[3, 7, 1], 9], [[5], 5], [[0, 2], 4]] as const) {
      const ins = inputs([...ls], T);
      const want = Array.from(runGraph(g, ins)["s"]!.data as Float32Array);
      for (const bytes of [MODEL, exported]) {
        const got = Array.from((await runOrt(bytes, ins))["s"]!);
        got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 5));
      }
    }
  });

  itOnRigs([["c99", "native"], ["aarch64", "simde"]], (target, rig) => {
    const sets = [[3, 7, 1], [0, 2], [12, 12], [5]].map((ls) => inputs(ls, 12)).concat([inputs([1, 4], 5), inputs([0], 1)]);
    checkGraph(canonicalize(g), target, rig, sets, { maxDims: { T: 12, N: 3 }, tol: 1e-6 });
  });

  it("the C run returns 6 when the longest length is above T (the arena is sized for T)", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const model = compileGraph(canonicalize(g), { target: getTarget("c99"), maxDims: { T: 6, N: 2 } });
    const build = buildC(model, rig);
    expect(Array.from(runBuild(model, build, inputs([6, 2], 6)).outputs["s"]!.data as Float32Array)).toEqual(Array.from(runGraph(g, inputs([6, 2], 6))["s"]!.data as Float32Array));
    expect(() => runBuild(model, build, inputs([3, 9], 6))).toThrow(/failed with code 6/);
  });
});
