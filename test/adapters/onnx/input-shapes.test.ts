// The import option inputShapes (src/adapters/onnx/input-shapes.ts): fixing a graph input's
// symbolic dims makes a shape-decided If (torch's export of squeeze(-1): an If on
// Shape(x)[-1] == 1 whose branches differ in rank) fold at import to the branch it takes, with the
// numbers of the graph run as it is by onnxruntime; a symbol shared by inputs is fixed on all of
// them. Names, ranks and dims that do not fit are usage errors of one sentence, and the If that
// cannot be lowered under a run-time condition names the --input-shape (and --bind) to give.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { loadModel } from "../../../src/adapters/onnx/load-model.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { UsageError } from "../../../ir/errors.js";
import { allNodes } from "../../../ir/graph.js";
import { fromNumbers, toNumbers } from "../../../ir/types.js";
import { runOrt } from "../../helpers/ort.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { squeezeModel } from "../../helpers/squeeze-if-model.js";

const bytes = squeezeModel();
const importAt = (t: number) => importOnnxBytes(bytes, "m.onnx", undefined, { inputShapes: { x: [1, t] } });

describe("inputShapes", () => {
  it("folds the shape-decided If at every length, to the numbers onnxruntime gives for the graph as it is", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), async (t, seed) => {
      const g = importAt(t);
      expect(g.types[g.inputs[0]!]!.shape).toEqual([1, t]);
      // w shares the symbol T: it is fixed too.
      expect(g.types["w"]!.shape).toEqual([t]);
      expect(allNodes(g).map((n) => n.op)).not.toContain("If");
      const x = fromNumbers("f32", [1, t], Array.from({ length: t }, (_, i) => Math.sin(seed + i)));
      const w = fromNumbers("f32", [t], Array.from({ length: t }, (_, i) => Math.cos(seed * 3 + i)));
      const gain = fromNumbers("f32", [1], [1.5]);
      const got = toNumbers(runGraph(g, { x, w, g: gain })["y"]!);
      const want = (await runOrt(bytes, { x, w, g: gain }))["y"]!;
      expect(Math.abs(got[0]! - want[0]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[0]!)));
    }), { numRuns: 12 });
  });

  it("without it, the If is refused in one sentence that names --input-shape for the input whose shape decides it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "neonc-shape-"));
    const file = path.join(dir, "m.onnx");
    writeFileSync(file, bytes);
    let message = "";
    try {
      loadModel(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/under the If "squeeze_last" whose condition "c" is known only at run time; to decide it at import and keep only the branch taken, give --input-shape x=1,T with numbers for the symbolic dims \(the import option inputShapes\)$/);
    expect(message).not.toMatch(/--bind|\n/);
  });

  it("names --bind too when a condition comes from an input's value", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "neonc-shape-"));
    const file = path.join(dir, "m.onnx");
    writeFileSync(file, buildModel({
      opset: 13,
      inputs: [{ name: "x", shape: [1, "T"] }, { name: "k", dtype: "i64", shape: [] }],
      outputs: [{ name: "y", shape: [] }],
      initializers: { last: fromNumbers("i64", [], [-1]), axes: fromNumbers("i64", [1], [-1]) },
      nodes: [
        { op: "Shape", inputs: ["x"], outputs: ["s"] },
        { op: "Gather", inputs: ["s", "last"], outputs: ["n"], attrs: { axis: 0 } },
        { op: "Equal", inputs: ["n", "k"], outputs: ["c"] },
        {
          op: "If", inputs: ["c"], outputs: ["z"], name: "pick",
          graphs: {
            then_branch: { outputs: [{ name: "a", shape: [1] }], nodes: [{ op: "Squeeze", inputs: ["x", "axes"], outputs: ["a"] }] },
            else_branch: { outputs: [{ name: "b", shape: [1, "T"] }], nodes: [{ op: "Neg", inputs: ["x"], outputs: ["b"] }] },
          },
        },
        { op: "ReduceSum", inputs: ["z"], outputs: ["y"], attrs: { keepdims: 0 } },
      ],
    }));
    expect(() => loadModel(file)).toThrow(/give --input-shape x=1,T with numbers for the symbolic dims and --bind k=VALUE \(the import options inputShapes and bind\)$/);
  });

  it("refuses, as usage errors of one sentence, an unknown input, a wrong rank, a contradicted static dim, a non-positive dim, a symbol fixed twice", () => {
    const cases: [Record<string, number[]>, RegExp][] = [
      [{ q: [1, 4] }, /^m\.onnx: cannot fix the shape of "q": the model has no input of that name \(its inputs are x, w, g\)$/],
      [{ x: [1, 4, 1] }, /^m\.onnx: cannot fix the shape of input "x" \[1,T\] to \[1,4,1\]: the input has rank 2, not 3$/],
      [{ x: [2, 4] }, /^m\.onnx: cannot fix the shape of input "x" \[1,T\] to \[2,4\]: dim 0 is 1 in the model$/],
      [{ x: [1, 0] }, /^m\.onnx: cannot fix the shape of input "x" \[1,T\] to \[1,0\]: every dim must be a positive integer, not 0$/],
      [{ x: [1, 2.5] }, /every dim must be a positive integer, not 2\.5$/],
      [{ x: [1, 4], w: [5] }, /^m\.onnx: cannot fix the shape of input "w" \[T\] to \[5\]: the symbolic dim T is fixed to both 4 and 5$/],
    ];
    for (const [shapes, re] of cases) {
      let err: unknown;
      try {
        importOnnxBytes(bytes, "m.onnx", undefined, { inputShapes: shapes });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(shapes)).toBeInstanceOf(UsageError);
      expect((err as Error).message, JSON.stringify(shapes)).toMatch(re);
    }
  });
});
