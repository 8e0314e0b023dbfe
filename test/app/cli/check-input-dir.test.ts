// `neonc check --input-dir` reads the folders `neonc run` and `--calibration` read (one reader,
// src/adapters/onnx/run-plan.ts): NAME.input.pb files (one set each), input_K.pb files, and
// test_data_set_N folders (which `neonc run` also takes). Without --input-dir, a model whose
// random inputs cannot be made (here a symbolic T and no --max-dim) is checked on the
// test_data_set_N folders beside it, and check says so.
import { cpSync, readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, neonc, oneLineError, ROOT, tempDir } from "./helpers.js";

const model = path.join(ROOT, "examples/digits/model.onnx");
const dev = path.join(ROOT, "examples/digits/dev");

describe("neonc check --input-dir", () => {
  beforeAll(() => ensureBuilt());

  it("takes a folder of NAME.input.pb files, one set each", () => {
    const r = neonc("check", model, "--target", "c99", "--input-dir", dev, "--runs", "1");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => /: log_probs max abs error/.test(l));
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatch(/^0000: log_probs max abs error/);
    expect(r.stdout).toMatch(/^ok: /m);
  });

  it("takes input_K.pb files and test_data_set_N folders", () => {
    const dir = tempDir("neonc-check-dir-");
    cpSync(path.join(dev, "0003.input.pb"), path.join(dir, "test_data_set_0", "input_0.pb"), { recursive: true });
    cpSync(path.join(dev, "0004.input.pb"), path.join(dir, "test_data_set_1", "input_0.pb"), { recursive: true });
    const sets = neonc("check", model, "--target", "c99", "--input-dir", dir, "--runs", "1");
    expect(sets.code, sets.stderr).toBe(0);
    expect(sets.stdout).toMatch(/^test_data_set_0: .*\n^test_data_set_1: /m);
    const zoo = neonc("check", model, "--target", "c99", "--input-dir", path.join(dir, "test_data_set_1"), "--runs", "1");
    expect(zoo.code, zoo.stderr).toBe(0);
  });

  it("neonc run takes test_data_set_N folders too, writing OUT/test_data_set_N/output_K.pb", () => {
    const dir = tempDir("neonc-run-sets-");
    cpSync(path.join(dev, "0005.input.pb"), path.join(dir, "test_data_set_0", "input_0.pb"), { recursive: true });
    cpSync(path.join(dev, "0006.input.pb"), path.join(dir, "test_data_set_1", "input_0.pb"), { recursive: true });
    const out = path.join(dir, "out");
    for (const engine of [[], ["--engine", "c", "--target", "c99"]]) {
      const r = neonc("run", model, "--input-dir", dir, "--output-dir", out, ...engine);
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(out).sort()).toEqual(["test_data_set_0", "test_data_set_1"]);
      expect(readdirSync(path.join(out, "test_data_set_1"))).toEqual(["output_0.pb"]);
    }
  });

  it("refuses a folder without inputs in one line (exit 2)", () => {
    const r = neonc("check", model, "--target", "c99", "--input-dir", tempDir("neonc-check-empty-"));
    expect(r.code).toBe(2);
    expect(oneLineError(r)).toMatch(/holds no NAME\.input\.pb files, input_K\.pb files or test_data_set_N folders/);
  });

  it("without --input-dir or --max-dim, checks the test_data_set_N folders beside the model and says so", () => {
    const dir = tempDir("neonc-check-beside-");
    cpSync(model, path.join(dir, "model.onnx"));
    const alone = neonc("check", path.join(dir, "model.onnx"), "--target", "c99", "--runs", "1");
    expect(alone.code).toBe(2);
    expect(oneLineError(alone)).toBe("neonc: random inputs need a length for the symbolic dim T: give --max-dim T=N");
    cpSync(path.join(dev, "0003.input.pb"), path.join(dir, "test_data_set_0", "input_0.pb"), { recursive: true });
    cpSync(path.join(dev, "0004.input.pb"), path.join(dir, "test_data_set_1", "input_0.pb"), { recursive: true });
    const r = neonc("check", path.join(dir, "model.onnx"), "--target", "c99", "--runs", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`inputs: the 2 test_data_set_N folders in ${dir} (random inputs need a length for the symbolic dim T: give --max-dim T=N)\n`);
    expect(r.stdout).toMatch(/^test_data_set_0: .*\n^test_data_set_1: /m);
    // --max-dim makes random inputs possible: then they are used, as before.
    const random = neonc("check", path.join(dir, "model.onnx"), "--target", "c99", "--runs", "1", "--max-dim", "T=40");
    expect(random.code, random.stderr).toBe(0);
    expect(random.stdout).toMatch(/^random: /m);
  });
});
