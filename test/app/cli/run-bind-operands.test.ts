// `neonc run` on ONNX backend tests that feed shape-like operands as graph inputs (a Reshape
// shape, Slice starts/ends/axes/steps, Expand shape, Split sizes, Pad pads, Unsqueeze axes,
// ConstantOfShape shape, Range bounds): run binds those inputs from the given files by itself,
// says which in one line on stderr, and writes the expected outputs (the backend's tolerance),
// through the interpreter and through the generated C. A model whose target also reads another
// input's shape binds only the input whose values reach it.
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { readTensorFile } from "../../../src/adapters/onnx/index.js";
import { compareTensors } from "../../../src/testing/index.js";
import { backendRoot, backendTolerance } from "../../helpers/backend-cases.js";
import { reshapeFromInput } from "../../helpers/operand-models.js";
import { ensureBuilt, neonc, oneLineError, readTensor, tempDir, writeTensor } from "./helpers.js";

const CASES: Record<string, string> = {
  test_reshape_negative_dim: "shape (Reshape reshaped)",
  test_reshape_zero_dim: "shape (Reshape reshaped)",
  test_slice_neg_steps: "starts (Slice y), ends (Slice y), axes (Slice y), steps (Slice y)",
  test_expand_dim_changed: "new_shape (shape of Expand expanded)",
  test_split_variable_parts_2d_opset18: "split (Split output_1)",
  test_edge_pad: "pads (Pad y)",
  test_unsqueeze_two_axes: "axes (Unsqueeze y)",
  test_constantofshape_int_zeros: "x (shape of ConstantOfShape y)",
  test_range_int32_type_negative_delta: "start (Range output), limit (Range output), delta (Range output)",
};

const out = tempDir("neonc-run-operands-");
beforeAll(() => ensureBuilt());

/** Compares every output_K.pb that run wrote with the test's expected one. */
function expectOutputs(test: string, written: string): void {
  for (const set of readdirSync(path.join(backendRoot!, test)).filter((d) => d.startsWith("test_data_set_"))) {
    const want = readdirSync(path.join(backendRoot!, test, set)).filter((f) => /^output_\d+\.pb$/.test(f));
    expect(want.length).toBeGreaterThan(0);
    for (const f of want) {
      const w = readTensorFile(path.join(backendRoot!, test, set, f)).tensor;
      const got = readTensorFile(path.join(written, set, f)).tensor;
      expect(compareTensors(w, got, backendTolerance(w.dtype)), `${test} ${set} ${f}`).toBeUndefined();
    }
  }
}

describe.runIf(backendRoot)("run binds the inputs that feed shape operands", () => {
  for (const [test, bound] of Object.entries(CASES)) {
    it(`${test} (interpreter)`, () => {
      const dir = path.join(backendRoot!, test);
      const written = path.join(out, test);
      const r = neonc("run", path.join(dir, "model.onnx"), "--input-dir", dir, "--output-dir", written);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.split("\n").filter((l) => l)).toEqual([`bound shape operands from the inputs: ${bound}`]);
      expectOutputs(test, written);
    });
  }

  for (const test of ["test_slice_neg_steps", "test_split_variable_parts_2d_opset18"]) {
    it(`${test} (--engine c)`, () => {
      const dir = path.join(backendRoot!, test);
      const written = path.join(out, `${test}-c`);
      const r = neonc("run", path.join(dir, "model.onnx"), "--input-dir", dir, "--output-dir", written, "--engine", "c", "--target", "c99");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.split("\n")[0]).toBe(`bound shape operands from the inputs: ${CASES[test]}`);
      expectOutputs(test, written);
    });
  }

  it("compile, which has no inputs, names the input to bind", () => {
    const r = neonc("compile", path.join(backendRoot!, "test_reshape_negative_dim", "model.onnx"), "--target", "c99", "-o", path.join(out, "c"));
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/its shape input "shape" is computed at run time.*give its value with --bind shape=VALUE/);
  });
});

describe("run binds only the inputs whose values reach the operand", () => {
  it("binds n, not x, whose shape only reaches the Reshape target", () => {
    const model = path.join(out, "reshape.onnx");
    writeFileSync(model, reshapeFromInput());
    const xs = Array.from({ length: 12 }, (_, i) => i - 5);
    const x = writeTensor(path.join(out, "x.pb"), fromNumbers("f32", [2, 6], xs), "x");
    const n = writeTensor(path.join(out, "n.pb"), fromNumbers("i32", [2], [2, 3]), "n");
    const r = neonc("run", model, "--input", x, n, "--output-dir", path.join(out, "reshape"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("bound shape operands from the inputs: n (shape of Reshape r)\n");
    const y = readTensor(path.join(out, "reshape", "output_0.pb"));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.values).toEqual(xs);
  });
});
