// --input-shape NAME=D1,D2,... on run, optimize, compile and check (src/app/cli/input-shape-flag.ts):
// the input's symbolic dims are fixed at import, so torch's squeeze(-1) If on a run-time length
// folds away; without it the import stops (exit 1) naming the flag. Shapes that do not fit the
// model, and malformed ones, are usage errors (exit 2, one line).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { allNodes } from "../../../ir/graph.js";
import { squeezeModel } from "../../helpers/squeeze-if-model.js";
import { ensureBuilt, neonc, neoncInProcess, oneLineError, tempDir } from "./helpers.js";

const dir = tempDir("neonc-input-shape-");
const model = path.join(dir, "squeeze.onnx");

beforeAll(() => {
  ensureBuilt();
  writeFileSync(model, squeezeModel());
});

describe("--input-shape", () => {
  it("optimize: the fixed length folds the If, and the input keeps the given shape", () => {
    for (const t of [1, 7]) {
      const out = path.join(dir, `fixed-${t}.onnx`);
      const r = neonc("optimize", model, "--input-shape", `x=1,${t}`, "-o", out);
      expect(r.code, r.stderr).toBe(0);
      const g = importOnnxFile(out);
      expect(g.types["x"]!.shape).toEqual([1, t]);
      expect(allNodes(g).map((n) => n.op)).not.toContain("If");
    }
  });

  it("check: the specialized model's C matches the interpreter; without the flag the import stops naming it", async () => {
    const r = neonc("check", model, "--target", "c99", "--input-shape", "x=1,16");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: /m);
    const refused = await neoncInProcess("check", model, "--target", "c99");
    expect(refused.code).toBe(1);
    expect(oneLineError(refused)).toMatch(/known only at run time; .*give --input-shape x=1,T with numbers for the symbolic dims/);
  });

  it("refuses an unknown input, a wrong rank, a contradicted dim, a non-positive or malformed one (exit 2, one line)", async () => {
    const cases: [string[], RegExp][] = [
      [["y=1,4"], /cannot fix the shape of "y": the model has no input of that name \(its inputs are x, w, g\)/],
      [["x=4"], /cannot fix the shape of input "x" \[1,T\] to \[4\]: the input has rank 2, not 1/],
      [["x=3,4"], /dim 0 is 1 in the model/],
      [["x=1,0"], /argument 'x=1,0' is invalid: "0" is not a positive integer/],
      [["x=1,-2"], /"-2" is not a positive integer/],
      [["x=1,a"], /"a" is not a positive integer/],
      [["x"], /expected NAME=D1,D2,..., like input=1,512/],
      [["x=1,4", "--input-shape", "x=1,5"], /the shape of the input x is given twice/],
    ];
    for (const [args, message] of cases) {
      const r = await neoncInProcess("optimize", model, "--input-shape", ...args, "-o", path.join(dir, "x.onnx"));
      expect(r.code, args.join(" ")).toBe(2);
      expect(oneLineError(r), args.join(" ")).toMatch(message);
    }
  });
});
