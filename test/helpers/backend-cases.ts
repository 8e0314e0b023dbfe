// Runs ONNX backend node tests through the full frontend and interpreter and also checks that the
// imported graph's inferred output types agree with the expected tensors (the conformance suite
// compares values only). Shared by the recurrent and quantization suites; and loads a test's data
// sets for the conformance suites (interpreter and generated C).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { typeToString, type Tensor } from "../../ir/types.js";
import type { Graph } from "../../ir/graph.js";
import type { DType } from "../../ir/dtype.js";
import type { ModelProto } from "../../src/adapters/onnx/proto.js";
import { decodeModel, importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { declaredInputs, importBindingOperands } from "../../src/adapters/onnx/operand-binding.js";
import { RunTimeOperandError } from "../../ir/errors.js";
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

/** One data set of a backend test: the graph to run it on (inputs bound when needed), its inputs and expected outputs. */
export interface BackendSet {
  readonly name: string;
  readonly graph: Graph;
  readonly inputs: Record<string, Tensor>;
  readonly expected: Tensor[];
}

/** numpy has no bfloat16: the ONNX test generator stores bfloat16 data as uint16 bit patterns. */
function asDeclared(t: Tensor, dtype: DType): Tensor {
  return t.dtype === "u16" && dtype === "bf16" ? { ...t, dtype } : t;
}

/**
 * Loads every data set of a backend test folder, or returns why it cannot be loaded.
 *
 * neonc's IR takes shape-like operands (Reshape's shape, Slice's starts, axes, pads...) as
 * compile-time constants. Some backend tests feed them as graph inputs: those inputs are bound
 * to each data set's values at import, as `neonc run` binds them (importBindingOperands).
 */
export function loadBackendSets(dir: string): BackendSet[] | string {
  const file = path.join(dir, "model.onnx");
  let model: ModelProto;
  try {
    model = decodeModel(readFileSync(file), file);
  } catch (e) {
    return `import: ${(e as Error).message}`;
  }
  const names = declaredInputs(model);
  let plain: Graph | undefined;
  try {
    plain = importOnnxFile(file);
  } catch (e) {
    if (!(e instanceof RunTimeOperandError)) return `import: ${(e as Error).message}`;
  }
  const out: BackendSet[] = [];
  for (const set of readdirSync(dir).filter((d) => d.startsWith("test_data_set_")).sort()) {
    const sdir = path.join(dir, set);
    const all: Record<string, Tensor> = {};
    names.forEach((name, k) => {
      const f = path.join(sdir, `input_${k}.pb`);
      if (existsSync(f)) all[name] = readTensorFile(f).tensor;
    });
    let graph = plain;
    if (!graph) {
      try {
        graph = importBindingOperands(model, { where: file, baseDir: dir }, all).graph;
      } catch (e) {
        return `import: ${(e as Error).message}`;
      }
    }
    const g = graph;
    const inputs = Object.fromEntries(g.inputs.map((n) => [n, asDeclared(all[n]!, g.types[n]!.dtype)]));
    const nOut = readdirSync(sdir).filter((f) => /^output_\d+\.pb$/.test(f)).length;
    const expected = Array.from({ length: nOut }, (_, k) => asDeclared(readTensorFile(path.join(sdir, `output_${k}.pb`)).tensor, g.types[g.outputs[k]!]!.dtype));
    out.push({ name: set, graph: g, inputs, expected });
  }
  return out;
}

/** The ONNX backend's tolerance, rtol 1e-3 and atol 1e-7 on floats; other types exact. */
export function backendTolerance(dtype: DType): Tolerance {
  return floatTolerance(dtype, { rtol: 1e-3, atol: 1e-7 });
}

/** Reads an expected-failures file: `test_name: reason` lines, # comments. */
export function readExpectedFailures(file: URL): Map<string, string> {
  return new Map(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()] as const),
  );
}
