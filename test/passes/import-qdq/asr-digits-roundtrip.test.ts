// neonc's own QDQ export of asr-digits int8, read back through importQdqBytes and the
// `import-qdq` pass, gives the same integer ops with half-even rounding and the same numbers
// within 1 LSB. (What import-qdq makes of each QDQ and QOperator form is specified by the golden
// fixtures in test/passes/import-qdq/golden/.)
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { importQdqBytes } from "../../../src/adapters/onnx/qdq-import.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { runPipeline } from "../../../passes/index.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { readCalibrationDir } from "../../../src/adapters/onnx/data-dir.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { makeGraph, type Graph } from "../../../ir/graph.js";
import { verifyGraph } from "../../../ir/verify.js";
import { agreement, emptyAgreement, percent } from "../../../src/testing/index.js";
import { sharedPath } from "../../helpers/shared.js";

const dir = sharedPath("asr-digits");
const BOUNDARY = new Set(["Quantize", "Dequantize", "LogSoftmax", "Softmax"]);

describe.runIf(dir !== undefined)("QDQ round trip of asr-digits int8", () => {
  for (const rounding of ["half-even", "gemmlowp"] as const) {
    it(`export -> import -> import-qdq gives the same integer graph (quantized with ${rounding})`, () => {
      const D = dir!;
      const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
      const cal = calibrate(g, readCalibrationDir(path.join(D, "dev"), g, { offset: 400, limit: 3 }));
      const q = quantizeGraph(g, cal.ranges, { rounding });
      const deq = q.nodes.filter((n) => n.op === "Dequantize");
      const last = deq[deq.length - 1]!.inputs[0]!;
      const probe = makeGraph({ ...q, outputs: [...q.outputs, last] });
      const back = importQdqBytes(exportOnnx(probe), "asr-digits.int8.onnx");
      verifyGraph(back);
      const count = (h: Graph, op: string) => h.nodes.filter((n) => n.op === op).length;
      for (const op of ["QConv", "QAdd", "Quantize", "Dequantize"]) expect(count(back, op), op).toBe(count(q, op));
      expect(back.nodes.filter((n) => !n.op.startsWith("Q") && !BOUNDARY.has(n.op)).map((n) => n.op)).toEqual([]);
      expect(back.nodes.filter((n) => "rounding" in n.attrs).every((n) => n.attrs["rounding"] === "half-even")).toBe(true);

      const c = emptyAgreement();
      for (const s of readCalibrationDir(path.join(D, "dev"), g, { offset: 0, limit: 1 })) {
        agreement(runGraph(probe, s)[last]!, runGraph(back, s)[last]!, c);
      }
      console.log(`round trip (${rounding} -> half-even) at ${last}: ${c.n} int8 values, exact ${percent(c.exact, c.n)}, within 1 LSB ${percent(c.within1, c.n)}, max |diff| ${c.max}`);
      expect(c.within1 / c.n).toBeGreaterThanOrEqual(0.99);
    }, 60_000);
  }
});
