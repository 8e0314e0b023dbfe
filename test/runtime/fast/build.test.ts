// The committed WebAssembly kernels (src/runtime/fast/kernels-wasm.ts) are what their C sources
// build to: rebuilding with clang-14 gives the same file, byte for byte; native-source.ts is
// native.c's text. Without clang the test
// is skipped with that reason (CI, which installs clang, requires it).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { skipOrFail } from "../../helpers/skip.js";
// @ts-expect-error: a plain ES module script without types
import { buildKernels, CLANG, kernelsModuleText, NATIVE_OUTPUT, nativeSourceModuleText, OUTPUT } from "../../../src/runtime/fast/c/build.mjs";

function hasClang(): boolean {
  try {
    execFileSync(CLANG, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("fast engine kernels", () => {
  it("the committed module is the build of its C sources", (ctx) => {
    if (!hasClang()) skipOrFail(ctx, `${CLANG} is not installed, so the committed kernels cannot be rebuilt`, "NEONC_REQUIRE_TARGETS");
    expect(kernelsModuleText(buildKernels())).toBe(readFileSync(OUTPUT, "utf8"));
  });
  it("the committed native source is native.c", () => {
    expect(nativeSourceModuleText()).toBe(readFileSync(NATIVE_OUTPUT, "utf8"));
  });
});
