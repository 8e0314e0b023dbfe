// Every model in ../shared/models (and the asr-digits model) runs through the interpreter and
// matches its reference outputs on every test data set: max abs error at most 1e-4 of the
// output's largest magnitude. The measured errors are printed for the record.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../src/adapters/onnx/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import type { Tensor } from "../../ir/types.js";
import { compareTensors, maxAbsDiff } from "../../src/testing/index.js";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { verifyGraph } from "../../ir/verify.js";
import { sharedPath } from "../helpers/shared.js";

const models = sharedPath("models");
const digits = sharedPath("asr-digits");

function check(name: string, actual: Tensor, expected: Tensor): void {
  const maxRef = maxAbsDiff(expected, new Float64Array(expected.data.length));
  console.log(`${name}: max abs error ${maxAbsDiff(expected, actual).toExponential(2)} (bound ${(1e-4 * maxRef).toExponential(2)}, max |ref| ${maxRef.toFixed(3)})`);
  expect(compareTensors(expected, actual, { relToMax: 1e-4 })).toBeUndefined();
}

describe.runIf(models)("shared speech models against their reference outputs", () => {
  const names = models ? readdirSync(models).filter((d) => existsSync(path.join(models, d, "model.onnx"))).sort() : [];
  for (const name of names) {
    it(name, () => {
      const dir = path.join(models!, name);
      const g = importOnnxFile(path.join(dir, "model.onnx"));
      verifyGraph(g, { allowDead: false });
      const text = printGraph(g);
      expect(printGraph(parseGraph(text))).toBe(text);
      const sets = readdirSync(dir).filter((d) => d.startsWith("test_data_set_")).sort();
      expect(sets.length).toBeGreaterThan(0);
      for (const set of sets) {
        const inputs: Record<string, Tensor> = {};
        g.inputs.forEach((input, k) => {
          inputs[input] = readTensorFile(path.join(dir, set, `input_${k}.pb`)).tensor;
        });
        const out = runGraph(g, inputs);
        g.outputs.forEach((o, k) => check(`${name}/${set}/${o}`, out[o]!, readTensorFile(path.join(dir, set, `output_${k}.pb`)).tensor));
      }
    });
  }
});

describe.runIf(digits)("asr-digits model against its ONNX Runtime outputs", () => {
  it("matches dev 0000-0004", () => {
    const g = importOnnxFile(path.join(digits!, "model.onnx"));
    for (const id of ["0000", "0001", "0002", "0003", "0004"]) {
      const input = readTensorFile(path.join(digits!, "dev", `${id}.input.pb`));
      const out = runGraph(g, { [g.inputs[0]!]: input.tensor });
      check(`asr-digits/${id}`, out[g.outputs[0]!]!, readTensorFile(path.join(digits!, "dev_ref", `${id}.output.pb`)).tensor);
    }
  });
});
