// Runs ONNX backend node tests through the full frontend and interpreter and also checks that the
// imported graph's inferred output types agree with the expected tensors (the conformance suite
// compares values only). Shared by the recurrent and quantization suites.
import { readdirSync } from "node:fs";
import path from "node:path";
import { typeToString } from "../../ir/types.js";
import { importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { compareTensors, floatTolerance, type Tolerance } from "../../src/testing/index.js";
import { sharedPath } from "./shared.js";

export const backendRoot = sharedPath("onnx-backend-tests");

export function backendNames(pattern: RegExp): string[] {
  return backendRoot ? readdirSync(backendRoot).filter((n) => pattern.test(n)).sort() : [];
}

/** Returns a list of problems (empty when the test passes). */
export function checkBackendCase(name: string, tol: Tolerance): string[] {
  const dir = path.join(backendRoot!, name);
  const g = importOnnxFile(path.join(dir, "model.onnx"));
  const data = path.join(dir, "test_data_set_0");
  const inputs = Object.fromEntries(g.inputs.map((n, k) => [n, readTensorFile(path.join(data, `input_${k}.pb`)).tensor]));
  const out = runGraph(g, inputs);
  const problems: string[] = [];
  g.outputs.forEach((o, k) => {
    const want = readTensorFile(path.join(data, `output_${k}.pb`)).tensor;
    const ty = typeToString(g.types[o]!);
    const wantTy = `${want.dtype}[${want.shape.join(",")}]`;
    if (ty !== wantTy) problems.push(`output ${o}: inferred ${ty}, expected ${wantTy}`);
    const why = compareTensors(want, out[o]!, floatTolerance(want.dtype, tol));
    if (why) problems.push(`output ${o}: ${why}`);
  });
  return problems;
}
