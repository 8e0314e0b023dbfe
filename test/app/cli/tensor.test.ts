// Using the generated C by hand, as docs/codegen.md shows it: `neonc compile`, `make`, `neonc
// tensor to-raw` for the harness's input, the harness itself, then `neonc tensor compare` (raw
// output against the interpreter's .pb) and `neonc tensor from-raw`; and a program of the user's
// own that sizes a static arena with MODEL_ARENA_BYTES from model.h.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { ensureBuilt, f32, neonc, oneLineError, readTensor, tempDir, writeModel, writeTensor } from "./helpers.js";

let dir: string;
let model: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("neonc-tensor-");
  const w = Array.from({ length: 3 * 2 * 3 }, (_, i) => Math.cos(i) / 2);
  model = writeModel(path.join(dir, "conv.onnx"), {
    inputs: [{ name: "x", shape: [1, 2, "T"] }],
    outputs: [{ name: "y", shape: [1, 3, "T"] }],
    initializers: { w: fromNumbers("f32", [3, 2, 3], w) },
    nodes: [{ op: "Conv", inputs: ["x", "w"], outputs: ["c"], attrs: { pads: [1, 1] } }, { op: "Relu", inputs: ["c"], outputs: ["y"] }],
  });
});

function sh(cmd: string, args: string[], cwd = dir): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  expect(r.status, `${cmd} ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe("the generated C by hand", () => {
  it("compile, make, to-raw, run the harness, compare and from-raw", () => {
    const out = path.join(dir, "c");
    expect(neonc("compile", model, "--target", "c99", "--max-dim", "T=8", "-o", out).code).toBe(0);
    sh("make", ["-s", "-C", out, "CC=gcc"]);
    const x = writeTensor(path.join(dir, "x.pb"), f32([1, 2, 5], [0.5, -1, 2, 0.25, -0.75, 1, 1.5, -2, 0, 0.3]), "x");
    expect(neonc("run", model, "--input", x, "--output-dir", path.join(dir, "ref")).code).toBe(0);
    const ref = path.join(dir, "ref", "output_0.pb");

    const toRaw = neonc("tensor", "to-raw", x, path.join(dir, "x.bin"));
    expect(toRaw.stdout).toBe(`wrote ${path.join(dir, "x.bin")}: f32[1,2,5], 40 bytes\n`);
    const stdout = sh(path.join(out, "model"), ["1", "5", "x.bin", "y.bin"]);
    expect(stdout).toMatch(/^median_ms /m);

    const cmp = neonc("tensor", "compare", path.join(dir, "y.bin"), ref);
    expect(cmp.code, cmp.stderr).toBe(0);
    expect(cmp.stdout).toMatch(/^max abs difference \S+ \(\S+ of max \|ref\| \S+\) over 15 elements$/m);

    const back = path.join(dir, "y.pb");
    expect(neonc("tensor", "from-raw", path.join(dir, "y.bin"), back, "--like", ref).code).toBe(0);
    const [got, want] = [readTensor(back), readTensor(ref)];
    expect({ ...got, values: undefined }).toEqual({ ...want, values: undefined });
    got.values.forEach((v, i) => expect(Math.abs(v - want.values[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(...want.values.map(Math.abs))));
    expect(neonc("tensor", "compare", back, ref).code).toBe(0);
    expect(neonc("tensor", "info", back).stdout).toBe("y f32[1,3,5]\n");
    expect(neonc("tensor", "from-raw", path.join(dir, "y.bin"), path.join(dir, "y2.pb"), "--dtype", "f32", "--shape", "1,3,5").code).toBe(0);
  });

  it("a user's program sizes a static arena with MODEL_ARENA_BYTES", () => {
    const out = path.join(dir, "c");
    const header = readFileSync(path.join(out, "model.h"), "utf8");
    expect(header).toMatch(/^#define MODEL_ARENA_BYTES \d+u$/m);
    expect(header).toMatch(/^#define MODEL_T_MAX 8 /m);
    writeFileSync(path.join(out, "user.c"), [
      `#include <stdio.h>`,
      `#include "model.h"`,
      `static unsigned char arena[MODEL_ARENA_BYTES + 16];`,
      `int main(void) {`,
      `  float x[2 * 4] = {1, 2, 3, 4, -1, -2, -3, -4}, y[3 * 4];`,
      `  model_inputs in; model_outputs out;`,
      `  unsigned char *a = arena + ((16 - ((size_t)arena & 15)) & 15);`,
      `  in.x = x; out.y = y;`,
      `  if (model_arena_size() != MODEL_ARENA_BYTES) return 3;`,
      `  return model_run(&in, &out, 4, a);`,
      `}`,
      ``,
    ].join("\n"));
    sh("gcc", ["-std=c99", "-Wall", "-Werror", "-o", "user", "user.c", "model.c", "weights.c", "-lm"], out);
    sh(path.join(out, "user"), [], out);
  });

  it("says what is wrong in one line", () => {
    const ref = path.join(dir, "ref", "output_0.pb");
    writeFileSync(path.join(dir, "short.bin"), new Uint8Array(7));
    const short = neonc("tensor", "compare", path.join(dir, "short.bin"), ref);
    expect(short.code).toBe(1);
    expect(oneLineError(short)).toMatch(/short\.bin holds 7 bytes; f32\[1,3,5\] needs 60/);
    const noShape = neonc("tensor", "from-raw", path.join(dir, "y.bin"), path.join(dir, "z.pb"));
    expect(noShape.code).toBe(2);
    expect(oneLineError(noShape)).toMatch(/give --like REF\.pb, or --dtype and --shape/);
    const bothRaw = neonc("tensor", "compare", path.join(dir, "y.bin"), path.join(dir, "x.bin"));
    expect(bothRaw.code).toBe(2);
    expect(neonc("tensor", "info", path.join(dir, "missing.pb")).code).toBe(1);
  });
});
