// `--no-fast-engine`: `neonc run` gives the same output bytes with the fast engine (the default)
// and without it, on the digits model (its Conv and depthwise kernels run on the engine).
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, neonc, ROOT, tempDir } from "./helpers.js";

beforeAll(() => ensureBuilt());

describe("neonc run --no-fast-engine", () => {
  it("writes the same outputs as the default run", () => {
    const dir = tempDir();
    const model = path.join(ROOT, "examples/digits/model.onnx");
    const input = path.join(ROOT, "examples/digits/dev/0000.input.pb");
    const out = (name: string, ...flags: string[]) => {
      const r = neonc("run", model, "--input", input, "--output-dir", path.join(dir, name), ...flags);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      return readFileSync(path.join(dir, name, "output_0.pb"));
    };
    expect(out("off", "--no-fast-engine").equals(out("on"))).toBe(true);
  });
});
