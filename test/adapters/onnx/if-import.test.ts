// A run-time If (ir/ops/control/if.ts) from ONNX to the interpreter and back: the VAD-style model
// whose sample-rate input picks a front end and the head whose verifier runs above a score
// (test/helpers/if-models.ts) match onnxruntime for both values of the condition; the text form
// and ONNX export give the same IR back; a known condition (--bind) inlines the branch at
// import; branches of different types and Loop are refused with one sentence.
import { describe, expect, it } from "vitest";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { parseGraph, printGraph } from "../../../ir/text/index.js";
import { verifyGraph } from "../../../ir/verify.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { runOrt } from "../../helpers/ort.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { vadFrontEnds, vadInputs, verifierHead, verifierInputs } from "../../helpers/if-models.js";

const cases: [string, () => Uint8Array, () => Record<string, Record<string, Tensor>>][] = [
  ["the VAD whose sample rate picks a front end", vadFrontEnds, vadInputs],
  ["the head whose verifier runs above a score", verifierHead, verifierInputs],
];

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${what} [${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-5);
}

describe("If whose condition is known only at run time", () => {
  for (const [name, model, inputs] of cases) {
    describe(name, () => {
      const bytes = model();
      const g = importOnnxBytes(bytes, "model.onnx");

      it("imports as one If holding both branches", () => {
        const ifs = g.nodes.filter((n) => n.op === "If");
        expect(ifs).toHaveLength(1);
        verifyGraph(g);
        expect(printGraph(g)).toMatch(/then_branch=graph @then_branch/);
      });

      it("matches onnxruntime for both values of the condition", async () => {
        const sets = Object.entries(inputs());
        const outs = sets.map(([, s]) => runGraph(g, s));
        for (const [k, [label, s]] of sets.entries()) {
          const want = await runOrt(bytes, s);
          for (const o of g.outputs) expectClose(outs[k]![o]!.data as Float32Array, want[o]!, `${label} ${o}`);
        }
        // The two inputs really take different branches: the outputs differ.
        const last = g.outputs.at(-1)!;
        expect(Array.from(outs[0]![last]!.data as Float32Array)).not.toEqual(Array.from(outs[1]![last]!.data as Float32Array));
      });

      it("prints and parses back to the same text", () => {
        const text = printGraph(g);
        expect(printGraph(parseGraph(text))).toBe(text);
      });

      it("exports to ONNX that onnxruntime runs alike and that imports to the same IR", async () => {
        const out = exportOnnx(g);
        const again = importOnnxBytes(out, "exported.onnx");
        expect(printGraph({ ...again, meta: undefined, name: g.name })).toBe(printGraph({ ...g, meta: undefined }));
        for (const [label, s] of Object.entries(inputs())) {
          const want = runGraph(g, s);
          const got = await runOrt(out, s);
          for (const o of g.outputs) expectClose(got[o]!, want[o]!.data as Float32Array, `exported, ${label} ${o}`);
        }
      });
    });
  }

  it("inlines the taken branch at import when the condition's input is bound", () => {
    const { at8k } = vadInputs();
    const bound = importOnnxBytes(vadFrontEnds(), "vad.onnx", undefined, { bind: { sr: fromNumbers("i64", [1], [8000]) } });
    expect(bound.nodes.map((n) => n.op)).not.toContain("If");
    expect(bound.nodes.map((n) => n.name)).toContain("pool8");
    expect(bound.nodes.map((n) => n.name)).not.toContain("conv16");
    const full = importOnnxBytes(vadFrontEnds(), "vad.onnx");
    expect(runGraph(bound, { audio: at8k.audio! }).prob!.data).toEqual(runGraph(full, at8k).prob!.data);
  });

  it("refuses branches whose outputs differ in type, in one sentence naming the node", () => {
    const bytes = buildModel({
      inputs: [{ name: "c", dtype: "bool", shape: [1] }, { name: "x", shape: [4] }],
      outputs: [{ name: "y", shape: [] }],
      initializers: { two: fromNumbers("f32", [2], [1, 2]) },
      nodes: [{
        op: "If", inputs: ["c"], outputs: ["y"], name: "pick",
        graphs: {
          then_branch: { outputs: [{ name: "a", shape: [4] }], nodes: [{ op: "Neg", inputs: ["x"], outputs: ["a"] }] },
          else_branch: { outputs: [{ name: "b", shape: [2] }], nodes: [{ op: "Neg", inputs: ["two"], outputs: ["b"] }] },
        },
      }],
    });
    expect(() => importOnnxBytes(bytes, "m.onnx")).toThrow(/^m\.onnx: node "pick" \(If\): its branches give output 0 different types \(then f32\[4\], else f32\[2\]\); neonc needs both branches to give the same type[^\n]*$/);
  });

  it("refuses Loop and Scan naming the node", () => {
    for (const op of ["Loop", "Scan"]) {
      const bytes = buildModel({
        inputs: [{ name: "x", shape: [4] }],
        outputs: [{ name: "y", shape: [4] }],
        nodes: [{ op, inputs: ["x"], outputs: ["y"], name: "the_loop" }],
      });
      expect(() => importOnnxBytes(bytes, "m.onnx")).toThrow(new RegExp(`^m\\.onnx: neonc does not run ${op} \\(node the_loop\\): `));
    }
  });
});
