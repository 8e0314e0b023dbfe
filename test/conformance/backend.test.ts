// Operator conformance: every ONNX backend node test in ../shared/onnx-backend-tests is imported
// and run through the interpreter, and its outputs compared with the expected ones at the ONNX
// backend's tolerance (rtol 1e-3, atol 1e-7). Known failures are listed with their reason in
// expected-failures.txt. NEONC_ONLY=substring restricts the run to matching test names.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runGraph } from "../../src/runtime/interpreter.js";
import { compareTensors } from "../../src/testing/index.js";
import { backendRoot, backendTolerance, loadBackendSets, readExpectedFailures } from "../helpers/backend-cases.js";

const root = backendRoot;
const only = process.env.NEONC_ONLY;
const expectedFailures = readExpectedFailures(new URL("./expected-failures.txt", import.meta.url));

/** Runs one backend test folder; returns undefined on success or the reason it failed. */
function runBackendTest(dir: string): string | undefined {
  const sets = loadBackendSets(dir);
  if (typeof sets === "string") return sets;
  for (const set of sets) {
    let outputs;
    try {
      outputs = runGraph(set.graph, set.inputs);
    } catch (e) {
      return `${set.name}: run: ${(e as Error).message}`;
    }
    for (const [k, want] of set.expected.entries()) {
      const name = set.graph.outputs[k]!;
      const why = compareTensors(want, outputs[name]!, backendTolerance(want.dtype));
      if (why) return `${set.name}: output ${name}: ${why}`;
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
