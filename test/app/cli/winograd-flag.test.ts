// --winograd on the pipeline commands: `--winograd 4 --explain winograd` says per conv what it got,
// the C built from it (run --engine c) gives the interpreter's numbers within F(4, 3)'s
// tolerance, `off` runs no winograd pass, and a tile neonc does not have is a usage error.
// --winograd-int8 scaled with --int8 (calibrated on the input folder) makes the scaled integer
// Winograd, and neonc check passes on its C; without --int8 or --winograd it is a usage error.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { readTensorFile } from "../../../src/adapters/onnx/index.js";
import { compareTensors } from "../../../codegen/build.js";
import { ensureBuilt, f32, neonc, tempDir, writeModel, writeTensor } from "./helpers.js";

let dir: string;
let model: string;
let input: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-winograd-");
  const w = Array.from({ length: 6 * 4 * 3 }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
  model = writeModel(path.join(dir, "m.onnx"), {
    inputs: [{ name: "x", shape: [1, 4, "T"] }],
    outputs: [{ name: "y", shape: [1, 6, "T"] }],
    initializers: { w: fromNumbers("f32", [6, 4, 3], w) },
    nodes: [{ op: "Conv", inputs: ["x", "w"], outputs: ["y"], attrs: { pads: [1, 1] } }],
  });
  input = writeTensor(path.join(dir, "in/x.pb"), f32([1, 4, 11], Array.from({ length: 44 }, (_, i) => Math.sin(i))), "x");
});

describe("--winograd", () => {
  it("4: the conv becomes F(4, 3), --explain winograd says so, and the C matches the interpreter", () => {
    const outC = path.join(dir, "c"), outI = path.join(dir, "i");
    const c = neonc("run", model, "--input", input, "--output-dir", outC, "--engine", "c", "--winograd", "4", "--explain", "winograd");
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/Conv \S+: fired ConvWinograd: F\(4, 3\) \(the tile asked for\)/);
    const i = neonc("run", model, "--input", input, "--output-dir", outI);
    expect(i.code, i.stderr).toBe(0);
    const [a, b] = [readTensorFile(path.join(outC, "output_0.pb")).tensor, readTensorFile(path.join(outI, "output_0.pb")).tensor];
    expect(compareTensors(a, b).rel).toBeLessThanOrEqual(9.9e-5);
  });

  it("off runs no winograd pass", () => {
    const r = neonc("optimize", model, "--winograd", "off", "--explain", "winograd", "-o", path.join(dir, "o.onnx"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("ConvWinograd");
  });

  it("--winograd-int8 scaled with --int8: QConvWinogradScaled, and neonc check passes on its C", () => {
    const cal = path.join(dir, "cal");
    for (const k of [0, 1]) writeTensor(path.join(cal, `s${k}.input.pb`), f32([1, 4, 16], Array.from({ length: 64 }, (_, i) => Math.sin(i * (k + 2)))), "x");
    const r = neonc("check", model, "--int8", "--calibration", cal, "--input-dir", cal, "--target", "c99",
      "--winograd", "4", "--winograd-int8", "scaled", "--explain", "winograd");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fired QConvWinogradScaled: scaled integer F\(4, 3\) \(the tile asked for\).*input scales|scales \[/);
    expect(r.stdout).toMatch(/^ok/m);
  });

  it("--winograd-int8 without --int8 or --winograd is a usage error", () => {
    for (const args of [["--winograd", "4"], ["--int8"]]) {
      const r = neonc("optimize", model, ...args, "--winograd-int8", "scaled", "-o", path.join(dir, "o.onnx"));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--winograd-int8 goes with --winograd and --int8/);
    }
  });

  it("a tile neonc does not have is a usage error", () => {
    const r = neonc("optimize", model, "--winograd", "5", "-o", path.join(dir, "o.onnx"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--winograd/);
  });
});
