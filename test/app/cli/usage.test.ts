// The command-line contract around the commands' work: help, version, usage errors (exit 2),
// unreadable models and inputs (exit 1), and the one-line error style. The long table of usage
// errors runs in-process; a few of its cases also run as a real process.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, ensureBuilt, neonc, neoncInProcess, oneLineError, tempDir, writeModel } from "./helpers.js";

let dir: string;
let model: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  model = writeModel(path.join(dir, "relu.onnx"), {
    inputs: [{ name: "x", shape: [1, 3, "T"] }],
    outputs: [{ name: "y", shape: [1, 3, "T"] }],
    nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("help and version", () => {
  it("neonc --help lists the commands and exits 0", () => {
    const r = neonc("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: neonc/);
    expect(r.stdout).toMatch(/\binspect\b/);
    expect(r.stdout).toMatch(/\brun\b/);
    expect(r.stderr).toBe("");
  });

  it("neonc COMMAND --help describes the command's flags", () => {
    const run = neonc("run", "--help");
    expect(run.code).toBe(0);
    for (const flag of ["--input", "--input-dir", "--output-dir", "--engine", "--target", "--passes"]) expect(run.stdout).toContain(flag);
    const inspect = neonc("inspect", "--help");
    expect(inspect.code).toBe(0);
    for (const flag of ["--json", "--dim"]) expect(inspect.stdout).toContain(flag);
  });

  it("neonc --version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = neonc("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe("usage errors exit 2 with one line on stderr", () => {
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /no command given/],
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["an unknown option", ["inspect", "--bogus", "m.onnx"], /unknown option '--bogus'/],
    ["a missing model argument", ["inspect"], /missing required argument 'model'/],
    ["too many arguments", ["inspect", "a.onnx", "b.onnx"], /too many arguments/],
    ["a bad --dim", ["inspect", "m.onnx", "--dim", "T"], /--dim.*NAME=N/],
    ["a missing --output-dir", ["run", "m.onnx", "--input", "x.pb"], /--output-dir/],
    ["no input", ["run", "m.onnx", "--output-dir", "out"], /no input given/],
    ["--input with --input-dir", ["run", "m.onnx", "--input", "x.pb", "--input-dir", "d", "--output-dir", "out"], /either --input or --input-dir/],
    ["--engine c", ["run", "m.onnx", "--input", "x.pb", "--output-dir", "out", "--engine", "c", "--target", "pdp11"], /--target.*'pdp11' is invalid/],
    ["an unknown engine", ["run", "m.onnx", "--input", "x.pb", "--output-dir", "out", "--engine", "gpu"], /--engine.*'gpu' is invalid/],
    ["an unknown pass", ["run", "m.onnx", "--input", "x.pb", "--output-dir", "out", "--passes", "fold-batchnrom"], /unknown pass 'fold-batchnrom'; did you mean 'fold-batchnorm'\?/],
    ["an unknown optimization level", ["optimize", "m.onnx", "-O3", "-o", "out.onnx"], /unknown optimization level -O3/],
    ["optimize without -o", ["optimize", "m.onnx", "-O1"], /--output/],
    ["--target", ["run", "m.onnx", "--input", "x.pb", "--output-dir", "out", "--target", "aarch64"], /--target/],
  ];
  for (const [what, args, message] of cases) {
    it(`for ${what}`, async () => {
      const r = await neoncInProcess(...args);
      expect(r.code).toBe(2);
      expect(oneLineError(r)).toMatch(message);
      expect(r.stdout).toBe("");
    });
  }

  it("the same from a real process (unknown option, --engine c, no command)", () => {
    for (const i of [0, 2, 9]) {
      const [, args, message] = cases[i]!;
      const r = neonc(...args);
      expect(r.code).toBe(2);
      expect(oneLineError(r)).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("for an --input-dir without input files", async () => {
    const empty = path.join(dir, "empty");
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, "notes.txt"), "nothing here");
    const r = await neoncInProcess("run", model, "--input-dir", empty, "--output-dir", path.join(dir, "out-empty"));
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/holds no NAME\.input\.pb files, input_K\.pb files or test_data_set_N folders/);
  });

  it("for model-zoo inputs with a gap in their numbers", async () => {
    const gap = path.join(dir, "gap");
    mkdirSync(gap, { recursive: true });
    writeFileSync(path.join(gap, "input_0.pb"), "");
    writeFileSync(path.join(gap, "input_2.pb"), "");
    const r = await neoncInProcess("run", model, "--input-dir", gap, "--output-dir", path.join(dir, "out-gap"));
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/without gaps/);
  });
});

describe("--max-dim names a symbolic dim of the model, as neonc imported it", () => {
  // The ONNX file calls the time axis "seq-len"; neonc imports it as seq_len (a C name).
  let seqModel: string, fixedModel: string;
  beforeAll(() => {
    seqModel = writeModel(path.join(dir, "seq.onnx"), {
      inputs: [{ name: "x", shape: ["B", 4, "seq-len"] }],
      outputs: [{ name: "y", shape: ["B", 4, "seq-len"] }],
      nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
    });
    fixedModel = writeModel(path.join(dir, "fixed.onnx"), {
      inputs: [{ name: "x", shape: [1, 4, 8] }],
      outputs: [{ name: "y", shape: [1, 4, 8] }],
      nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
    });
  });
  const IMPORTED = "(ONNX dim names are imported with _ for every character other than a letter, digit or _)";

  it("says what the model's dims are called when given the ONNX name (compile, check, run --engine c)", async () => {
    const out = path.join(dir, "seq-c");
    const commands = [
      ["compile", seqModel, "--target", "c99", "-o", out],
      ["check", seqModel, "--target", "c99"],
      ["run", seqModel, "--engine", "c", "--input", path.join(dir, "x.pb"), "--output-dir", out],
    ];
    for (const args of commands) {
      const r = await neoncInProcess(...args, "--max-dim", "B=1", "--max-dim", "seq-len=300");
      expect(r.code, args[0]).toBe(2);
      expect(oneLineError(r)).toBe(`neonc: --max-dim seq-len=300: the model has no symbolic dim seq-len; its symbolic dims are B, seq_len ${IMPORTED}, so write --max-dim seq_len=300`);
    }
  });

  it("lists the model's dims for a name that is none of them, and says when all dims are fixed", async () => {
    const seq = await neoncInProcess("compile", seqModel, "--target", "c99", "-o", path.join(dir, "seq-c"), "--max-dim", "T=300");
    expect(seq.code).toBe(2);
    expect(oneLineError(seq)).toBe("neonc: --max-dim T=300: the model has no symbolic dim T; its symbolic dims are B, seq_len");
    const fixed = await neoncInProcess("compile", fixedModel, "--target", "c99", "-o", path.join(dir, "fixed-c"), "--max-dim", "T=300");
    expect(fixed.code).toBe(2);
    expect(oneLineError(fixed)).toBe("neonc: --max-dim T=300: the model has no symbolic dim T; all its dims are fixed, so leave --max-dim out");
  });

  it("compiles with the imported names", async () => {
    const r = await neoncInProcess("compile", seqModel, "--target", "c99", "-o", path.join(dir, "seq-ok"), "--max-dim", "B=1", "--max-dim", "seq_len=300");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/for c99 \(B<=1, seq_len<=300\)/);
  });

  it("still refuses a value that is not a whole number", async () => {
    const r = await neoncInProcess("compile", seqModel, "--target", "c99", "-o", path.join(dir, "seq-c"), "--max-dim", "seq-len=many");
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/--max-dim.*'seq-len=many' is invalid: the value must be a whole number of at least 1/);
  });
});

describe("bad models and inputs exit 1 with one line on stderr", () => {
  it("for a model file that does not exist", () => {
    for (const cmd of [["inspect"], ["run"]]) {
      const extra = cmd[0] === "run" ? ["--input", "x.pb", "--output-dir", path.join(dir, "o")] : [];
      const r = neonc(...cmd, path.join(dir, "missing.onnx"), ...extra);
      expect(r.code).toBe(1);
      expect(oneLineError(r)).toMatch(/missing\.onnx: cannot read the model \(no such file or directory\)/);
    }
  });

  it("for a file that is not an ONNX model", () => {
    const junk = path.join(dir, "junk.onnx");
    writeFileSync(junk, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
    const r = neonc("inspect", junk);
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/junk\.onnx/);
    expect(r.stdout).toBe("");
  });

  it("for a model path that is a folder", async () => {
    const r = await neoncInProcess("inspect", dir);
    expect(r.code).toBe(1);
    oneLineError(r);
  });

  it("for an --input-dir that does not exist", async () => {
    const r = await neoncInProcess("run", model, "--input-dir", path.join(dir, "nowhere"), "--output-dir", path.join(dir, "o"));
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/nowhere: cannot read the input folder/);
  });

  it("--debug adds the stack trace", () => {
    const r = neonc("inspect", path.join(dir, "missing.onnx"), "--debug");
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^neonc: /);
    expect(lines.length).toBeGreaterThan(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
