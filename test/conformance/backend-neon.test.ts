// C conformance on the NEON targets: the backend tests whose generated aarch64 code uses NEON
// intrinsics (the ops speech models spend their time in) also pass through SIMDe and under qemu
// for aarch64 and armv7, and as a wasm32 module under Node, at the backend tolerance. Tests that fail on c99 are listed in
// c-expected-failures.txt and left to backend-c99.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import type { RunMode } from "../../codegen/index.js";
import { backendRoot } from "../helpers/backend-cases.js";
import { rigOrSkip } from "../codegen/helpers.js";
import { backendTestNames, cFailures, rigPresent, runBackendTestsInC, usesNeon } from "./backend-c.js";

const RIGS: readonly (readonly [string, RunMode])[] = [["aarch64", "simde"], ["aarch64", "qemu"], ["armv7", "qemu"], ["wasm32", "wasm"]];

describe.runIf(backendRoot)("ONNX backend node tests through the NEON code", () => {
  const names = backendTestNames().filter((n) => !cFailures.has(n) && usesNeon(n));
  it("covers the NEON kernels (some tests use NEON intrinsics)", () => {
    if (process.env.NEONC_ONLY === undefined) expect(names.length).toBeGreaterThan(20);
  });
  for (const [target, mode] of RIGS) {
    describe(`${target} (${mode})`, () => {
      let results = new Map<string, string | undefined>();
      beforeAll(() => {
        if (names.length > 0 && rigPresent(target, mode)) results = runBackendTestsInC(names, target, mode);
      }, 600_000);
      for (const name of names) {
        it(name, (ctx) => {
          rigOrSkip(ctx, target, mode);
          expect(results.get(name)).toBeUndefined();
        });
      }
    });
  }
});
