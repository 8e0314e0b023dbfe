// The CLI on models quantized elsewhere: a float model exported as int8 QDQ by
// `neonc optimize --int8 -o q.onnx` is detected by every command and imported through import-qdq
// (one line on stderr with the integer op counts); compile writes integer C, check passes on c99,
// run --explain import-qdq gives the per-node detail, --no-import-qdq keeps the float import, and
// --int8 on it is a usage error. A com.microsoft QOperator model checks too, and so does a
// dynamically quantized one (DynamicQuantizeLinear); blocked activations fail with one line and
// exit 1.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { f32, neoncInProcess, oneLineError, tempDir, writeModel, writeTensor } from "./helpers.js";
import { Rng } from "../../../src/testing/index.js";

let dir: string;
let q: string;

/** Seeded values in [-1, 1) (neonc/testing's Rng). */
const values = (n: number, seed: number): number[] => new Rng(seed).uniforms(n, -1, 1);

beforeAll(async () => {
  dir = tempDir("neonc-qdq-cli-");
  const [C, M, T, N] = [4, 8, 16, 6];
  writeModel(path.join(dir, "float.onnx"), {
    inputs: [{ name: "x", shape: [1, C, T] }],
    outputs: [{ name: "y", shape: [1, T, N] }],
    initializers: {
      w1: f32([M, C, 3], values(M * C * 3, 1)), b1: f32([M], values(M, 2)),
      w2: f32([C, M, 1], values(C * M, 3)), b2: f32([C], values(C, 4)),
      wm: f32([C, N], values(C * N, 5)),
    },
    nodes: [
      { op: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attrs: { pads: [1, 1], kernel_shape: [3] } },
      { op: "Relu", inputs: ["c1"], outputs: ["r1"] },
      { op: "Conv", inputs: ["r1", "w2", "b2"], outputs: ["c2"], attrs: { kernel_shape: [1] } },
      { op: "Add", inputs: ["c2", "x"], outputs: ["s"] },
      { op: "Transpose", inputs: ["s"], outputs: ["st"], attrs: { perm: [0, 2, 1] } },
      { op: "MatMul", inputs: ["st", "wm"], outputs: ["y"] },
    ],
  });
  for (let k = 0; k < 4; k++) writeTensor(path.join(dir, "cal", `u${k}.input.pb`), f32([1, C, T], values(C * T, 10 + k).map((v) => v * 3)), "x");
  writeTensor(path.join(dir, "x.pb"), f32([1, C, T], values(C * T, 99)), "x");
  q = path.join(dir, "q.onnx");
  const r = await neoncInProcess("optimize", path.join(dir, "float.onnx"), "--int8", "--calibration", path.join(dir, "cal"), "--rounding", "half-even", "-o", q);
  if (r.code !== 0) throw new Error(`optimize --int8 failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINE = /q\.onnx: quantized model \(QDQ: \d+ DequantizeLinear, \d+ QuantizeLinear\) imported through import-qdq: (\d+) nodes became integer ops \(([^)]*)\); none stayed float\n/;

describe("neonc on a QDQ model quantized elsewhere", () => {
  it("compile detects it, says so in one line, and writes integer C", async () => {
    const out = path.join(dir, "c");
    const r = await neoncInProcess("compile", q, "--target", "c99", "-o", out);
    expect(r.code, r.stderr).toBe(0);
    const m = r.stderr.match(LINE);
    expect(m, r.stderr).not.toBeNull();
    console.log(r.stderr.trim());
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(m![2]).toMatch(/QConv 2/);
    expect(m![2]).toMatch(/QAdd 1/);
    expect(m![2]).toMatch(/QMatMul 1/);
    const c = readFileSync(path.join(out, "model.c"), "utf8");
    expect(c).toMatch(/QConv/);
    expect(c).toMatch(/QMatMul/);
    expect(c).not.toMatch(/\bConv\b.*float/);
  });

  it("check passes on c99: the C matches the interpreter on the lowered graph", async () => {
    const r = await neoncInProcess("check", q, "--target", "c99", "--runs", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(LINE);
    expect(r.stdout).toMatch(/max abs error 0\.00e\+0/);
    expect(r.stdout).toMatch(/^ok: /m);
  });

  it("run --explain import-qdq prints the per-node detail; the outputs are written", async () => {
    const out = path.join(dir, "run");
    const r = await neoncInProcess("run", q, "--input", path.join(dir, "x.pb"), "--output-dir", out, "--explain", "import-qdq");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(LINE);
    expect(r.stderr).toMatch(/\/\/ explain import-qdq \(import\): \d+ nodes/);
    expect(r.stderr).toMatch(/^Conv \S+: fired import-qdq: QConv \(rounding half-even\)$/m);
    expect(r.stderr).toMatch(/^MatMul \S+: fired import-qdq: QMatMul \(rounding half-even\)$/m);
    console.log(r.stderr.trim());
    expect(existsSync(path.join(out, "output_0.pb"))).toBe(true);
  });

  it("inspect --json keeps stdout JSON and reports the integer graph's MACs", async () => {
    const r = await neoncInProcess("inspect", q, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(LINE);
    const rep = JSON.parse(r.stdout);
    expect(rep.imported).toBe(true);
    expect(rep.macs.layers.map((l: { op: string }) => l.op)).toContain("QConv");
  });

  it("--no-import-qdq keeps the plain float import (no line; float Conv and MatMul run by the interpreter)", async () => {
    const r = await neoncInProcess("inspect", q, "--json", "--no-import-qdq");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const ops = JSON.parse(r.stdout).macs.layers.map((l: { op: string }) => l.op);
    expect(ops).toContain("Conv");
    expect(ops).not.toContain("QConv");
    const run = await neoncInProcess("run", q, "--input", path.join(dir, "x.pb"), "--output-dir", path.join(dir, "runf"), "--no-import-qdq");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect(existsSync(path.join(dir, "runf", "output_0.pb"))).toBe(true);
  });

  it("--int8 on an already quantized model is a usage error (exit 2) naming the way out", async () => {
    const r = await neoncInProcess("compile", q, "--target", "c99", "-o", path.join(dir, "x"), "--int8", "--calibration", path.join(dir, "cal"));
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/q\.onnx is already quantized \(QDQ: .*\); drop --int8, or add --no-import-qdq/);
  });
});

describe("neonc on other quantized forms", () => {
  it("check passes on a com.microsoft QOperator model (QLinearAdd, QLinearSigmoid)", async () => {
    const file = writeModel(path.join(dir, "qop.onnx"), {
      inputs: [{ name: "x", shape: [1, 3, 10] }],
      outputs: [{ name: "y", shape: [1, 3, 10] }],
      initializers: {
        s: fromNumbers("f32", [], [0.05]), z: fromNumbers("u8", [], [128]), s2: fromNumbers("f32", [], [1 / 256]), z2: fromNumbers("u8", [], [0]),
        s3: fromNumbers("f32", [], [0.06]), z3: fromNumbers("u8", [], [100]),
      },
      nodes: [
        { op: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["xq"] },
        { op: "QLinearSigmoid", domain: "com.microsoft", inputs: ["xq", "s", "z", "s2", "z2"], outputs: ["sg"] },
        { op: "QLinearAdd", domain: "com.microsoft", inputs: ["xq", "s", "z", "sg", "s2", "z2", "s3", "z3"], outputs: ["a"] },
        { op: "DequantizeLinear", inputs: ["a", "s3", "z3"], outputs: ["y"] },
      ],
    });
    const r = await neoncInProcess("check", file, "--target", "c99", "--runs", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/qop\.onnx: quantized model \(QDQ and QOperator: .*com\.microsoft\.QLinearSigmoid.*\) imported through import-qdq: 2 nodes became integer ops \((QAdd 1, QLookup 1|QLookup 1, QAdd 1)\); none stayed float/);
    expect(r.stdout).toMatch(/^ok: /m);
  });

  it("a blocked activation fails with one line naming the node (exit 1)", async () => {
    const file = writeModel(path.join(dir, "blocked.onnx"), {
      opset: 21,
      inputs: [{ name: "x", shape: [2, 8] }],
      outputs: [{ name: "y", shape: [2, 8] }],
      initializers: { s: fromNumbers("f32", [], [0.1]), z: fromNumbers("i8", [], [0]), bs: fromNumbers("f32", [2, 2], [0.1, 0.2, 0.3, 0.4]) },
      nodes: [
        { op: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["xq"] },
        { op: "DequantizeLinear", inputs: ["xq", "bs"], outputs: ["y"], name: "dq_blocked", attrs: { axis: 1, block_size: 4 } },
      ],
    });
    const r = await neoncInProcess("compile", file, "--target", "c99", "-o", path.join(dir, "b"));
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/blocked\.onnx: node "dq_blocked" \(DequantizeLinear\): blocked quantization \(block_size 4 along axis 1\) of the run-time value "xq" cannot be imported/);
  });

  it("a dynamically quantized model (DynamicQuantizeLinear into MatMulInteger, as quantize_dynamic writes) checks on c99", async () => {
    const file = writeModel(path.join(dir, "dyn.onnx"), {
      inputs: [{ name: "x", shape: [3, 4] }],
      outputs: [{ name: "y", shape: [3, 2] }],
      initializers: {
        w: fromNumbers("i8", [4, 2], [12, -7, 100, -128, 3, 55, -90, 1]),
        ws: fromNumbers("f32", [], [0.02]),
      },
      nodes: [
        { op: "DynamicQuantizeLinear", inputs: ["x"], outputs: ["xq", "xs", "xz"] },
        { op: "MatMulInteger", inputs: ["xq", "w", "xz"], outputs: ["acc"] },
        { op: "Cast", inputs: ["acc"], outputs: ["accf"], attrs: { to: 1 } },
        { op: "Mul", inputs: ["xs", "ws"], outputs: ["s"] },
        { op: "Mul", inputs: ["accf", "s"], outputs: ["y"] },
      ],
    });
    const r = await neoncInProcess("check", file, "--target", "c99", "--runs", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: /m);
  });
});
