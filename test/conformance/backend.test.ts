// Operator conformance: every ONNX backend node test in ../shared/onnx-backend-tests is imported
// and run through the interpreter, and its outputs compared with the expected ones at the ONNX
// backend's tolerance (rtol 1e-3, atol 1e-7). Known failures are listed with their reason in
// expected-failures.txt. NEONC_ONLY=substring restricts the run to matching test names.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import type { Tensor } from "../../ir/types.js";
import type { Graph } from "../../ir/graph.js";
import type { DType } from "../../ir/dtype.js";
import { onnx } from "../../src/adapters/onnx/proto.js";
import { compareTensors, floatTolerance } from "../../src/testing/index.js";
import { sharedPath } from "../helpers/shared.js";

const root = sharedPath("onnx-backend-tests");
const only = process.env.NEONC_ONLY;
const expectedFailures = new Map(
  readFileSync(new URL("./expected-failures.txt", import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()] as const),
);

/**
 * numpy has no bfloat16, so the ONNX test generator stores bfloat16 data as uint16 bit patterns;
 * read such a file as the bfloat16 tensor the model declares.
 */
function asDeclared(t: Tensor, dtype: DType): Tensor {
  return t.dtype === "u16" && dtype === "bf16" ? { ...t, dtype } : t;
}

/** Graph input names of a model, in order, as declared in the file. */
function declaredInputs(model: string): string[] {
  const m = onnx.ModelProto.decode(readFileSync(model));
  const inits = new Set((m.graph?.initializer ?? []).map((t) => t.name));
  return (m.graph?.input ?? []).map((i) => i.name ?? "").filter((n) => !inits.has(n));
}

/**
 * Runs one backend test folder; returns undefined on success or the reason it failed.
 *
 * neonc's IR takes shape-like operands (Reshape's shape, Slice's starts, axes, pads...) as
 * compile-time constants. Some backend tests feed them as graph inputs; when a model does not
 * import as it is, its integer and scalar inputs are bound to each data set's values at import.
 */
function runBackendTest(dir: string): string | undefined {
  const model = path.join(dir, "model.onnx");
  const names = declaredInputs(model);
  let plain: Graph | undefined;
  let plainError = "";
  try {
    plain = importOnnxFile(model);
  } catch (e) {
    plainError = (e as Error).message;
  }
  const sets = readdirSync(dir).filter((d) => d.startsWith("test_data_set_")).sort();
  for (const set of sets) {
    const sdir = path.join(dir, set);
    const files = readdirSync(sdir);
    const all: Record<string, Tensor> = {};
    names.forEach((name, k) => {
      const f = path.join(sdir, `input_${k}.pb`);
      if (existsSync(f)) all[name] = readTensorFile(f).tensor;
    });
    let graph = plain;
    if (!graph) {
      const bind = Object.fromEntries(Object.entries(all).filter(([, t]) => t.dtype === "i64" || t.dtype === "i32" || t.shape.length === 0));
      if (Object.keys(bind).length === 0) return `import: ${plainError}`;
      try {
        graph = importOnnxFile(model, { bind });
      } catch (e) {
        return `import: ${plainError}; with integer and scalar inputs bound: ${(e as Error).message}`;
      }
    }
    const inputs: Record<string, Tensor> = {};
    for (const name of graph.inputs) inputs[name] = asDeclared(all[name]!, graph.types[name]!.dtype);
    let outputs;
    try {
      outputs = runGraph(graph, inputs);
    } catch (e) {
      return `${set}: run: ${(e as Error).message}`;
    }
    const nOut = files.filter((f) => /^output_\d+\.pb$/.test(f)).length;
    for (let k = 0; k < nOut; k++) {
      const expected = readTensorFile(path.join(sdir, `output_${k}.pb`)).tensor;
      const name = graph.outputs[k]!;
      const want = asDeclared(expected, graph.types[name]!.dtype);
      const why = compareTensors(want, outputs[name]!, floatTolerance(want.dtype, { rtol: 1e-3, atol: 1e-7 }));
      if (why) return `${set}: output ${name}: ${why}`;
    }
  }
  return undefined;
}

describe.runIf(root)("ONNX backend node tests", () => {
  const tests = root ? readdirSync(root).filter((d) => d.startsWith("test_") && (!only || d.includes(only))).sort() : [];
  for (const name of tests) {
    const reason = expectedFailures.get(name);
    it(`${name}${reason ? " (expected to fail)" : ""}`, () => {
      const failure = runBackendTest(path.join(root!, name));
      if (reason) expect(failure, `${name} now passes: remove it from expected-failures.txt`).toBeDefined();
      else expect(failure).toBeUndefined();
    });
  }
});
