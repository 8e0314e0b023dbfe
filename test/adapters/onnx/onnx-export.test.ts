// ONNX export: every shared model, imported and written back to ONNX, runs in onnxruntime-node
// with the interpreter's outputs, and imports again to the same IR (textual form compared).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../ir/graph.js";
import { printGraph } from "../../../ir/text/index.js";
import type { Tensor } from "../../../ir/types.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { importOnnxBytes, importOnnxFile, readTensorFile } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { sharedPath } from "../../helpers/shared.js";
import { runOrt } from "../../helpers/ort.js";

const models = sharedPath("models");

/** Textual IR without the provenance line (the opset and producer change on export). */
function text(g: Graph): string {
  return printGraph({ ...g, meta: undefined });
}

describe.runIf(models)("ONNX export of the shared models", () => {
  const names = models ? readdirSync(models).filter((d) => existsSync(path.join(models, d, "model.onnx"))).sort() : [];
  for (const name of names) {
    it(`${name}: onnxruntime runs the export with the interpreter's outputs; re-import gives the same IR`, async () => {
      const dir = path.join(models!, name);
      const g = importOnnxFile(path.join(dir, "model.onnx"));
      const bytes = exportOnnx(g);
      expect(text(importOnnxBytes(bytes, `${name}.exported.onnx`))).toBe(text(g));

      const input = readTensorFile(path.join(dir, "test_data_set_0", "input_0.pb")).tensor;
      const ours = runGraph(g, { [g.inputs[0]!]: input });
      const theirs = await runOrt(bytes, { [g.inputs[0]!]: input });
      for (const o of g.outputs) {
        const a = ours[o]!.data as Float32Array;
        const b = theirs[o]!;
        expect(b.length).toBe(a.length);
        let maxErr = 0, maxRef = 0;
        for (let i = 0; i < a.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(a[i]! - b[i]!));
          maxRef = Math.max(maxRef, Math.abs(a[i]!));
        }
        console.log(`${name}/${o}: exported model in onnxruntime vs interpreter: max abs diff ${maxErr.toExponential(2)} (max |out| ${maxRef.toFixed(3)})`);
        expect(maxErr).toBeLessThanOrEqual(1e-4 * maxRef);
      }
    });
  }
});
