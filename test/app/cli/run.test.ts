// `neonc run`: the file contracts (--input, model-zoo folders, NAME.input.pb batches), input
// matching by name and by position, and the errors a user meets with wrong inputs.
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { ensureBuilt, f32, neonc, oneLineError, readTensor, tempDir, writeModel, writeTensor } from "./helpers.js";

let dir: string;
let relu: string;
let sub: string;

const X = [-1, 2, -3, 4, 0.5, -0.25];
const RELU_X = [0, 2, 0, 4, 0.5, 0];

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  relu = writeModel(path.join(dir, "relu.onnx"), {
    inputs: [{ name: "x", shape: [1, 3, "T"] }],
    outputs: [{ name: "y", shape: [1, 3, "T"] }],
    nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
  });
  // Sub is not symmetric, so a swapped binding shows in the result.
  sub = writeModel(path.join(dir, "sub.onnx"), {
    inputs: [{ name: "a", shape: [2] }, { name: "b", shape: [2] }],
    outputs: [{ name: "d", shape: [2] }],
    nodes: [{ op: "Sub", inputs: ["a", "b"], outputs: ["d"] }],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--input", () => {
  it("runs once and writes output_K.pb named after the graph output", () => {
    const x = writeTensor(path.join(dir, "in1/x.pb"), f32([1, 3, 2], X), "x");
    const out = path.join(dir, "out1");
    const r = neonc("run", relu, "--input", x, "--output-dir", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readdirSync(out)).toEqual(["output_0.pb"]);
    const y = readTensor(path.join(out, "output_0.pb"));
    expect(y).toEqual({ name: "y", shape: [1, 3, 2], dtype: "f32", values: RELU_X });
  });

  it("binds a tensor whose name matches no input by position", () => {
    const x = writeTensor(path.join(dir, "in2/anything.pb"), f32([1, 3, 2], X), "not_an_input");
    const out = path.join(dir, "out2");
    const r = neonc("run", relu, "--input", x, "--output-dir", out);
    expect(r.code).toBe(0);
    expect(readTensor(path.join(out, "output_0.pb")).values).toEqual(RELU_X);
  });

  it("binds tensors by name whatever their order", () => {
    const b = writeTensor(path.join(dir, "in3/b.pb"), f32([2], [1, 2]), "b");
    const a = writeTensor(path.join(dir, "in3/a.pb"), f32([2], [10, 20]), "a");
    const out = path.join(dir, "out3");
    const r = neonc("run", sub, "--input", b, "--input", a, "--output-dir", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readTensor(path.join(out, "output_0.pb")).values).toEqual([9, 18]);
  });

  it("binds unnamed tensors by position, and accepts several files after one --input", () => {
    const p = writeTensor(path.join(dir, "in4/p.pb"), f32([2], [10, 20]), "");
    const q = writeTensor(path.join(dir, "in4/q.pb"), f32([2], [1, 2]), "");
    const out = path.join(dir, "out4");
    const r = neonc("run", sub, "--output-dir", out, "--input", p, q);
    expect(r.code).toBe(0);
    expect(readTensor(path.join(out, "output_0.pb")).values).toEqual([9, 18]);
  });

  it("a missing model input is a usage error (exit 2)", () => {
    const a = writeTensor(path.join(dir, "in5/a.pb"), f32([2], [10, 20]), "a");
    const r = neonc("run", sub, "--input", a, "--output-dir", path.join(dir, "out5"));
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/no tensor given for the model input "b"/);
  });

  it("two tensors for the same input is a usage error (exit 2)", () => {
    const a1 = writeTensor(path.join(dir, "in6/a1.pb"), f32([2], [1, 2]), "a");
    const a2 = writeTensor(path.join(dir, "in6/a2.pb"), f32([2], [3, 4]), "a");
    const r = neonc("run", sub, "--input", a1, a2, "--output-dir", path.join(dir, "out6"));
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/both give the model input "a"/);
  });

  it("an input of the wrong data type or rank is a bad input (exit 1)", () => {
    const wrongType = writeTensor(path.join(dir, "in7/x.pb"), fromNumbers("i32", [1, 3, 2], X.map(Math.round)), "x");
    const r1 = neonc("run", relu, "--input", wrongType, "--output-dir", path.join(dir, "out7"));
    expect(r1.code).toBe(1);
    expect(oneLineError(r1)).toMatch(/dtype i32/);
    const wrongRank = writeTensor(path.join(dir, "in7/x2.pb"), f32([3, 2], X), "x");
    const r2 = neonc("run", relu, "--input", wrongRank, "--output-dir", path.join(dir, "out7"));
    expect(r2.code).toBe(1);
    expect(oneLineError(r2)).toMatch(/rank 3/);
  });

  it("an input file that is missing or not a TensorProto is a bad input (exit 1)", () => {
    const r = neonc("run", relu, "--input", path.join(dir, "nope.pb"), "--output-dir", path.join(dir, "out8"));
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/nope\.pb/);
  });
});

describe("--input-dir", () => {
  it("a model-zoo folder (input_K.pb) is one run writing output_K.pb", () => {
    const zoo = path.join(dir, "zoo");
    writeTensor(path.join(zoo, "input_0.pb"), f32([2], [10, 20]), "a");
    writeTensor(path.join(zoo, "input_1.pb"), f32([2], [1, 2]), "b");
    const out = path.join(dir, "out-zoo");
    const r = neonc("run", sub, "--input-dir", zoo, "--output-dir", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(["output_0.pb"]);
    expect(readTensor(path.join(out, "output_0.pb"))).toMatchObject({ name: "d", values: [9, 18] });
  });

  it("a folder of NAME.input.pb files runs each and writes NAME.output.pb, silently when not a TTY", () => {
    const batch = path.join(dir, "batch");
    const inputs: Record<string, number[]> = { "0001": X, "0002": X.map((v) => -v), clip: X.map((v) => v * 3) };
    for (const [name, values] of Object.entries(inputs)) writeTensor(path.join(batch, `${name}.input.pb`), f32([1, 3, 2], values), "x");
    const out = path.join(dir, "out-batch");
    const r = neonc("run", relu, "--input-dir", batch, "--output-dir", out);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["0001.output.pb", "0002.output.pb", "clip.output.pb"]);
    for (const [name, values] of Object.entries(inputs)) {
      const y = readTensor(path.join(out, `${name}.output.pb`));
      expect(y.name).toBe("y");
      expect(y.values).toEqual(values.map((v) => Math.max(0, v)));
    }
  });

  it("a NAME.input.pb folder for a model with several inputs is a usage error (exit 2)", () => {
    const batch = path.join(dir, "batch-sub");
    writeTensor(path.join(batch, "one.input.pb"), f32([2], [1, 2]), "a");
    const out = path.join(dir, "out-batch-sub");
    const r = neonc("run", sub, "--input-dir", batch, "--output-dir", out);
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/one input.*has 2 \(a, b\)/);
    expect(existsSync(out)).toBe(false);
  });

  it("a bad file in a batch stops with exit 1 naming the file", () => {
    const batch = path.join(dir, "batch-bad");
    writeTensor(path.join(batch, "a.input.pb"), f32([1, 3, 2], X), "x");
    writeTensor(path.join(batch, "b.input.pb"), f32([3, 2], X), "x");
    const r = neonc("run", relu, "--input-dir", batch, "--output-dir", path.join(dir, "out-batch-bad"));
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/b\.input\.pb|rank/);
  });
});
