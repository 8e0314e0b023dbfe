// Locates ../shared (models, ONNX backend tests, asr-digits) for the suites that need it.
//
// Without ../shared the suites skip with a visible message; with NEONC_REQUIRE_SHARED=1 (as CI
// sets it) a missing folder fails the run instead.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { skipOrFail, type Skippable } from "./skip.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sharedRoot = path.resolve(repoRoot, "../shared");

/** Absolute path of a folder under ../shared, or undefined when it is absent (and allowed to be). */
export function sharedPath(sub: string): string | undefined {
  const p = path.join(sharedRoot, sub);
  if (existsSync(p)) return p;
  if (process.env.NEONC_REQUIRE_SHARED === "1") {
    throw new Error(`NEONC_REQUIRE_SHARED=1 but ${p} does not exist`);
  }
  console.warn(`skipping the suites that need ../shared/${sub}: ${p} does not exist`);
  return undefined;
}

/**
 * Absolute path of a folder under ../shared for the running test (the folder itself when `sub`
 * is empty); when it is absent the test is skipped with the reason, or fails under
 * NEONC_REQUIRE_SHARED=1.
 */
export function sharedOrSkip(ctx: Skippable, sub = ""): string {
  const p = path.join(sharedRoot, sub);
  if (existsSync(p)) return p;
  return skipOrFail(ctx, `the tests that need ../shared/${sub} cannot run here: ${p} does not exist`, "NEONC_REQUIRE_SHARED");
}
