// --bind NAME=VALUE on run, optimize, compile and check (src/app/cli/bind-flag.ts): the input
// becomes a constant at import, so the VAD whose sample-rate input picks a front end keeps only
// the branch that rate takes, and gives the numbers the full model gives at that rate. Values
// that name no input or do not fit it, and malformed ones, are usage errors (exit 2, one line).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importOnnxBytes, importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { fromNumbers, toNumbers } from "../../../ir/types.js";
import { vadFrontEnds, vadInputs } from "../../helpers/if-models.js";
import { ensureBuilt, neonc, neoncInProcess, oneLineError, readTensor, ROOT, tempDir, writeTensor } from "./helpers.js";

const dir = tempDir("neonc-bind-");
const model = path.join(dir, "vad.onnx");
const audio = path.join(dir, "audio.pb");
const sr8k = path.join(dir, "sr8k.pb");
const full = importOnnxBytes(vadFrontEnds(), "vad.onnx");
const at = (rate: number) => runGraph(full, { audio: vadInputs().at16k.audio, sr: fromNumbers("i64", [1], [rate]) })["prob"]!;

beforeAll(() => {
  ensureBuilt();
  writeFileSync(model, vadFrontEnds());
  writeTensor(audio, vadInputs().at16k.audio, "audio");
  writeTensor(sr8k, fromNumbers("i64", [1], [8000]), "sr");
});

describe("--bind", () => {
  it("optimize: the bound rate leaves one front end and no If, with the numbers of the full model at that rate", () => {
    const out = path.join(dir, "vad8k.onnx");
    const r = neonc("optimize", model, "--bind", "sr=8000", "-o", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const g = importOnnxFile(out);
    expect(g.inputs).toEqual(["audio"]);
    expect(g.nodes.map((n) => n.op)).not.toContain("If");
    expect(g.nodes.map((n) => n.op)).toContain("MaxPool");
    const got = toNumbers(runGraph(g, { audio: vadInputs().at16k.audio })["prob"]!), want = toNumbers(at(8000));
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]!)))).toBeLessThan(1e-6);
  });

  it("run: takes the other inputs only, and gives the taken branch's numbers (a .pb value too)", () => {
    for (const [value, rate] of [["16000", 16000], [sr8k, 8000]] as const) {
      const out = path.join(dir, `run-${rate}`);
      const r = neonc("run", model, "--bind", `sr=${value}`, "--input", audio, "--output-dir", out);
      expect(r.code, r.stderr).toBe(0);
      const got = readTensor(path.join(out, "output_0.pb"));
      expect(got.values).toEqual(toNumbers(at(rate)));
    }
  });

  it("compile: the C holds one front end, not the two branches of an If", () => {
    const bound = path.join(dir, "c-bound"), both = path.join(dir, "c-both");
    expect(neonc("compile", model, "--target", "c99", "--bind", "sr=16000", "-o", bound).code).toBe(0);
    expect(neonc("compile", model, "--target", "c99", "-o", both).code).toBe(0);
    expect(readFileSync(path.join(both, "model.c"), "utf8")).toMatch(/then_branch/);
    expect(readFileSync(path.join(bound, "model.c"), "utf8")).not.toMatch(/then_branch|else_branch/);
  });

  it("check: the bound model's C matches the interpreter", () => {
    const r = neonc("check", model, "--target", "c99", "--bind", "sr=8000");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: /m);
  });

  describe("a folder of sets for both rates (the model's test sets cover every specialization)", () => {
    const sets = path.join(dir, "both-rates");
    beforeAll(() => {
      [16000, 8000, 16000].forEach((rate, k) => {
        const set = path.join(sets, `test_data_set_${k}`);
        mkdirSync(set, { recursive: true });
        writeTensor(path.join(set, "input_0.pb"), vadInputs().at16k.audio, "audio");
        writeTensor(path.join(set, "input_1.pb"), fromNumbers("i64", [1], [rate]), "sr");
      });
    });

    it("run: a set holding the bound value runs without it; one holding another is refused, naming its file", async () => {
      const one = path.join(dir, "one-16k");
      mkdirSync(one, { recursive: true });
      for (const f of ["input_0.pb", "input_1.pb"]) copyFileSync(path.join(sets, "test_data_set_0", f), path.join(one, f));
      const ok = neonc("run", model, "--bind", "sr=16000", "--input-dir", one, "--output-dir", path.join(dir, "one-out"));
      expect(ok.code, ok.stderr).toBe(0);
      expect(readTensor(path.join(dir, "one-out", "output_0.pb")).values).toEqual(toNumbers(at(16000)));
      const r = await neoncInProcess("run", model, "--bind", "sr=8000", "--input-dir", one, "--output-dir", path.join(dir, "one-out8"));
      expect(r.code).toBe(2);
      expect(oneLineError(r)).toMatch(/one-16k\/input_1\.pb gives the input "sr" the value 16000, but the model was imported with "sr" bound to 8000/);
    });

    it("calibration: takes the sets that fit the bound rate and says how many it left out and why", async () => {
      const r = await neoncInProcess("compile", model, "--target", "c99", "--bind", "sr=8000", "--int8", "--calibration", sets, "-o", path.join(dir, "c-int8"));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/data calibration on 1 samples from .*both-rates.*; 2 of the 3 samples in .*both-rates do not fit the model and were left out: 2 give sr = 16000 where the model binds it to 8000/);
      const none = await neoncInProcess("compile", model, "--target", "c99", "--bind", "sr=4000", "--int8", "--calibration", sets, "-o", path.join(dir, "c-none"));
      expect(none.code).toBe(1);
      expect(oneLineError(none)).toMatch(/calibration folder .*both-rates has no sample that fits the model: give sr = 16000 where the model binds it to 4000; give sr = 8000 where the model binds it to 4000/);
    });
  });

  it("refuses an unknown input, a value that does not fit, and a malformed one (exit 2, one line)", async () => {
    const cases: [string, RegExp][] = [
      ["rate=16000", /cannot bind "rate": the model has no input of that name \(its inputs are audio, sr\)/],
      ["sr=16000,8000", /the value bound to input "sr" has 2 values, which do not fill the input's shape \(i64\[1\]\)/],
      ["sr=16000.5", /the value bound to input "sr" holds 16000.5, which is not a value of type i64/],
      ["audio=1", /the value bound to input "audio" has 1 value, which do not fill the input's shape \(f32\[1,1,256\]\)/],
      [`audio=${sr8k}`, /the value bound to input "audio" is i64\[1\], the input is f32\[1,1,256\]/],
      ["sr=fast", /argument 'sr=fast' is invalid: "fast" is not a number/],
      ["=3", /expected NAME=VALUE/],
    ];
    for (const [bind, message] of cases) {
      const r = await neoncInProcess("optimize", model, "--bind", bind, "-o", path.join(dir, "x.onnx"));
      expect(r.code, bind).toBe(2);
      expect(oneLineError(r)).toMatch(message);
    }
    const twice = await neoncInProcess("optimize", model, "--bind", "sr=1", "--bind", "sr=2", "-o", path.join(dir, "x.onnx"));
    expect(twice.code).toBe(2);
    expect(oneLineError(twice)).toMatch(/the input sr is bound twice/);
  });
});

describe("run without --bind on a model whose If needs its input shapes and values", () => {
  // silero_vad_v5's decoder Squeezes a length known only under the sample-rate If: its import
  // needs the chunk shape and the rate. `run` groups the sets as `check` does, one import per group.
  const vad = path.join(ROOT, "test/fixtures/real-models/silero_vad_v5");
  for (const engine of ["interpreter", "c"]) {
    it(`--engine ${engine}: one import per kind of set, said on stderr, and the stored outputs`, () => {
      const out = path.join(dir, `silero-${engine}`);
      const r = neonc("run", path.join(vad, "model.onnx"), "--input-dir", vad, "--output-dir", out, "--engine", engine, ...(engine === "c" ? ["--target", "c99"] : []));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^inputs: 16 runs with input=1,512, state=2,1,128, sr=16000, imported as --input-shape\/--bind give them$/m);
      expect(r.stderr).toMatch(/^inputs: 12 runs with input=1,256, state=2,1,128, sr=8000, imported as --input-shape\/--bind give them$/m);
      for (const k of [0, 15, 16, 27]) {
        for (const o of [0, 1]) {
          const got = readTensor(path.join(out, `test_data_set_${k}`, `output_${o}.pb`)).values;
          const want = readTensor(path.join(vad, `test_data_set_${k}`, `output_${o}.pb`)).values;
          const worst = Math.max(...want.map((w, i) => Math.abs(w - got[i]!)));
          expect(worst, `set ${k} output ${o}`).toBeLessThanOrEqual(1e-4 * Math.max(...want.map(Math.abs)));
        }
      }
    }, 120_000);
  }
});

