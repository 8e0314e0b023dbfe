// The ONNX backend node tests of the shape and data-movement ops: one node at a time (import
// hook, type rule and reference kernel), then through the ONNX frontend and the interpreter.
// Both must reproduce the expected outputs exactly.
import { describe, expect, it } from "vitest";
import { backendTests, runBackendTest, runThroughFrontend, tensorDiff, typeDiff } from "./onnx-node.js";

const PATTERN = /^test_(transpose|reshape|flatten|squeeze|unsqueeze|concat|split|slice|gather|constant_pad|edge_pad|reflect_pad|wrap_pad|expand|shape|size|constantofshape|range|identity|dropout|training_dropout|constant|tile)(_|$)/;

describe("ONNX backend tests: shape ops", () => {
  const tests = backendTests(PATTERN);
  it("finds the backend tests", () => {
    expect(tests.length).toBeGreaterThan(70);
  });
  for (const t of tests) {
    it(t, () => {
      const r = runBackendTest(t);
      expect(r.outputs.length).toBe(r.expected.length);
      r.expected.forEach((want, i) => {
        expect(typeDiff(r.inferred[i]!, want), `output ${i} type`).toBeUndefined();
        expect(tensorDiff(r.outputs[i]!, want), `output ${i}`).toBeUndefined();
      });
    });
  }
});

describe("ONNX backend tests: shape ops through the frontend, shape inputs as initializers", () => {
  for (const t of backendTests(PATTERN)) {
    it(t, () => {
      const r = runThroughFrontend(t);
      r.expected.forEach((want, i) => expect(tensorDiff(r.outputs[i]!, want), `output ${i}`).toBeUndefined());
    });
  }
});
