// The fast engine from the command line: `neonc run` gives the same output bytes with the fast
// engine (the default), with its GEMM kept in WebAssembly (NEONC_FAST_ENGINE=wasm), demanded
// native (NEONC_FAST_ENGINE=native) and without it (--no-fast-engine), on the digits model (its
// Conv and depthwise kernels run on the engine); a bad NEONC_FAST_ENGINE, or a native build that
// cannot happen (no compiler; a cache folder others can write into), is a usage error in one line.
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, neoncEnv, ROOT, tempDir } from "./helpers.js";

beforeAll(() => ensureBuilt());

const model = path.join(ROOT, "examples/digits/model.onnx");
const input = path.join(ROOT, "examples/digits/dev/0000.input.pb");

const run = (env: Record<string, string>, outDir: string, ...flags: string[]) =>
  neoncEnv(env, "run", model, "--input", input, "--output-dir", outDir, ...flags);

describe("neonc run and the fast engine", () => {
  it("writes the same outputs with the engine native, in WebAssembly and off", () => {
    const dir = tempDir();
    const out = (name: string, env: Record<string, string>, ...flags: string[]) => {
      const r = run(env, path.join(dir, name), ...flags);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      return readFileSync(path.join(dir, name, "output_0.pb"));
    };
    const off = out("off", {}, "--no-fast-engine");
    expect(out("default", {}).equals(off)).toBe(true);
    expect(out("wasm", { NEONC_FAST_ENGINE: "wasm" }).equals(off)).toBe(true);
    expect(out("native", { NEONC_FAST_ENGINE: "native" }).equals(off)).toBe(true);
  });

  it("says in one line what is wrong with NEONC_FAST_ENGINE", () => {
    const dir = tempDir();
    const bad = run({ NEONC_FAST_ENGINE: "gpu" }, path.join(dir, "a"));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("neonc: NEONC_FAST_ENGINE=gpu is not one of auto, wasm, native");
    const noCc = run({ NEONC_FAST_ENGINE: "native", CC: "no-such-cc" }, path.join(dir, "b"));
    expect(noCc.code).toBe(2);
    expect(noCc.stderr.trim()).toBe("neonc: NEONC_FAST_ENGINE=native, but no C compiler (no-such-cc) to build the native kernels");
    // Without the demand, the same machine falls back to WebAssembly: same numbers, no error.
    expect(run({ CC: "no-such-cc" }, path.join(dir, "c")).code).toBe(0);
  });

  it("loads no native code from a cache folder that others can write into", () => {
    const tmp = tempDir();
    const cache = path.join(tmp, `neonc-fast-native-${process.getuid!()}`);
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    const r = run({ NEONC_FAST_ENGINE: "native", TMPDIR: tmp }, path.join(tmp, "out"));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`neonc: NEONC_FAST_ENGINE=native, but the native kernels' cache folder ${cache} is not a private folder of this user`);
  });
});
